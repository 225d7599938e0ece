import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { commandLine, helpShown, positiveNumber, UsageError, contextOption } from '../cli/args';
import { interruptSignals, runMain, sleep } from '../cli/run-main';
import {
  endpointsFilePath,
  PROJECT_ROOT,
  removeLocalEndpoints,
  writeLocalEndpoints,
} from '../cli/endpoints-file';
import type { Emulators } from '../local/emulators';
import { DEFAULT_ENDPOINT_PORT, DEFAULT_PORTS } from '../local/ports';
import { Faults, FaultSpecError, FAULTS, parseFault, type Fault } from '../local/faults';
import { OWN_UNICORN_NAME } from '#core/movement';
import type { LocalPipeline, PipelineStatus } from '../local/runtime';
import { dashboardPage, localAssembly } from './local-assembly';

const USAGE = `Runs the whole Wild Rydes pipeline on this machine: synthesizes the CDK app, starts Kinesis,
DynamoDB, S3 and SQS emulators on 127.0.0.1, creates what the templates declare, runs every Lambda
function from its own bundle, drives the event sources and Firehose delivery streams, and flies a
few unicorns. Ctrl-C stops everything.

Usage: npm start -- [--unicorns N] [--window-seconds S] [--fresh] [--no-limits]
                    [--batching-window-seconds S] [--buffer-seconds S]
                    [--fault NAME[:PERCENT][@TARGET][?PARAMETER=VALUE&...] ...] [-c key=value ...]

Faults by AWS Fault Injection Service's action names (add or clear them while it runs with
npm run fault): ${Object.keys(FAULTS).join(', ')}.`;

const LOCAL_DIR = path.join(PROJECT_ROOT, '.local');

/**
 * The assembly to run (the one given, the last one when nothing changed, or a new synth) and
 * the emulators, started while the CDK CLI synthesizes; if the synth fails they are stopped.
 */
async function assemblyAndEmulators(
  given: string | undefined,
  context: readonly string[],
  dataDir: string,
  ports: Record<keyof typeof DEFAULT_PORTS, number>,
): Promise<{ assemblyDir: string; emulators: Promise<Emulators> }> {
  const outDir = path.join(LOCAL_DIR, 'cdk.out');
  const assembly = given
    ? Promise.resolve(given)
    : localAssembly(outDir, context, {
        synthesizing: () => process.stderr.write('Synthesizing the CDK app…\n'),
      }).then(({ dir, reused }) => {
        if (reused)
          process.stderr.write(
            `Nothing changed since the last synth: running ${path.relative(process.cwd(), dir)}\n`,
          );
        return dir;
      });
  // Loaded once the CDK CLI is at work (the emulators' packages take a while to load).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startEmulators } = require('../local/emulators') as typeof import('../local/emulators');
  const emulators = startEmulators({ dataDir, ports });
  const [assemblyResult, emulatorsResult] = await Promise.allSettled([assembly, emulators]);
  if (assemblyResult.status === 'rejected') {
    if (emulatorsResult.status === 'fulfilled') await emulatorsResult.value.stop();
    throw assemblyResult.reason;
  }
  return { assemblyDir: assemblyResult.value, emulators };
}

function statusLine(status: PipelineStatus, started: number): string {
  const seconds = Math.round((Date.now() - started) / 1000);
  // One figure per kind of consumer, summed over the stacks (a workshop runs several).
  const totals = new Map<string, number>();
  for (const c of status.consumers) totals.set(c.label, (totals.get(c.label) ?? 0) + c.records);
  const consumers = [...totals].map(([label, records]) => `${label} ${records}`).join(' · ');
  const workloads = Object.entries(status.workloads).map(([label, n]) => `${label} ${n}`);
  // The template's alarms in ALARM, by their logical name (`WildRydes-MonitoringTelemetryErrorsAB12CD34` → `TelemetryErrors`).
  const alarming = status.alarms
    .filter((a) => a.state === 'ALARM')
    .map((a) => a.name.replace(/^.*?-(Monitoring)?/, '').replace(/[0-9A-F]{8}$/, ''));
  return [
    `${seconds}s`,
    ...workloads,
    consumers,
    `objects delivered ${status.objects}`,
    `errors ${status.errors}`,
    alarming.length > 0 ? `ALARM ${alarming.join(', ')}` : '',
    ...(status.faults.length > 0 ? [`faults ${status.faults.join(', ')}`] : []),
  ]
    .filter(Boolean)
    .join(' · ');
}

const OPTIONS = {
  unicorns: { type: 'string', requiresArg: true, default: '3', describe: 'Unicorns to fly (0 for none)' },
  'window-seconds': {
    type: 'string',
    requiresArg: true,
    describe: "Tumbling window length for demos and tests (default: the template's)",
  },
  'batching-window-seconds': {
    type: 'string',
    requiresArg: true,
    describe: "How long the event sources gather a batch, for demos and tests (default: the template's)",
  },
  'buffer-seconds': {
    type: 'string',
    requiresArg: true,
    describe: "How long the delivery streams buffer before writing to S3 (default: the template's)",
  },
  fresh: {
    type: 'boolean',
    default: false,
    describe: 'Wipe the local data (streams, tables, buckets) first',
  },
  ...contextOption,
  assembly: {
    type: 'string',
    requiresArg: true,
    describe: 'Run this synthesized cloud assembly instead of synthesizing',
  },
  'port-base': {
    type: 'string',
    requiresArg: true,
    default: String(DEFAULT_ENDPOINT_PORT),
    describe:
      'First of six ports: the AWS endpoint, the Kinesis, DynamoDB, S3 and SQS emulators behind it, then the dashboard (0: any free ones)',
  },
  limits: {
    type: 'boolean',
    default: true,
    describe: "Enforce Kinesis's per-shard limits (--no-limits: none, for benchmarks)",
  },
  fault: {
    type: 'string',
    array: true,
    requiresArg: true,
    default: [] as string[],
    describe: 'Inject a fault from the start (repeatable): NAME[:PERCENT][@TARGET][?PARAMETER=VALUE&...]',
  },
  'data-dir': {
    type: 'string',
    requiresArg: true,
    default: path.join(LOCAL_DIR, 'data'),
    describe: 'Where emulator data, positions and function logs are kept',
  },
} as const;

function parseArgs(argv: readonly string[]) {
  return commandLine(argv, 'npm start --').usage(USAGE).options(OPTIONS).parseSync();
}
type Args = ReturnType<typeof parseArgs>;

/** The command line's numbers and faults, each checked. */
interface LocalSettings {
  readonly unicorns: number;
  readonly windowSeconds?: number;
  readonly batchingWindowSeconds?: number;
  readonly bufferIntervalSeconds?: number;
  /** The first of six ports; 0: any free ones. */
  readonly portBase: number;
  readonly faults: readonly Fault[];
}

function localSettings(args: Args): LocalSettings {
  const unicorns =
    args.unicorns === '0' ? 0 : positiveNumber('unicorns', { integer: true, max: 10_000 })(args.unicorns);
  const windowSeconds =
    args.windowSeconds === undefined
      ? undefined
      : positiveNumber('window-seconds', { max: 900 })(args.windowSeconds);
  // Lambda's MaximumBatchingWindowInSeconds is at most 300, Firehose's buffering interval 900.
  const batchingWindowSeconds =
    args.batchingWindowSeconds === undefined
      ? undefined
      : positiveNumber('batching-window-seconds', { max: 300 })(args.batchingWindowSeconds);
  const bufferIntervalSeconds =
    args.bufferSeconds === undefined
      ? undefined
      : positiveNumber('buffer-seconds', { max: 900 })(args.bufferSeconds);
  const portBase =
    args.portBase === '0' ? 0 : positiveNumber('port-base', { integer: true, max: 65_531 })(args.portBase);
  let faults: Fault[];
  try {
    faults = args.fault.map(parseFault);
  } catch (error) {
    if (error instanceof FaultSpecError) throw new UsageError(error.message);
    throw error;
  }
  for (const c of args.context) {
    if (!/^[\w:@/.-]+=/.test(c)) throw new UsageError(`-c takes key=value, got "${c}"`);
  }
  return { unicorns, windowSeconds, batchingWindowSeconds, bufferIntervalSeconds, portBase, faults };
}

interface RunningPipeline {
  readonly pipeline: LocalPipeline;
  readonly assemblyDir: string;
  /** Where the Unicorn Dashboard is served, when the assembly has one. */
  readonly dashboardUrl?: string;
}

/**
 * Synthesizes (or reuses) the assembly while the emulators start, then starts the pipeline
 * with its workloads: the unicorn fleet, the web server's logs and the dashboard. What goes
 * wrong while it runs is added to `problems`.
 */
async function startPipeline(
  args: Args,
  settings: LocalSettings,
  dataDir: string,
  problems: string[],
): Promise<RunningPipeline> {
  const port = (offset: number) => (settings.portBase === 0 ? 0 : settings.portBase + offset);
  const ports = { kinesis: port(1), dynamodb: port(2), s3: port(3), sqs: port(4) };
  const preparing = assemblyAndEmulators(args.assembly, args.context, dataDir, ports);
  // Loaded while the CDK CLI synthesizes, rather than before it starts.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { startLocalPipeline } = require('../local/runtime') as typeof import('../local/runtime');
  const workloads = require('./local-workloads') as typeof import('./local-workloads');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { DASHBOARD, unicornDashboard, unicornFleet, webServerLogs } = workloads;
  const { assemblyDir, emulators } = await preparing;
  const report = (message: string) => problems.push(message);
  const pipeline = await startLocalPipeline({
    limits: args.limits,
    faults: new Faults(settings.faults, { log: report }),
    assemblyDir,
    dataDir,
    emulators,
    windowSeconds: settings.windowSeconds,
    batchingWindowSeconds: settings.batchingWindowSeconds,
    bufferIntervalSeconds: settings.bufferIntervalSeconds,
    ports,
    endpointPort: port(0),
    workloads: [
      unicornFleet(settings.unicorns),
      webServerLogs(),
      unicornDashboard(port(5), {}, dashboardPage(assemblyDir)),
    ],
    log: report,
    alarmLog: report,
  });
  return { pipeline, assemblyDir, dashboardUrl: pipeline.urls[DASHBOARD] };
}

/** What the CLIs need to find the running pipeline by themselves. */
function endpointsOf(
  { pipeline, assemblyDir, dashboardUrl }: RunningPipeline,
  windowSeconds: number | undefined,
  dataDir: string,
) {
  return {
    pid: process.pid,
    region: pipeline.region,
    endpoint: pipeline.endpoint,
    ...pipeline.endpoints,
    dashboard: dashboardUrl,
    stacks: Object.fromEntries(pipeline.stacks.map((s) => [s.stackName, s.outputs])),
    ...(windowSeconds === undefined ? {} : { windowSeconds }),
    dataDir,
    assemblyDir: path.resolve(assemblyDir),
  };
}

/** What runs where, and what to try first. */
function banner(
  { pipeline, dashboardUrl }: RunningPipeline,
  options: { started: number; endpointsFile?: string; windowSeconds?: number; dataDir: string },
): string {
  const first = pipeline.stacks[0]?.outputs ?? {};
  return [
    `Local Wild Rydes pipeline is running (${((Date.now() - options.started) / 1000).toFixed(1)} s to start).`,
    ...(dashboardUrl ? [`  Dashboard ${dashboardUrl}`] : []),
    `  AWS endpoint  ${pipeline.endpoint}   (export AWS_ENDPOINT_URL=${pipeline.endpoint}; any credentials)`,
    ...(options.endpointsFile
      ? [
          `  Endpoints written to ${path.relative(process.cwd(), options.endpointsFile)}; the producer and consumer use them by default.`,
        ]
      : []),
    // The summaries when the aggregation lab is deployed, else the telemetry itself.
    first.SummaryStreamName
      ? `  Try:  npx consumer -stream ${first.SummaryStreamName}     (summaries every ${options.windowSeconds ?? 60} s)`
      : `  Try:  npx consumer -stream ${first.StreamName ?? 'wildrydes'}     (the unicorns' status records)`,
    `        npx producer -name ${OWN_UNICORN_NAME}`,
    `  Function logs: ${path.relative(process.cwd(), path.join(options.dataDir, 'logs'))}/   Ctrl-C to stop.`,
    '',
  ].join('\n');
}

/**
 * Until Ctrl-C: each problem on a line of its own as it comes, and the status line, rewritten
 * every second on a terminal, else printed every ten seconds.
 */
async function showStatusUntilInterrupted(pipeline: LocalPipeline, problems: string[], started: number) {
  const out = process.stdout;
  const { stop } = interruptSignals();
  const tty = out.isTTY === true;
  let lastPrinted = 0;
  while (!stop.aborted) {
    await sleep(1000, stop);
    while (problems.length > 0) out.write(`${tty ? '\r\x1b[K' : ''}! ${problems.shift()}\n`);
    const line = statusLine(pipeline.status(), started);
    if (tty) out.write(`\r\x1b[K${line}`);
    else if (Date.now() - lastPrinted >= 10_000) {
      out.write(`${line}\n`);
      lastPrinted = Date.now();
    }
  }
  out.write(`${tty ? '\n' : ''}Stopping: sending what is pending, saving positions…\n`);
}

runMain('local', async () => {
  const args = parseArgs(process.argv.slice(2));
  if (helpShown(args)) return 0;
  const settings = localSettings(args);

  const started = Date.now();
  const dataDir = path.resolve(args.dataDir);
  if (args.fresh) rmSync(dataDir, { recursive: true, force: true });
  const problems: string[] = [];
  const running = await startPipeline(args, settings, dataDir, problems);
  const { pipeline } = running;
  // The endpoints file (WILDRYDES_ENDPOINTS_FILE may move it, or turn it off with `none`).
  const endpointsFile = endpointsFilePath();
  if (endpointsFile)
    writeLocalEndpoints(endpointsFile, endpointsOf(running, settings.windowSeconds, dataDir));
  process.stdout.write(
    banner(running, { started, endpointsFile, windowSeconds: settings.windowSeconds, dataDir }),
  );

  await showStatusUntilInterrupted(pipeline, problems, started);
  await pipeline.stop();
  if (endpointsFile) removeLocalEndpoints(endpointsFile);
  process.stdout.write(`${statusLine(pipeline.status(), started)}\nStopped.\n`);
  return 0;
});
