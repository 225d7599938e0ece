import { DEFAULT_NAMES } from '#core/names';
import { commandLine, connectionOptions, helpShown, UsageError } from '../cli/args';
import { describeAwsError, effectiveEndpoint, kinesisClient } from '../cli/aws';
import { runConsumer, type StartPosition } from '../commands/consumer';
import { interruptSignals, runMain, sleep } from '../cli/run-main';

const USAGE = `Prints every record arriving on a Kinesis stream, across all of its shards.

Usage: consumer [-stream STREAM] [--from latest|trim-horizon|ISO-TIME] [--ndjson]

The workshop's spellings work as they are: consumer -stream wildrydes-summary; so does --stream.`;

function startPosition(text: string): StartPosition {
  if (text === 'latest' || text === 'trim-horizon') return text;
  const time = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time.getTime())) {
    throw new UsageError(
      `--from must be latest, trim-horizon or an ISO time such as 2026-11-22T10:00:00Z, got "${text}"`,
    );
  }
  return time;
}

runMain('consumer', async () => {
  const args = commandLine(process.argv.slice(2), 'consumer')
    .usage(USAGE)
    .options({
      stream: {
        type: 'string',
        requiresArg: true,
        default: DEFAULT_NAMES.telemetryStream,
        describe: 'Stream to read',
      },
      from: {
        type: 'string',
        requiresArg: true,
        default: 'latest',
        describe: 'Where to start in each shard',
      },
      ndjson: { type: 'boolean', default: false, describe: 'One JSON object per line (for pipes)' },
      'max-records': { type: 'string', requiresArg: true, describe: 'Exit after printing N records' },
      ...connectionOptions,
    })
    .parseSync();
  if (helpShown(args)) return 0;

  const from = startPosition(args.from);
  let maxRecords: number | undefined;
  if (args.maxRecords !== undefined) {
    maxRecords = Number(args.maxRecords);
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new UsageError(`--max-records must be a positive whole number, got "${args.maxRecords}"`);
    }
  }
  const connection = { endpointUrl: args.endpointUrl, region: args.region };
  const kinesis = kinesisClient(connection);
  const { stop } = interruptSignals();
  try {
    await runConsumer(
      { stream: args.stream, from, ndjson: args.ndjson, maxRecords },
      {
        kinesis,
        out: (text) => process.stdout.write(text),
        warn: (text) => process.stderr.write(`consumer: warning: ${text}\n`),
        sleep,
        stop,
      },
    );
    return 0;
  } catch (error) {
    throw new Error(
      describeAwsError(error, {
        stream: args.stream,
        endpoint: effectiveEndpoint(connection),
        region: args.region,
      }),
    );
  } finally {
    kinesis.destroy();
  }
});
