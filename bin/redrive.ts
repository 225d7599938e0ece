import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { commandLine, connectionOptions, helpShown, UsageError } from '../cli/args';
import { clientConfig, kinesisClient } from '../cli/aws';
import { runMain } from '../cli/run-main';
import { parseRecordsFile, type RecordLine } from '../ops/redrive/notices';
import {
  describeFailures,
  inspectQueue,
  putBack,
  recordLines,
  release,
  type QueuedFailure,
  type RedriveClients,
} from '../ops/redrive/redrive';

const USAGE = `Shows what a failure queue holds (per message: function, shard, sequence range, reason, age),
fetches the original records from the stream while it still keeps them, writes them to a file
to fix, and puts them back on the stream after you confirm. Each message is deleted only once
all of its records are back; the others stay on the queue.

Usage: npx redrive                                  (lists the queues and their messages)
       npx redrive --queue Q [--out FILE]           (shows the records; writes them to FILE)
       npx redrive --queue Q [--from FILE] [--stream S] [--yes]
                                                    (puts back the records, or FILE's edited ones)

FILE is JSON Lines, one record each: {"messageId","stream","partitionKey","data"} (or "dataBase64").
Locally (npm start) it uses the running pipeline; on AWS the default credentials and region.`;

const OPTIONS = {
  ...connectionOptions,
  queue: { type: 'string', requiresArg: true, describe: 'Failure queue: its URL or name' },
  out: { type: 'string', requiresArg: true, describe: 'Write the records to this file (JSON Lines)' },
  from: { type: 'string', requiresArg: true, describe: 'Put back the records of this file (edited)' },
  stream: { type: 'string', requiresArg: true, describe: 'Put the records on this stream instead' },
  yes: { type: 'boolean', default: false, describe: 'Put back without asking' },
  list: { type: 'boolean', default: false, describe: 'Only show (and write) the records' },
} as const;

function parseArgs(argv: readonly string[]) {
  return commandLine(argv, 'redrive').usage(USAGE).options(OPTIONS).parseSync();
}
type Args = ReturnType<typeof parseArgs>;

const out = (text: string) => process.stdout.write(text);

/** Every queue with its approximate message count. */
async function listQueues(sqs: SQSClient): Promise<number> {
  const queues = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
  for (const url of queues) {
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    out(`${url}  ${attributes.Attributes?.ApproximateNumberOfMessages ?? '?'} messages\n`);
  }
  out(queues.length === 0 ? 'No queues.\n' : 'Pick one with --queue.\n');
  return 0;
}

/** A queue's URL, given as one or by its name. */
async function queueUrlOf(sqs: RedriveClients['sqs'], queue: string): Promise<string> {
  return /^https?:\/\//.test(queue)
    ? queue
    : (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
}

/**
 * The records to put back: the queue's own (written to `--out` when asked), or the edited ones
 * of `--from` whose messages are still on the queue; `--stream` sends them all to one stream.
 */
function recordsToPutBack(failures: readonly QueuedFailure[], args: Args): RecordLine[] {
  const lines = recordLines(failures, args.stream);
  if (args.out) {
    writeFileSync(args.out, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
    out(
      `${lines.length} records written to ${args.out}: fix them, then put them back with --from ${args.out}\n`,
    );
  }
  return args.from ? editedRecords(args.from, failures, args.stream) : lines;
}

function editedRecords(file: string, failures: readonly QueuedFailure[], stream?: string): RecordLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const lines = parseRecordsFile(text, file).map((l) => (stream ? { ...l, stream } : l));
  const unknown = lines.filter((l) => !failures.some((f) => f.messageId === l.messageId));
  if (unknown.length === 0) return lines;
  out(`${unknown.length} records of ${file} belong to messages no longer on the queue: not put back\n`);
  return lines.filter((l) => !unknown.includes(l));
}

/**
 * Whether the person says yes to `question`; on no, `giveBack` runs first. Without a terminal
 * nobody can answer: `giveBack`, then a usage error asking for --yes.
 */
async function confirmed(question: string, giveBack: () => Promise<void>): Promise<boolean> {
  if (!process.stdin.isTTY) {
    await giveBack();
    throw new UsageError(`${question} Not asked without a terminal: pass --yes`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  if (/^y(es)?$/i.test(answer.trim())) return true;
  await giveBack();
  return false;
}

/** Shows a queue's failures and, unless only looking, puts their records back after confirmation. */
async function redriveQueue(clients: RedriveClients, args: Args, queue: string): Promise<number> {
  const { sqs } = clients;
  const queueUrl = await queueUrlOf(sqs, queue);
  const now = Date.now();
  const failures = await inspectQueue(clients, queueUrl, now);
  out(describeFailures(failures, now));
  const lines = recordsToPutBack(failures, args);
  const releaseAll = () => release(sqs, queueUrl, failures);
  if (args.list || lines.length === 0 || (args.out && !args.from && !args.yes)) {
    await releaseAll();
    return failures.some((f) => f.problem) ? 1 : 0;
  }
  const streams = [...new Set(lines.map((l) => l.stream))].join(', ');
  const question = `Put ${lines.length} records back on ${streams} and delete their messages?`;
  if (!args.yes && !(await confirmed(question, releaseAll))) {
    out('Nothing put back.\n');
    return 0;
  }
  const result = await putBack(clients, queueUrl, failures, lines);
  const keptIds = new Set(result.kept.map((k) => k.messageId));
  await release(
    sqs,
    queueUrl,
    failures.filter((f) => keptIds.has(f.messageId)),
  );
  out(`${result.put} records put back; ${result.deleted} messages deleted`);
  out(
    result.kept.length
      ? `; ${result.kept.length} kept (${result.kept.map((k) => k.reason).join('; ')})\n`
      : '\n',
  );
  return result.kept.length > 0 ? 1 : 0;
}

runMain('redrive', async () => {
  const args = parseArgs(process.argv.slice(2));
  if (helpShown(args)) return 0;
  const connection = { endpointUrl: args.endpointUrl, region: args.region };
  const sqs = new SQSClient(clientConfig(connection, 'SQS'));
  const kinesis = kinesisClient(connection);
  try {
    return args.queue ? await redriveQueue({ sqs, kinesis }, args, args.queue) : await listQueues(sqs);
  } finally {
    sqs.destroy();
    kinesis.destroy();
  }
});
