import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readStack, type LocalStream } from '../../local/assembly';
import { DeliveryStreamRunner } from '../../local/firehose';
import { CheckpointStore } from '../../local/shards';
import { FIREHOSE_TEMPLATE, manualClock, memoryBucket } from '../support/firehose';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { waitUntil } from '../support/wait';

/**
 * A Kinesis-source delivery stream that crashes after writing an object and before saving the
 * positions it covers reads those records again on restart; the object is named after the
 * source positions it covers, so it is written again under the same key instead of as a copy.
 */

let k: Kinesalite;
beforeAll(async () => {
  k = await startKinesalite();
});
afterAll(() => k.stop());

async function put(stream: string, from: number, count: number) {
  await k.client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: Array.from({ length: count }, (_, i) => ({
        PartitionKey: `unicorn-${(from + i) % 7}`,
        Data: Buffer.from(`record ${from + i}\n`),
      })),
    }),
  );
}

it('rewrites the object a crash left unacknowledged under the same key: no line twice', async () => {
  await k.createStream('crashing', 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'firehose-crash-'));
  const stack = readStack(FIREHOSE_TEMPLATE, 'Test', 'us-east-1', dir, { sqs: 'http://127.0.0.1:1' });
  const delivery = stack.deliveryStreams.find((d) => d.name === 'mirror')!;
  const stream: LocalStream = {
    logicalId: 'Events',
    name: 'crashing',
    arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/crashing',
    shards: 2,
  };
  const clock = manualClock();
  const bucket = memoryBucket();
  const checkpointFile = path.join(dir, 'mirror.json');
  const runner = () => {
    const r = new DeliveryStreamRunner({
      delivery,
      source: { type: 'KinesisStreamAsSource', stream, kinesis: k.client, pollMs: 10, discoverMs: 10 },
      bucketName: 'lake',
      region: 'us-east-1',
      writer: bucket.writer,
      processors: {},
      checkpoints: new CheckpointStore(checkpointFile),
      clock,
      log: () => undefined,
    });
    r.start();
    return r;
  };
  const tick = () => clock.advance(10);

  await put('crashing', 0, 30);
  const first = runner();
  await waitUntil(() => (tick(), first.pending === 30), 'the first 30 records read');
  // The object reaches the bucket, then the process dies before the positions are saved.
  bucket.writer.failNext = 'after-write';
  await expect(first.flush()).rejects.toThrow(/answer was lost/);
  await first.abandon();
  expect(bucket.objects.size).toBe(1);
  const [key] = bucket.objects.keys();

  // More records arrive meanwhile; the restarted stream writes exactly the same object first.
  await put('crashing', 30, 12);
  const second = runner();
  try {
    await waitUntil(() => (tick(), bucket.writes() === 2), 'the object written again');
    expect([...bucket.objects.keys()]).toEqual([key]);
    await waitUntil(() => (tick(), second.pending === 12), 'the records after it');
    await second.flush();
  } finally {
    await second.stop();
  }

  expect(bucket.objects.size).toBe(2);
  const lines = [...bucket.objects.values()].flatMap((body) => body.toString().split('\n').filter(Boolean));
  expect(lines).toHaveLength(42);
  expect(new Set(lines).size).toBe(42);
});
