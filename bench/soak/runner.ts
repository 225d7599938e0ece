/**
 * The soak run: `npm start` as a real process (`node bin/local.cjs`) on a data folder of its own,
 * driven through every fault the local run can inject, two SIGKILLs at different points of a
 * tumbling window and a restart of the log agent across a log rotation, then judged by the
 * independent oracle in ./soak-oracle. Shared by the soak test (short) and the bench (long).
 *
 * Each phase flies unicorns of its own (`P03u1`, `P03u2`, …) and puts malformed records of its
 * own (`P03bad1`), so what reached the stream, the data lake, the summaries and the failure
 * queues can be told apart by phase afterwards.
 */
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { clientConfig } from '../../cli/aws';
import { sleep as realSleep } from '../../cli/run-main';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PRODUCER_RETRY_POLICY, runProducer } from '../../commands/producer';
import { localClients, type LocalClients } from '../../local/aws-access';
import { cleanEnv } from '../isolated-env';
import { PROJECT_ROOT as ROOT } from '../commands';
import { judgeSoak, type SoakPhase, type SoakVerdict } from './oracle';

export interface SoakSettings {
  /** The synthesized cloud assembly to run (default labs). */
  readonly assemblyDir: string;
  /** The tumbling window the aggregation is run with (`--window-seconds`). */
  readonly windowSeconds: number;
  /** The event sources' batching window (`--batching-window-seconds`). */
  readonly batchingWindowSeconds: number;
  /** The delivery streams' buffering interval (`--buffer-seconds`). */
  readonly bufferSeconds: number;
  /** Unicorns flying in each phase, each putting `ratePerUnicorn` records a second. */
  readonly unicorns: number;
  readonly ratePerUnicorn: number;
  /** How long each fault is in force, the producer flying meanwhile. */
  readonly faultSeconds: number;
  /** Malformed records put in each phase. */
  readonly malformedPerPhase: number;
  /** Lines the log agent ships in each of its three stretches. */
  readonly agentLinesPerStretch: number;
  /** How long to wait for everything to settle after the last phase. */
  readonly settleTimeoutMs: number;
  /** How long to watch once settled, for a copy written late. @default 1000 */
  readonly quietMs?: number;
  /** Progress, one line each. */
  readonly log?: (line: string) => void;
}

/**
 * The faults of local/faults.ts as the soak injects them: the Kinesis API faults on every stream
 * and operation half of the time, the Lambda ones on every function, the Firehose destination
 * down, DynamoDB throttling half of the requests. Half rather than all keeps traffic moving, so
 * retries and successes interleave as they do under a real brown-out.
 */
export const SOAK_FAULTS: readonly string[] = [
  'aws:kinesis:inject-api-throttle-error:50',
  'aws:kinesis:inject-api-internal-error:50',
  'aws:kinesis:inject-api-unavailable-error:50',
  'aws:kinesis:inject-api-provisioned-throughput-exception:50',
  'aws:kinesis:inject-api-expired-iterator-exception:50',
  'aws:lambda:invocation-error:50',
  'aws:lambda:invocation-add-delay?startupDelayMilliseconds=500',
  'local:firehose:destination-outage',
  'local:dynamodb:inject-api-throttle-error:50',
  'local:dynamodb:inject-api-provisioned-throughput-exception:50',
];

export const AGENT_PHASE = 'log agent restarted across a rotation (during the faults)';
export const EARLY_KILL_PHASE = 'SIGKILL of the runtime early in a window';
export const LATE_KILL_PHASE = 'SIGKILL of the runtime late in a window';

const STREAM = 'wildrydes';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The first of six consecutive free ports on 127.0.0.1, so a restarted runtime keeps its endpoint. */
async function freePortBase(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 4_000) * 10;
    let all = true;
    for (let i = 0; i < 6 && all; i++) all = await free(base + i);
    if (all) return base;
  }
  throw new Error('no six consecutive free ports found');
}

interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function spawnBin(bin: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', `${bin}.cjs`), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

async function waitForOutput(child: Child, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(child.output())) {
    if (child.process.exitCode !== null || child.process.signalCode !== null)
      throw new Error(`exited before ${pattern}:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} after ${timeoutMs} ms:\n${child.output()}`);
    await sleep(25);
  }
}

/** Where the window of `windowSeconds` that `now` falls in has got to, 0 to 1. */
const windowFraction = (now: number, windowSeconds: number) =>
  (now % (windowSeconds * 1000)) / (windowSeconds * 1000);

/** Waits until the clock is `fraction` of the way into a window (the next one if that is past). */
async function untilWindowAt(fraction: number, windowSeconds: number): Promise<void> {
  const size = windowSeconds * 1000;
  const now = Date.now();
  const target = Math.floor(now / size) * size + fraction * size;
  await sleep((target > now ? target : target + size) - now);
}

export interface SoakRun {
  readonly verdict: SoakVerdict;
  /** Seconds from the first start of the runtime to the verdict. */
  readonly seconds: number;
  /** The runtime's last run exited 0 on SIGINT. */
  readonly stoppedCleanly: boolean;
  /** What the runtime reported (its `!` lines: faults, function errors, alarms). */
  readonly output: string;
}

/** Runs the soak and returns the oracle's verdict; every process it starts is stopped. */
export async function runSoak(settings: SoakSettings): Promise<SoakRun> {
  const log = settings.log ?? (() => undefined);
  const work = mkdtempSync(path.join(tmpdir(), 'soak-'));
  const dataDir = path.join(work, 'data');
  const endpointsFile = path.join(work, 'endpoints.json');
  const portBase = await freePortBase();
  const endpoint = `http://127.0.0.1:${portBase}`;
  const env = cleanEnv({ WILDRYDES_ENDPOINTS_FILE: endpointsFile });
  const children: Child[] = [];
  let runtime: Child | undefined;
  let transcript = '';
  const startedAt = Date.now();

  const startRuntime = async () => {
    runtime = spawnBin(
      'local',
      [
        '--assembly',
        settings.assemblyDir,
        '--data-dir',
        dataDir,
        '--port-base',
        String(portBase),
        '--unicorns',
        '0',
        '--window-seconds',
        String(settings.windowSeconds),
        '--batching-window-seconds',
        String(settings.batchingWindowSeconds),
        '--buffer-seconds',
        String(settings.bufferSeconds),
      ],
      env,
    );
    children.push(runtime);
    await waitForOutput(runtime, /Local Wild Rydes pipeline is running/, 120_000);
  };
  const killRuntime = async () => {
    const dying = runtime!;
    transcript += dying.output();
    dying.process.kill('SIGKILL');
    await dying.exited;
  };

  const clients: LocalClients = localClients('us-east-1', endpoint);
  // The producer command's own client (three attempts, then the producer's retries).
  const producerKinesis = new KinesisClient({
    ...clientConfig({ endpointUrl: endpoint, region: 'us-east-1' }, 'KINESIS', {}),
    credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
  });
  const faults = async (operation: 'Add' | 'Clear', body: object) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `LocalFaults.${operation}`,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`LocalFaults.${operation}: HTTP ${response.status} ${await response.text()}`);
  };

  const phases: SoakPhase[] = [];
  const newPhase = (label: string) => {
    const phase: SoakPhase = {
      label,
      tag: `P${String(phases.length + 1).padStart(2, '0')}`,
      put: 0,
      malformedPut: [],
    };
    phases.push(phase);
    return phase;
  };

  /** Flies the phase's unicorns for `seconds` with the producer command's code, counting what Kinesis took. */
  const fly = async (phase: SoakPhase, seconds: number) => {
    const count = Math.max(1, Math.round(seconds * settings.ratePerUnicorn));
    const names = Array.from({ length: settings.unicorns }, (_, i) => `${phase.tag}u${i + 1}`);
    const stats = await runProducer(
      { stream: STREAM, names, rate: settings.ratePerUnicorn, count, seed: phases.length, quiet: true },
      {
        kinesis: producerKinesis,
        out: () => undefined,
        now: Date.now,
        sleep: realSleep,
        stop: new AbortController().signal,
        abandon: new AbortController().signal,
        // The producer's own policy (until Kinesis takes each record) with shorter pauses, so
        // that a phase ends soon after its fault does.
        retryPolicy: { ...PRODUCER_RETRY_POLICY, maxDelayMs: 500 },
      },
    );
    phase.put += stats.sent;
  };

  /** Malformed records of the phase's own: cut-short JSON and a status with a field wrong. */
  const putMalformed = async (phase: SoakPhase) => {
    for (let i = 1; i <= settings.malformedPerPhase; i++) {
      const name = `${phase.tag}bad${i}`;
      const text =
        i % 2 === 1
          ? `{"Name":"${name}","StatusTime":`
          : JSON.stringify({ Name: name, StatusTime: 'yesterday', Latitude: 1, Longitude: 2 });
      for (;;) {
        try {
          const out = await producerKinesis.send(
            new PutRecordsCommand({
              StreamName: STREAM,
              Records: [{ PartitionKey: name, Data: Buffer.from(text) }],
            }),
          );
          if (!out.FailedRecordCount) break;
        } catch {
          // The faults in force refuse some requests: the record is put again.
        }
        await sleep(100);
      }
      phase.put += 1;
      phase.malformedPut.push(text);
    }
  };

  const faultPhase = async (spec: string) => {
    const phase = newPhase(spec);
    log(`soak: ${phase.tag} ${spec}`);
    await faults('Add', { Faults: [spec] });
    await Promise.all([fly(phase, settings.faultSeconds), putMalformed(phase)]);
    await faults('Clear', {});
  };

  const killPhase = async (label: string, killAt: number) => {
    const phase = newPhase(label);
    log(`soak: ${phase.tag} ${label}`);
    // Records from the window's start to well before the kill: invocations with state saved.
    await untilWindowAt(0.02, settings.windowSeconds);
    await Promise.all([fly(phase, settings.windowSeconds * (killAt - 0.25)), putMalformed(phase)]);
    if (windowFraction(Date.now(), settings.windowSeconds) < killAt)
      await untilWindowAt(killAt, settings.windowSeconds);
    await killRuntime();
    await startRuntime();
  };

  /** Runs beside the fault phases: the agent ships through them as a web server's agent would. */
  const agentPhase = async (phase: SoakPhase) => {
    log(`soak: ${phase.tag} ${phase.label}`);
    const logDir = path.join(work, 'agent');
    const logFile = path.join(logDir, 'app.log');
    const config = path.join(work, 'agent.json');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(
      config,
      JSON.stringify({
        checkpointFile: path.join(logDir, 'checkpoints.json'),
        'cloudwatch.emitMetrics': false,
        flows: [
          {
            filePattern: `${logFile}*`,
            kinesisStream: STREAM,
            initialPosition: 'START_OF_FILE',
            maxBufferAgeMillis: 1000,
            minTimeBetweenFilePollsMillis: 50,
          },
        ],
      }),
    );
    let line = 0;
    const lines = (count: number) => {
      let text = '';
      for (let i = 0; i < count; i++) {
        line += 1;
        const name = `${phase.tag}a${(line % 3) + 1}`;
        const time = new Date(Date.now() + line).toISOString().replace('T', ' ').slice(0, 23);
        text += `${JSON.stringify({
          Name: name,
          StatusTime: time,
          Latitude: 40.7 + line / 1e4,
          Longitude: -73.9,
          Distance: (line % 7) * 1.5,
          MagicPoints: line % 10,
          HealthPoints: 100 + (line % 5),
        })}\n`;
      }
      phase.put += count;
      return text;
    };
    const agentEnv = cleanEnv({ AWS_ACCESS_KEY_ID: 'soak', AWS_SECRET_ACCESS_KEY: 'soak' });
    const startAgent = async () => {
      const agent = spawnBin(
        'log-agent',
        ['--config', config, '--endpoint-url', endpoint, '--region', 'us-east-1'],
        agentEnv,
      );
      children.push(agent);
      await waitForOutput(agent, /file(s)? matching/, 60_000);
      return agent;
    };
    const stopAgent = async (agent: Child) => {
      agent.process.kill('SIGINT');
      const code = await agent.exited;
      transcript += agent.output();
      if (code !== 0) throw new Error(`the log agent exited ${code}:\n${agent.output()}`);
    };

    writeFileSync(logFile, lines(settings.agentLinesPerStretch));
    const first = await startAgent();
    await sleep(1_500);
    // Rotated as logrotate does by default: renamed, and a new file started.
    renameSync(logFile, `${logFile}.1`);
    writeFileSync(logFile, lines(settings.agentLinesPerStretch));
    await stopAgent(first);
    appendFileSync(logFile, lines(settings.agentLinesPerStretch));
    const malformed = `{"Name":"${phase.tag}bad1","StatusTime":`;
    appendFileSync(logFile, `${malformed}\n`);
    phase.put += 1;
    phase.malformedPut.push(malformed);
    const second = await startAgent();
    await sleep(2_000);
    await stopAgent(second);
  };

  let stoppedCleanly = false;
  try {
    await startRuntime();
    const baseline = newPhase('none');
    log(`soak: ${baseline.tag} none`);
    await Promise.all([fly(baseline, settings.faultSeconds), putMalformed(baseline)]);
    // The agent's restarts take seconds each: they happen while the faults come and go, and
    // are over before the runtime is killed (an agent whose put was answered by a dying
    // endpoint would send it again, as the Kinesis Agent does).
    const agent = agentPhase(newPhase(AGENT_PHASE));
    const faultPhases = (async () => {
      for (const spec of SOAK_FAULTS) await faultPhase(spec);
    })();
    await Promise.all([agent, faultPhases]);
    await killPhase(EARLY_KILL_PHASE, 0.4);
    await killPhase(LATE_KILL_PHASE, 0.95);

    const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8')) as {
      stacks: Record<string, Record<string, string>>;
    };
    const outputs = Object.values(endpoints.stacks).find((o) => o.StreamName === STREAM)!;
    const verdict = await judgeSoak(
      {
        clients,
        stream: STREAM,
        bucket: outputs.DataLakeBucketName,
        table: outputs.SummaryTableName,
        windowSeconds: settings.windowSeconds,
        settleTimeoutMs: settings.settleTimeoutMs,
        quietMs: settings.quietMs ?? 1_000,
        log,
      },
      phases,
    );
    const last = runtime!;
    last.process.kill('SIGINT');
    stoppedCleanly = (await last.exited) === 0;
    transcript += last.output();
    return {
      verdict,
      seconds: (Date.now() - startedAt) / 1000,
      stoppedCleanly,
      output: transcript
        .split('\n')
        .filter((l) => l.startsWith('! '))
        .join('\n'),
    };
  } finally {
    for (const child of children)
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    clients.destroy();
    producerKinesis.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}
