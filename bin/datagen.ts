import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compileTemplate, newFaker, TemplateError } from '#core/kdg-template';
import { DEFAULT_NAMES } from '#core/names';
import { commandLine, connectionOptions, helpShown, positiveNumber, UsageError } from '../cli/args';
import { describeAwsError, effectiveEndpoint, kinesisClient } from '../cli/aws';
import {
  CRON_ENV,
  cronSettingsFromEnv,
  DatagenError,
  partitionKeyOf,
  progressLine,
  recordsPerSecond,
  runDatagen,
  type Schedule,
} from '../commands/datagen';
import { checkStream } from '../commands/producer';
import { interruptSignals, runMain, sleep } from '../cli/run-main';

const DEFAULT_TEMPLATE = path.join(__dirname, '..', 'templates', 'sensor-reading.tmpl');

const USAGE = `Puts records rendered from a Kinesis Data Generator template on a Kinesis stream.

Usage: datagen [--stream NAME] [--template FILE | --inline TEXT] [--rate N] [--total N]

Templates are any text with {{…}} placeholders, e.g. {{random.number({"min":-40,"max":60})}},
{{date.now("YYYY-MM-DD HH:mm:ss")}}, {{name.firstName}}; the default is the sensor reading
template shipped in templates/. Without --rate, the Node producer's environment variables
${CRON_ENV.stream}, ${CRON_ENV.jobs} and ${CRON_ENV.messages} (10 jobs × 10 messages
every second by default) set the pace when any of them is set.`;

function readTemplate(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read template ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

runMain('datagen', async () => {
  const args = commandLine(process.argv.slice(2), 'datagen')
    .usage(USAGE)
    .options({
      stream: {
        type: 'string',
        requiresArg: true,
        describe: `Stream to put records on (default: $${CRON_ENV.stream}, else ${DEFAULT_NAMES.sensorStream})`,
      },
      template: {
        type: 'string',
        requiresArg: true,
        describe: 'Template file (default: the sensor reading template)',
      },
      inline: { type: 'string', requiresArg: true, describe: 'The template itself, instead of a file' },
      rate: { type: 'string', requiresArg: true, describe: 'Records per second (default 100)' },
      total: { type: 'string', requiresArg: true, describe: 'Stop after N records (default: until Ctrl-C)' },
      'partition-key': {
        type: 'string',
        requiresArg: true,
        default: 'random',
        describe: 'random, or a field of JSON records such as sensorId',
      },
      seed: { type: 'string', requiresArg: true, describe: 'Seed for reproducible values (default: random)' },
      'dry-run': {
        type: 'boolean',
        default: false,
        describe: 'Print records (--total, default 3) instead of sending',
      },
      quiet: { type: 'boolean', default: false, describe: 'No progress lines' },
      ...connectionOptions,
    })
    .conflicts('template', 'inline')
    .parseSync();
  if (helpShown(args)) return 0;

  const seed = args.seed === undefined ? undefined : Number(args.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new UsageError(`--seed must be a whole number, got "${args.seed}"`);
  }
  const total = args.total === undefined ? undefined : positiveNumber('total', { integer: true })(args.total);

  const source = args.inline !== undefined ? '--inline' : (args.template ?? DEFAULT_TEMPLATE);
  const text = args.inline ?? readTemplate(source);
  let template;
  try {
    template = compileTemplate(text, { seed });
  } catch (error) {
    if (error instanceof TemplateError) throw new UsageError(`template ${source}: ${error.message}`);
    throw error;
  }
  const keys = newFaker(seed === undefined ? undefined : seed + 1);
  const partitionKey = partitionKeyOf(args.partitionKey, () => keys.string.uuid());

  if (args.dryRun) {
    for (let i = 0; i < (total ?? 3); i++) {
      const record = template.render(Date.now());
      partitionKey(record);
      process.stdout.write(`${record}\n`);
    }
    return 0;
  }
  // A partition key field the records lack is a usage error, found before anything is sent.
  partitionKey(template.render(Date.now()));

  const cron = args.rate === undefined ? cronSettingsFromEnv(process.env) : undefined;
  const schedule: Schedule = cron?.schedule ?? {
    kind: 'rate',
    recordsPerSecond: positiveNumber('rate', { max: 100_000 })(args.rate ?? '100'),
  };
  const stream = args.stream ?? process.env[CRON_ENV.stream]?.trim() ?? DEFAULT_NAMES.sensorStream;

  const connection = { endpointUrl: args.endpointUrl, region: args.region };
  const kinesis = kinesisClient(connection);
  const context = { stream, endpoint: effectiveEndpoint(connection), region: args.region };
  try {
    await checkStream(kinesis, stream);
  } catch (error) {
    kinesis.destroy();
    throw new Error(describeAwsError(error, context));
  }

  const pace =
    schedule.kind === 'cron'
      ? `${schedule.jobs} jobs × ${schedule.messagesPerJob} messages every second (${CRON_ENV.jobs}, ${CRON_ENV.messages})`
      : `${recordsPerSecond(schedule)} records/s`;
  if (!args.quiet)
    process.stdout.write(`datagen: ${pace} to ${stream}${total ? `, ${total} records` : ''}\n`);

  const signals = interruptSignals(() =>
    process.stderr.write('\nStopping: sending what is pending (Ctrl-C again to quit now)…\n'),
  );
  try {
    const stats = await runDatagen(
      { stream, template, schedule, total, partitionKey, quiet: args.quiet },
      { kinesis, out: (line) => process.stdout.write(line), now: Date.now, sleep, ...signals },
    );
    if (stats.failed > 0) {
      process.stderr.write(`datagen: ${stats.failed} records were not accepted: ${stats.firstError}\n`);
    }
    if (stats.unsent > 0) process.stderr.write(`datagen: ${stats.unsent} records were not sent\n`);
    return stats.failed > 0 || stats.unsent > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof DatagenError) {
      process.stderr.write(`${progressLine(error.stats, total)}\n`);
      throw new Error(describeAwsError(error.cause, context));
    }
    throw error;
  } finally {
    kinesis.destroy();
  }
});
