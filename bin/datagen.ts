import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compileTemplate, newFaker, TemplateError, type CompiledTemplate } from '#core/kdg-template';
import { DEFAULT_NAMES } from '#core/names';
import { commandLine, connectionOptions, helpShown, positiveNumber, UsageError } from '../cli/args';
import { describeAwsError, effectiveEndpoint, kinesisClient } from '../cli/aws';
import { interruptSignals, runMain, sleep } from '../cli/run-main';
import {
  CRON_ENV,
  cronSettingsFromEnv,
  DatagenError,
  dryRunRecords,
  helperExamples,
  helperSummary,
  partitionKeyOf,
  progressLine,
  parseTime,
  recordsPerSecond,
  runDatagen,
  simulatedRange,
  type Destination,
  type Schedule,
} from '../commands/datagen';
import { checkStream } from '../commands/producer';

/**
 * A module loaded when first needed (YAML, the schedule schema, the Firehose SDK), so that a run
 * without them starts faster. The bins run through tsx's require hook, which this goes through.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lazy = <T>(id: string): T => require(id) as T;

const DEFAULT_TEMPLATE = path.join(__dirname, '..', 'templates', 'sensor-reading.tmpl');

const USAGE = `Sends records rendered from a Kinesis Data Generator template to a Kinesis stream or a
Firehose delivery stream, as the generator does.

Usage: datagen [--stream NAME | --firehose NAME] [--template FILE | --inline TEXT]
               [--rate N | --periodic FILE] [--from TIME --to TIME] [--total N] [--dry-run]
       datagen helpers [--seed N] [--now TIME]     every helper with an example

Templates are any text with {{…}} placeholders, e.g. {{random.number({"min":-40,"max":60})}},
{{date.now("YYYY-MM-DD HH:mm:ss")}}, {{name.firstName}}; the default is the sensor reading
template shipped in templates/. As in the generator, the template is trimmed and its line
breaks removed (--keep-newlines keeps them), and each record is sent followed by a newline.

Rates: --rate N records every second (the generator's "constant" mode), or --periodic FILE, a
JSON or YAML schedule of μ and σ records per second by hour and day of week, e.g.
  {"smoothing": true, "default": {"mu": 100, "sigma": 10},
   "hours": {"0-6": {"mu": 5, "sigma": 2}}, "days": {"sat,sun": {"9-17": {"mu": 20, "sigma": 5}}}}
Hours and days are local time (set TZ to change). --from/--to (ISO 8601 or epoch ms) generate
every second of that range as fast as the destination accepts, with {{date.simTime}} the
simulated second ({{date.now}} stays the wall clock, as in the generator).

With --firehose, --endpoint-url is the Firehose endpoint (else AWS_ENDPOINT_URL_FIREHOSE,
AWS_ENDPOINT_URL, or the running npm start's).

Without --rate or --periodic, the Node producer's environment variables ${CRON_ENV.stream},
${CRON_ENV.jobs} and ${CRON_ENV.messages} (10 jobs × 10 messages every second by default)
set the pace when any of them is set.

Helpers (and every current faker method, e.g. person.jobTitle, vehicle.vin):
${helperSummary(96)}`;

function readText(what: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

function seedOption(value: string | undefined): number | undefined {
  const seed = value === undefined ? undefined : Number(value);
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new UsageError(`--seed must be a whole number, got "${value}"`);
  }
  return seed;
}

/** The --periodic file. */
function periodicSchedule(file: string): Schedule {
  const text = readText('schedule', file);
  const { parse: parseYaml } = lazy<typeof import('yaml')>('yaml');
  const { periodicRateFrom, ScheduleError } = lazy<typeof import('#core/kdg-schedule')>('#core/kdg-schedule');
  let input: unknown;
  try {
    input = parseYaml(text);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--periodic ${file}: not JSON or YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    return { kind: 'periodic', periodic: periodicRateFrom(input ?? {}) };
  } catch (error) {
    if (error instanceof ScheduleError) throw new UsageError(`--periodic ${file}: ${error.message}`);
    throw error;
  }
}

function helpersCommand(argv: string[]): number {
  const args = commandLine(argv, 'datagen helpers')
    .usage(
      'Usage: datagen helpers [--seed N] [--now TIME]\n\nEvery helper with an example and what it renders.',
    )
    .options({
      seed: { type: 'string', requiresArg: true, describe: 'Seed for reproducible values' },
      now: { type: 'string', requiresArg: true, describe: 'The time to render at (default: now)' },
    })
    .parseSync();
  if (helpShown(args)) return 0;
  const now = args.now === undefined ? Date.now() : parseTime('now', args.now);
  process.stdout.write(`${helperExamples(seedOption(args.seed), now).join('\n')}\n`);
  return 0;
}

function parseArgs(argv: string[]) {
  return commandLine(argv, 'datagen')
    .usage(USAGE)
    .options({
      stream: {
        type: 'string',
        requiresArg: true,
        describe: `Kinesis stream to put records on (default: $${CRON_ENV.stream}, else ${DEFAULT_NAMES.sensorStream})`,
      },
      firehose: {
        alias: 'delivery-stream',
        type: 'string',
        requiresArg: true,
        describe: 'Firehose delivery stream to put records on instead (PutRecordBatch)',
      },
      template: {
        type: 'string',
        requiresArg: true,
        describe: 'Template file (default: the sensor reading)',
      },
      inline: { type: 'string', requiresArg: true, describe: 'The template itself, instead of a file' },
      rate: { type: 'string', requiresArg: true, describe: 'Records per second (default 100)' },
      periodic: { type: 'string', requiresArg: true, describe: 'Periodic rate schedule file (JSON or YAML)' },
      from: { type: 'string', requiresArg: true, describe: 'Simulate from this time (with --to)' },
      to: { type: 'string', requiresArg: true, describe: 'Simulate up to this time, included' },
      total: { type: 'string', requiresArg: true, describe: 'Stop after N records (default: until Ctrl-C)' },
      'partition-key': {
        type: 'string',
        requiresArg: true,
        default: 'random',
        describe: 'random, or a field of JSON records such as sensorId (Kinesis)',
      },
      'keep-newlines': {
        type: 'boolean',
        default: false,
        describe: 'Keep the template as written (no trimming, no line breaks removed, no newline added)',
      },
      gzip: {
        type: 'boolean',
        default: false,
        describe: 'gzip each record (the generator\'s "Compress Records")',
      },
      seed: { type: 'string', requiresArg: true, describe: 'Seed for reproducible values (default: random)' },
      'dry-run': {
        type: 'boolean',
        default: false,
        describe: 'Print records (--total, default 3; a simulated range: all) instead of sending',
      },
      now: {
        type: 'string',
        requiresArg: true,
        describe: 'With --dry-run: the wall-clock time to render at',
      },
      quiet: { type: 'boolean', default: false, describe: 'No progress lines' },
      ...connectionOptions,
    })
    .conflicts('template', 'inline')
    .conflicts('stream', 'firehose')
    .conflicts('rate', 'periodic')
    .parseSync();
}

type Args = ReturnType<typeof parseArgs>;

function templateFrom(args: Args, seed: number | undefined): CompiledTemplate {
  const source = args.inline !== undefined ? '--inline' : (args.template ?? DEFAULT_TEMPLATE);
  const text = args.inline ?? readText('template', source);
  try {
    return compileTemplate(text, { seed, keepNewlines: args.keepNewlines });
  } catch (error) {
    if (error instanceof TemplateError) throw new UsageError(`template ${source}: ${error.message}`);
    throw error;
  }
}

function simulation(args: Args): { from: number; to: number } | undefined {
  return simulatedRange(args.from, args.to);
}

function scheduleFrom(args: Args): { schedule: Schedule; pace: string } {
  if (args.periodic !== undefined) {
    return { schedule: periodicSchedule(args.periodic), pace: `periodic rate (${args.periodic})` };
  }
  const cron = args.rate === undefined ? cronSettingsFromEnv(process.env) : undefined;
  if (cron) {
    const { jobs, messagesPerJob } = cron.schedule;
    return {
      schedule: cron.schedule,
      pace: `${jobs} jobs × ${messagesPerJob} messages every second (${CRON_ENV.jobs}, ${CRON_ENV.messages})`,
    };
  }
  const schedule: Schedule = {
    kind: 'rate',
    recordsPerSecond: positiveNumber('rate', { max: 100_000 })(args.rate ?? '100'),
  };
  return { schedule, pace: `${recordsPerSecond(schedule)} records/s` };
}

/** One line a person can act on, naming Firehose where the destination is one. */
function describeError(error: unknown, destination: Destination, where: string | undefined, region?: string) {
  if (destination.kind === 'stream') {
    return describeAwsError(error, { stream: destination.name, endpoint: where, region });
  }
  if ((error as { name?: string }).name === 'ResourceNotFoundException') {
    const at = where ?? `AWS${region ? ` (${region})` : ''}`;
    return `Delivery stream "${destination.name}" does not exist at ${at}. Create it or pass --firehose.`;
  }
  return describeAwsError(error, { endpoint: where, region }).replace(
    /^Cannot reach Kinesis/,
    'Cannot reach Firehose',
  );
}

async function send(args: Args, template: CompiledTemplate, seed: number | undefined, total?: number) {
  const simulate = simulation(args);
  const { schedule, pace } = scheduleFrom(args);
  const connection = { endpointUrl: args.endpointUrl, region: args.region };
  const firehose = args.firehose;
  if (firehose !== undefined && args.partitionKey !== 'random') {
    throw new UsageError('--partition-key applies to Kinesis streams; Firehose records have no key');
  }
  const keys = newFaker(seed === undefined ? undefined : seed + 1);
  const partitionKey = partitionKeyOf(args.partitionKey, () => keys.string.uuid());
  // A partition key field the records lack is a usage error, found before anything is sent.
  if (firehose === undefined) partitionKey(template.render(Date.now()));
  const stream = args.stream ?? process.env[CRON_ENV.stream]?.trim() ?? DEFAULT_NAMES.sensorStream;
  let destination: Destination;
  let where: string | undefined;
  if (firehose !== undefined) {
    // Loaded only for Firehose: runs to a Kinesis stream start faster without its SDK.
    const { firehoseClient, effectiveFirehoseEndpoint } =
      lazy<typeof import('../cli/firehose')>('../cli/firehose');
    destination = { kind: 'firehose', name: firehose, client: firehoseClient(connection) };
    where = effectiveFirehoseEndpoint(connection);
  } else {
    destination = { kind: 'stream', name: stream, client: kinesisClient(connection) };
    where = effectiveEndpoint(connection);
  }
  try {
    if (destination.kind === 'stream') await checkStream(destination.client, destination.name);
    const range = simulate
      ? `, simulating ${new Date(simulate.from).toISOString()} to ${new Date(simulate.to).toISOString()}`
      : '';
    if (!args.quiet) {
      const target = destination.kind === 'firehose' ? `delivery stream ${firehose}` : stream;
      process.stdout.write(`datagen: ${pace} to ${target}${range}${total ? `, ${total} records` : ''}\n`);
    }
    return await sendAll(args, { destination, template, schedule, total, partitionKey, simulate }, seed);
  } catch (error) {
    if (error instanceof DatagenError) {
      process.stderr.write(`${progressLine(error.stats, total)}\n`);
      throw new Error(describeError(error.cause, destination, where, args.region));
    }
    if (error instanceof UsageError) throw error;
    throw new Error(describeError(error, destination, where, args.region));
  } finally {
    destination.client.destroy();
  }
}

async function sendAll(
  args: Args,
  options: Omit<Parameters<typeof runDatagen>[0], 'encoding' | 'quiet'>,
  seed: number | undefined,
): Promise<number> {
  const signals = interruptSignals(() =>
    process.stderr.write('\nStopping: sending what is pending (Ctrl-C again to quit now)…\n'),
  );
  const random = seed === undefined ? Math.random : rateRandom(seed);
  const stats = await runDatagen(
    { ...options, encoding: { gzip: args.gzip, newline: !args.keepNewlines }, quiet: args.quiet },
    { out: (line) => process.stdout.write(line), now: Date.now, sleep, random, ...signals },
  );
  if (stats.failed > 0) {
    process.stderr.write(`datagen: ${stats.failed} records were not accepted: ${stats.firstError}\n`);
  }
  if (stats.unsent > 0) process.stderr.write(`datagen: ${stats.unsent} records were not sent\n`);
  return stats.failed > 0 || stats.unsent > 0 ? 1 : 0;
}

/** Reproducible periodic draws with --seed. */
function rateRandom(seed: number): () => number {
  const faker = newFaker(seed + 2);
  return () => faker.number.float();
}

runMain('datagen', async () => {
  const argv = process.argv.slice(2);
  if (argv[0] === 'helpers') return helpersCommand(argv.slice(1));
  const args = parseArgs(argv);
  if (helpShown(args)) return 0;

  const seed = seedOption(args.seed);
  const total = args.total === undefined ? undefined : positiveNumber('total', { integer: true })(args.total);
  const template = templateFrom(args, seed);
  if (args.now !== undefined && !args.dryRun) throw new UsageError('--now applies to --dry-run only');

  if (args.dryRun) {
    const fixed = args.now === undefined ? undefined : parseTime('now', args.now);
    const now = fixed === undefined ? Date.now : () => fixed;
    const keys = partitionKeyOf(args.partitionKey, () => 'random');
    const simulate = simulation(args);
    const { schedule } = scheduleFrom(args);
    const random = seed === undefined ? Math.random : rateRandom(seed);
    for (const record of dryRunRecords(template, schedule, now, { total, simulate, random })) {
      if (args.firehose === undefined) keys(record);
      process.stdout.write(args.keepNewlines ? record : `${record}\n`);
    }
    return 0;
  }
  return send(args, template, seed, total);
});
