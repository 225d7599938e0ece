import { UNICORN_NAMES } from '#core/movement';
import { DEFAULT_NAMES } from '#core/names';
import { commandLine, connectionOptions, helpShown, positiveNumber, UsageError, yesNo } from '../cli/args';
import { describeAwsError, effectiveEndpoint, kinesisClient } from '../cli/aws';
import {
  checkStream,
  DEFAULT_BUFFER_RECORDS,
  ProducerError,
  runProducer,
  type ProducerIO,
  type ProducerOptions,
  type ProducerStats,
} from '../commands/producer';
import { interruptSignals, runMain, sleep } from '../cli/run-main';

const USAGE = `Puts simulated unicorn telemetry on a Kinesis stream: one JSON record per second per unicorn.

Usage: producer [-name NAME] [-stream STREAM] [--fleet N] [--rate R] [--count N | --duration S]

The workshop's spellings work as they are: producer -name Bucephalus; so do --name and --stream.`;

function summary(stats: ProducerStats, stream: string): string {
  const seconds = stats.elapsedMs / 1000;
  const parts = [
    `sent ${stats.sent}`,
    `retried ${stats.retried}`,
    `failed ${stats.failed}`,
    ...(stats.unsent ? [`not sent ${stats.unsent}`] : []),
    ...(stats.retried ? [`most held at once ${stats.bufferedPeak}`] : []),
    ...(stats.malformed ? [`malformed on purpose ${stats.malformed}`] : []),
  ];
  const rate = seconds >= 1 ? ` (${(stats.sent / seconds).toFixed(1)} records/s)` : '';
  return `${parts.join(', ')} to ${stream} in ${seconds.toFixed(1)} s${rate}`;
}

const OPTIONS = {
  name: {
    type: 'string',
    requiresArg: true,
    default: UNICORN_NAMES[0],
    describe: 'Unicorn name (the partition key)',
  },
  stream: {
    type: 'string',
    default: DEFAULT_NAMES.telemetryStream,
    describe: 'Stream to put records on',
  },
  fleet: {
    type: 'string',
    requiresArg: true,
    default: '1',
    describe: 'Simulate N unicorns named NAME-1 … NAME-N',
  },
  rate: {
    type: 'string',
    requiresArg: true,
    default: '1',
    describe: 'Records per second per unicorn (up to 1000)',
  },
  count: { type: 'string', requiresArg: true, describe: 'Stop after N records per unicorn' },
  duration: { type: 'string', requiresArg: true, describe: 'Stop after S seconds' },
  error: { type: 'string', describe: 'yes: make every Nth record malformed, to watch the failure path' },
  'error-every': { type: 'string', requiresArg: true, default: '10', describe: 'N for --error' },
  seed: {
    type: 'string',
    requiresArg: true,
    describe: 'Seed for start positions and paths (default: random)',
  },
  quiet: { type: 'boolean', default: false, describe: 'No dot per record' },
  buffer: {
    type: 'string',
    requiresArg: true,
    default: String(DEFAULT_BUFFER_RECORDS),
    describe:
      'Records held while Kinesis does not take them (throttled, or unreachable); when full, producing pauses',
  },
  ...connectionOptions,
} as const;

function parseArgs(argv: readonly string[]) {
  return commandLine(argv, 'producer').usage(USAGE).options(OPTIONS).parseSync();
}
type Args = ReturnType<typeof parseArgs>;

/** What to produce, from the command line, each setting checked. */
function producerOptions(args: Args): ProducerOptions {
  const fleet = positiveNumber('fleet', { integer: true, max: 100_000 })(args.fleet);
  const rate = positiveNumber('rate', { max: 1000 })(args.rate);
  const count = args.count === undefined ? undefined : positiveNumber('count', { integer: true })(args.count);
  const duration = args.duration === undefined ? undefined : positiveNumber('duration')(args.duration);
  const errors = args.error === undefined ? false : yesNo('error')(args.error);
  const errorEvery = positiveNumber('error-every', { integer: true })(args.errorEvery);
  const bufferRecords = positiveNumber('buffer', { integer: true, max: 10_000_000 })(args.buffer);
  const seed = args.seed === undefined ? undefined : Number(args.seed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new UsageError(`--seed must be a whole number, got "${args.seed}"`);
  if (errors && errorEvery < 2) throw new UsageError('--error-every must be at least 2');
  if (args.name.trim() === '' || args.name.length > 240)
    throw new UsageError('--name must be 1 to 240 characters');
  return {
    stream: args.stream,
    names: fleetNames(args.name, fleet),
    rate,
    count,
    durationSeconds: duration,
    errorEvery: errors ? errorEvery : undefined,
    seed,
    quiet: args.quiet,
    bufferRecords,
  };
}

/** One unicorn keeps its name; a fleet is NAME-1 … NAME-N, numbers padded so they sort. */
function fleetNames(name: string, fleet: number): string[] {
  return fleet === 1
    ? [name]
    : Array.from({ length: fleet }, (_, i) => `${name}-${String(i + 1).padStart(String(fleet).length, '0')}`);
}

/** Produces until done or stopped; prints the summary and says why when records were not taken. */
async function produce(
  options: ProducerOptions,
  io: ProducerIO,
  context: Parameters<typeof describeAwsError>[1],
): Promise<number> {
  const endLine = () => {
    if (!options.quiet) process.stdout.write('\n');
  };
  try {
    const stats = await runProducer(options, io);
    endLine();
    process.stderr.write(`${summary(stats, options.stream)}\n`);
    if (stats.failed > 0)
      process.stderr.write(`producer: ${stats.failed} records were not accepted: ${stats.firstError}\n`);
    return stats.failed > 0 || stats.unsent > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ProducerError) {
      endLine();
      process.stderr.write(`${summary(error.stats, options.stream)}\n`);
      throw new Error(describeAwsError(error.cause, context));
    }
    throw error;
  }
}

runMain('producer', async () => {
  const args = parseArgs(process.argv.slice(2));
  if (helpShown(args)) return 0;
  const options = producerOptions(args);
  const connection = { endpointUrl: args.endpointUrl, region: args.region };
  const kinesis = kinesisClient(connection);
  const context = { stream: args.stream, endpoint: effectiveEndpoint(connection), region: args.region };
  try {
    await checkStream(kinesis, args.stream);
  } catch (error) {
    throw new Error(describeAwsError(error, context));
  }

  const signals = interruptSignals(() =>
    process.stderr.write('\nStopping: sending what is pending (Ctrl-C again to quit now)…\n'),
  );
  const io: ProducerIO = {
    kinesis,
    out: (text: string) => process.stdout.write(text),
    report: (line: string) => process.stderr.write(`${args.quiet ? '' : '\n'}producer: ${line}\n`),
    now: Date.now,
    sleep,
    ...signals,
  };
  try {
    return await produce(options, io, context);
  } finally {
    kinesis.destroy();
  }
});
