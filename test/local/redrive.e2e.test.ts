import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatStatusTime } from '#core/status-time';
import { failureNotice } from '../../local/event-source';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { synthesizeAssembly, type Assembly } from '../support/assembly';
import { cleanEnv, start } from '../support/run-command';
import { waitUntil } from '../support/wait';
import { TEST_PACE } from '../support/pipeline-pace';

/**
 * `npx redrive` against the local run: a poison record (malformed JSON) lands in the
 * aggregation's failure queue; redrive shows it (from the message, and from the stream for
 * Lambda's own on-failure record), writes it to a file, and, once fixed there, puts it back:
 * it flows through the pipeline into DynamoDB, and the messages are deleted.
 */

const WINDOW_SECONDS = 3;
let assembly: Assembly;
let pipeline: LocalPipeline | undefined;
const temporary: string[] = [];

beforeAll(() => {
  assembly = synthesizeAssembly();
});
afterAll(async () => {
  await pipeline?.stop();
  assembly.remove();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

async function redrive(args: string[]) {
  const p = pipeline!;
  return start('redrive', [...args, '--endpoint-url', p.endpoint, '--region', p.region], cleanEnv()).finished;
}

it('a poison record, fixed in the file, goes back through the pipeline into DynamoDB', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'redrive-local-'));
  temporary.push(dataDir);
  pipeline = await startLocalPipeline({
    ...TEST_PACE,
    assemblyDir: assembly.dir,
    dataDir,
    windowSeconds: WINDOW_SECONDS,
    log: () => undefined,
  });
  const outputs = pipeline.stacks[0].outputs;
  const aggregation = pipeline.stacks[0].functions.find((f) => f.logicalId.startsWith('SummaryAggregation'))!;
  const queueUrl = aggregation.environment.FAILURE_QUEUE_URL;
  const queueName = queueUrl.split('/').pop()!;

  const put = await pipeline.kinesis.send(
    new PutRecordCommand({
      StreamName: outputs.StreamName,
      PartitionKey: 'Poison',
      Data: Buffer.from('{"Name":"Poison",'),
    }),
  );
  await waitUntil(() => pipeline!.emulators.sqs.messages(queueName).length === 1, 'the poison set aside');
  // Lambda's own on-failure record for the same record: only where it is, not what it is.
  const notice = failureNotice(
    [
      {
        SequenceNumber: put.SequenceNumber,
        ApproximateArrivalTimestamp: new Date(),
        Data: new Uint8Array(),
        PartitionKey: 'Poison',
      },
    ],
    put.ShardId!,
    `arn:aws:kinesis:${pipeline.region}:000000000000:stream/${outputs.StreamName}`,
    aggregation.arn,
    'RetryAttemptsExhausted',
    3,
    Date.now(),
  );
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({
    endpoint: pipeline.endpoint,
    region: pipeline.region,
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(notice) }));
  } finally {
    sqs.destroy();
  }

  // Shown and written out: both messages, the second's record fetched from the stream.
  const file = path.join(dataDir, 'failed.jsonl');
  const shown = await redrive(['--queue', queueUrl, '--out', file]);
  expect(shown.stderr).toBe('');
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(
    new RegExp(
      `malformed record set aside by the function: 1 record of wildrydes ${put.ShardId} ${put.SequenceNumber} — .*JSON.*, 0 min old`,
    ),
  );
  expect(shown.stdout).toMatch(
    new RegExp(
      `${aggregation.name}: 1 record of wildrydes ${put.ShardId} ${put.SequenceNumber} — RetryAttemptsExhausted \\(Unhandled\\) after 3 invocations`,
    ),
  );
  expect(shown.stdout).toContain('2 records written to');
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
  expect(lines.map((l) => [l.stream, l.partitionKey, l.data])).toEqual([
    ['wildrydes', 'Poison', '{"Name":"Poison",'],
    ['wildrydes', 'Poison', '{"Name":"Poison",'],
  ]);
  // Still on the queue: showing deletes nothing.
  expect(pipeline.emulators.sqs.messages(queueName)).toHaveLength(2);

  // Fixed by hand, then put back.
  const now = Date.now();
  const fixed = JSON.stringify({
    Name: 'Poison',
    StatusTime: formatStatusTime(now),
    Latitude: 40.7,
    Longitude: -73.9,
    Distance: 5,
    MagicPoints: 100,
    HealthPoints: 150,
  });
  writeFileSync(file, lines.map((l) => JSON.stringify({ ...l, data: fixed })).join('\n'));
  const back = await redrive(['--queue', queueUrl, '--from', file, '--yes']);
  expect(back.stderr).toBe('');
  expect(back.stdout).toContain('2 records put back; 2 messages deleted');
  expect(back.code).toBe(0);
  expect(pipeline.emulators.sqs.messages(queueName)).toEqual([]);

  // Through the aggregation and the persistence: the fixed records are in DynamoDB.
  let item: Record<string, { N?: string; S?: string }> | undefined;
  // Whichever window the records landed in (a busy machine may put them in a later one).
  await waitUntil(
    async () => {
      const out = await pipeline!.dynamodb.send(
        new QueryCommand({
          TableName: outputs.SummaryTableName,
          KeyConditionExpression: '#name = :name',
          ExpressionAttributeNames: { '#name': 'Name' },
          ExpressionAttributeValues: { ':name': { S: 'Poison' } },
          ConsistentRead: true,
        }),
      );
      item = out.Items?.[0] as typeof item;
      return item !== undefined;
    },
    'the fixed records in DynamoDB',
    60_000,
  );
  expect(item!.Name.S).toBe('Poison');
  expect(Number(item!.Distance.N)).toBeGreaterThan(0);
}, 120_000);

it('says when the records are no longer on the stream, and keeps the message', async () => {
  const p = pipeline!;
  const outputs = p.stacks[0].outputs;
  const aggregation = p.stacks[0].functions.find((f) => f.logicalId.startsWith('SummaryAggregation'))!;
  const queueUrl = aggregation.environment.FAILURE_QUEUE_URL;
  const queueName = queueUrl.split('/').pop()!;
  const old = new Date(Date.now() - 25 * 3_600_000);
  const notice = failureNotice(
    [
      {
        SequenceNumber: '49000000000000000000000000000000000000000000000000000000',
        ApproximateArrivalTimestamp: old,
        Data: new Uint8Array(),
        PartitionKey: 'Old',
      },
    ],
    'shardId-000000000000',
    `arn:aws:kinesis:${p.region}:000000000000:stream/${outputs.StreamName}`,
    aggregation.arn,
    'RecordAgeExceeded',
    1,
    Date.now(),
  );
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({
    endpoint: p.endpoint,
    region: p.region,
    credentials: { accessKeyId: 'any', secretAccessKey: 'any' },
  });
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(notice) }));
  } finally {
    sqs.destroy();
  }
  const result = await redrive(['--queue', queueName, '--yes']);
  expect(result.stdout).toMatch(
    /RecordAgeExceeded.*1 d 1 h old\n {3}✗ not retained: the records arrived more than 24 h ago/,
  );
  expect(result.code).toBe(1);
  expect(p.emulators.sqs.messages(queueName)).toHaveLength(1);
});
