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
  const soak = await Soak.prepare(settings);
  try {
    return await soak.run();
  } finally {
    await soak.cleanUp();
  }
}

/** The runtime's command line: the soak's assembly, data folder, ports and timings, no unicorns of its own. */
const runtimeArgs = (settings: SoakSettings, dataDir: string, portBase: number) => [
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
];

/** The log agent's configuration: one flow from the log file and its rotations to the stream. */
const agentConfig = (logDir: string, logFile: string) =>
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
  });

/**
 * Log lines of the phase's own, well-formed statuses of three unicorns (`P03a1` to `P03a3`), each
 * call going on where the last stopped and counting what it wrote as put.
 */
function agentLines(phase: SoakPhase): (count: number) => string {
  let line = 0;
  return (count) => {
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
}

/** One soak run: its folder, its endpoint, the processes it started and the phases it went through. */
class Soak {
  private readonly log: (line: string) => void;
  private readonly dataDir: string;
  private readonly endpointsFile: string;
  private readonly endpoint: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly children: Child[] = [];
  private runtime: Child | undefined;
  /** The output of every process that has ended. */
  private transcript = '';
  private readonly startedAt = Date.now();
  private readonly clients: LocalClients;
  /** The producer command's own client (three attempts, then the producer's retries). */
  private readonly producerKinesis: KinesisClient;
  private readonly phases: SoakPhase[] = [];

  /** A folder of its own and six free ports for the runtime. */
  static async prepare(settings: SoakSettings): Promise<Soak> {
    const work = mkdtempSync(path.join(tmpdir(), 'soak-'));
    return new Soak(settings, work, await freePortBase());
  }

  private constructor(
    private readonly settings: SoakSettings,
    private readonly work: string,
    private readonly portBase: number,
  ) {
    this.log = settings.log ?? (() => undefined);
    this.dataDir = path.join(work, 'data');
    this.endpointsFile = path.join(work, 'endpoints.json');
    this.endpoint = `http://127.0.0.1:${portBase}`;
    this.env = cleanEnv({ WILDRYDES_ENDPOINTS_FILE: this.endpointsFile });
    this.clients = localClients('us-east-1', this.endpoint);
    this.producerKinesis = new KinesisClient({
      ...clientConfig({ endpointUrl: this.endpoint, region: 'us-east-1' }, 'KINESIS', {}),
      credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
    });
  }

  /** The phases in turn, then the oracle's verdict and a clean stop of the runtime. */
  async run(): Promise<SoakRun> {
    await this.startRuntime();
    await this.baselinePhase();
    // The agent's restarts take seconds each: they happen while the faults come and go, and
    // are over before the runtime is killed (an agent whose put was answered by a dying
    // endpoint would send it again, as the Kinesis Agent does).
    await Promise.all([this.agentPhase(this.newPhase(AGENT_PHASE)), this.faultPhases()]);
    await this.killPhase(EARLY_KILL_PHASE, 0.4);
    await this.killPhase(LATE_KILL_PHASE, 0.95);
    const verdict = await this.judge();
    const stoppedCleanly = await this.stopRuntime();
    return {
      verdict,
      seconds: (Date.now() - this.startedAt) / 1000,
      stoppedCleanly,
      output: this.transcript
        .split('\n')
        .filter((l) => l.startsWith('! '))
        .join('\n'),
    };
  }

  /** Kills whatever still runs, waits for every process and removes the soak's folder. */
  async cleanUp(): Promise<void> {
    for (const child of this.children)
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
    await Promise.all(this.children.map((c) => c.exited));
    this.clients.destroy();
    this.producerKinesis.destroy();
    rmSync(this.work, { recursive: true, force: true });
  }

  private async startRuntime(): Promise<void> {
    this.runtime = this.spawn('local', runtimeArgs(this.settings, this.dataDir, this.portBase), this.env);
    await waitForOutput(this.runtime, /Local Wild Rydes pipeline is running/, 120_000);
  }

  private async killRuntime(): Promise<void> {
    const dying = this.runtime!;
    this.transcript += dying.output();
    dying.process.kill('SIGKILL');
    await dying.exited;
  }

  /** Stops the runtime with SIGINT; whether it exited 0. */
  private async stopRuntime(): Promise<boolean> {
    const last = this.runtime!;
    last.process.kill('SIGINT');
    const stoppedCleanly = (await last.exited) === 0;
    this.transcript += last.output();
    return stoppedCleanly;
  }

  private spawn(bin: string, args: string[], env: NodeJS.ProcessEnv): Child {
    const child = spawnBin(bin, args, env);
    this.children.push(child);
    return child;
  }

  /** Adds or clears faults through the runtime's LocalFaults API. */
  private async faults(operation: 'Add' | 'Clear', body: object): Promise<void> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `LocalFaults.${operation}`,
      },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`LocalFaults.${operation}: HTTP ${response.status} ${await response.text()}`);
  }

  private newPhase(label: string): SoakPhase {
    const phase: SoakPhase = {
      label,
      tag: `P${String(this.phases.length + 1).padStart(2, '0')}`,
      put: 0,
      malformedPut: [],
    };
    this.phases.push(phase);
    return phase;
  }

  /** Flies the phase's unicorns for `seconds` with the producer command's code, counting what Kinesis took. */
  private async fly(phase: SoakPhase, seconds: number): Promise<void> {
    const { unicorns, ratePerUnicorn } = this.settings;
    const count = Math.max(1, Math.round(seconds * ratePerUnicorn));
    const names = Array.from({ length: unicorns }, (_, i) => `${phase.tag}u${i + 1}`);
    const stats = await runProducer(
      { stream: STREAM, names, rate: ratePerUnicorn, count, seed: this.phases.length, quiet: true },
      {
        kinesis: this.producerKinesis,
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
  }

  /** Malformed records of the phase's own: cut-short JSON and a status with a field wrong. */
  private async putMalformed(phase: SoakPhase): Promise<void> {
    for (let i = 1; i <= this.settings.malformedPerPhase; i++) {
      const name = `${phase.tag}bad${i}`;
      const text =
        i % 2 === 1
          ? `{"Name":"${name}","StatusTime":`
          : JSON.stringify({ Name: name, StatusTime: 'yesterday', Latitude: 1, Longitude: 2 });
      await this.putUntilTaken(name, text);
      phase.put += 1;
      phase.malformedPut.push(text);
    }
  }

  /** Puts one record until Kinesis takes it: the faults in force refuse some requests. */
  private async putUntilTaken(partitionKey: string, text: string): Promise<void> {
    for (;;) {
      try {
        const out = await this.producerKinesis.send(
          new PutRecordsCommand({
            StreamName: STREAM,
            Records: [{ PartitionKey: partitionKey, Data: Buffer.from(text) }],
          }),
        );
        if (!out.FailedRecordCount) return;
      } catch {
        // The faults in force refuse some requests: the record is put again.
      }
      await sleep(100);
    }
  }

  /** No fault: what every other phase is measured against. */
  private async baselinePhase(): Promise<void> {
    const baseline = this.newPhase('none');
    this.log(`soak: ${baseline.tag} none`);
    await Promise.all([this.fly(baseline, this.settings.faultSeconds), this.putMalformed(baseline)]);
  }

  /** Every fault of SOAK_FAULTS in turn, a phase each. */
  private async faultPhases(): Promise<void> {
    for (const spec of SOAK_FAULTS) await this.faultPhase(spec);
  }

  private async faultPhase(spec: string): Promise<void> {
    const phase = this.newPhase(spec);
    this.log(`soak: ${phase.tag} ${spec}`);
    await this.faults('Add', { Faults: [spec] });
    await Promise.all([this.fly(phase, this.settings.faultSeconds), this.putMalformed(phase)]);
    await this.faults('Clear', {});
  }

  /** Records into a window, then a SIGKILL of the runtime `killAt` of the way into it, and a restart. */
  private async killPhase(label: string, killAt: number): Promise<void> {
    const { windowSeconds } = this.settings;
    const phase = this.newPhase(label);
    this.log(`soak: ${phase.tag} ${label}`);
    // Records from the window's start to well before the kill: invocations with state saved.
    await untilWindowAt(0.02, windowSeconds);
    await Promise.all([this.fly(phase, windowSeconds * (killAt - 0.25)), this.putMalformed(phase)]);
    if (windowFraction(Date.now(), windowSeconds) < killAt) await untilWindowAt(killAt, windowSeconds);
    await this.killRuntime();
    await this.startRuntime();
  }

  /** Runs beside the fault phases: the agent ships through them as a web server's agent would. */
  private async agentPhase(phase: SoakPhase): Promise<void> {
    this.log(`soak: ${phase.tag} ${phase.label}`);
    const logDir = path.join(this.work, 'agent');
    const logFile = path.join(logDir, 'app.log');
    const config = path.join(this.work, 'agent.json');
    mkdirSync(logDir, { recursive: true });
    writeFileSync(config, agentConfig(logDir, logFile));
    const lines = agentLines(phase);
    // One environment (and home folder) for both of the agent's runs.
    const env = cleanEnv({ AWS_ACCESS_KEY_ID: 'soak', AWS_SECRET_ACCESS_KEY: 'soak' });
    const stretch = this.settings.agentLinesPerStretch;

    writeFileSync(logFile, lines(stretch));
    const first = await this.startAgent(config, env);
    await sleep(1_500);
    // Rotated as logrotate does by default: renamed, and a new file started.
    renameSync(logFile, `${logFile}.1`);
    writeFileSync(logFile, lines(stretch));
    await this.stopAgent(first);
    appendFileSync(logFile, lines(stretch));
    const malformed = `{"Name":"${phase.tag}bad1","StatusTime":`;
    appendFileSync(logFile, `${malformed}\n`);
    phase.put += 1;
    phase.malformedPut.push(malformed);
    const second = await this.startAgent(config, env);
    await sleep(2_000);
    await this.stopAgent(second);
  }

  private async startAgent(config: string, env: NodeJS.ProcessEnv): Promise<Child> {
    const agent = this.spawn(
      'log-agent',
      ['--config', config, '--endpoint-url', this.endpoint, '--region', 'us-east-1'],
      env,
    );
    await waitForOutput(agent, /file(s)? matching/, 60_000);
    return agent;
  }

  private async stopAgent(agent: Child): Promise<void> {
    agent.process.kill('SIGINT');
    const code = await agent.exited;
    this.transcript += agent.output();
    if (code !== 0) throw new Error(`the log agent exited ${code}:\n${agent.output()}`);
  }

  /** The oracle's verdict on everything the phases put, read back from the runtime's endpoint. */
  private async judge(): Promise<SoakVerdict> {
    const endpoints = JSON.parse(readFileSync(this.endpointsFile, 'utf8')) as {
      stacks: Record<string, Record<string, string>>;
    };
    const outputs = Object.values(endpoints.stacks).find((o) => o.StreamName === STREAM)!;
    return judgeSoak(
      {
        clients: this.clients,
        stream: STREAM,
        bucket: outputs.DataLakeBucketName,
        table: outputs.SummaryTableName,
        windowSeconds: this.settings.windowSeconds,
        settleTimeoutMs: this.settings.settleTimeoutMs,
        quietMs: this.settings.quietMs ?? 1_000,
        log: this.log,
      },
      this.phases,
    );
  }
}
