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
import { parseRecordsFile } from '../ops/redrive/notices';
import { describeFailures, inspectQueue, putBack, recordLines, release } from '../ops/redrive/redrive';

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

runMain('redrive', async () => {
  const args = commandLine(process.argv.slice(2), 'redrive')
    .usage(USAGE)
    .options({
      ...connectionOptions,
      queue: { type: 'string', requiresArg: true, describe: 'Failure queue: its URL or name' },
      out: { type: 'string', requiresArg: true, describe: 'Write the records to this file (JSON Lines)' },
      from: { type: 'string', requiresArg: true, describe: 'Put back the records of this file (edited)' },
      stream: { type: 'string', requiresArg: true, describe: 'Put the records on this stream instead' },
      yes: { type: 'boolean', default: false, describe: 'Put back without asking' },
      list: { type: 'boolean', default: false, describe: 'Only show (and write) the records' },
    })
    .parseSync();
  if (helpShown(args)) return 0;
  const connection = { endpointUrl: args.endpointUrl, region: args.region };
  const sqs = new SQSClient(clientConfig(connection, 'SQS'));
  const kinesis = kinesisClient(connection);
  const out = (text: string) => process.stdout.write(text);
  try {
    if (!args.queue) {
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
    const queueUrl = /^https?:\/\//.test(args.queue)
      ? args.queue
      : (await sqs.send(new GetQueueUrlCommand({ QueueName: args.queue }))).QueueUrl!;

    const now = Date.now();
    const failures = await inspectQueue({ sqs, kinesis }, queueUrl, now);
    out(describeFailures(failures, now));
    let lines = recordLines(failures, args.stream);
    if (args.out) {
      writeFileSync(args.out, lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length ? '\n' : ''));
      out(
        `${lines.length} records written to ${args.out}: fix them, then put them back with --from ${args.out}\n`,
      );
    }
    if (args.from) {
      let text: string;
      try {
        text = readFileSync(args.from, 'utf8');
      } catch (error) {
        throw new UsageError(`Cannot read ${args.from}: ${(error as Error).message}`);
      }
      lines = parseRecordsFile(text, args.from).map((l) => (args.stream ? { ...l, stream: args.stream } : l));
      const unknown = lines.filter((l) => !failures.some((f) => f.messageId === l.messageId));
      if (unknown.length > 0) {
        out(
          `${unknown.length} records of ${args.from} belong to messages no longer on the queue: not put back\n`,
        );
        lines = lines.filter((l) => !unknown.includes(l));
      }
    }
    if (args.list || lines.length === 0 || (args.out && !args.from && !args.yes)) {
      await release(sqs, queueUrl, failures);
      return failures.some((f) => f.problem) ? 1 : 0;
    }
    const streams = [...new Set(lines.map((l) => l.stream))].join(', ');
    const question = `Put ${lines.length} records back on ${streams} and delete their messages?`;
    if (!args.yes) {
      if (!process.stdin.isTTY) {
        await release(sqs, queueUrl, failures);
        throw new UsageError(`${question} Not asked without a terminal: pass --yes`);
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`${question} [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        await release(sqs, queueUrl, failures);
        out('Nothing put back.\n');
        return 0;
      }
    }
    const result = await putBack({ sqs, kinesis }, queueUrl, failures, lines);
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
  } finally {
    sqs.destroy();
    kinesis.destroy();
  }
});
