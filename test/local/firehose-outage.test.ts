import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readStack, type LocalStream } from '../../local/assembly';
import { DeliveryStreamRunner, type ObjectWriter } from '../../local/firehose';
import { CheckpointStore } from '../../local/shards';
import { FIREHOSE_TEMPLATE, manualClock, memoryBucket } from '../support/firehose';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { waitUntil } from '../support/wait';

/**
 * A Kinesis-source delivery stream whose destination is down keeps the records it read and
 * tries again; its shard reader, failing with the write and started again meanwhile, must not
 * read those records a second time into the same object (the soak found each record of a
 * Firehose outage written twice or more).
 */

let k: Kinesalite;
beforeAll(async () => {
  k = await startKinesalite();
});
afterAll(() => k.stop());

it('writes each record once after the destination comes back, however often the reader restarted', async () => {
  await k.createStream('outage', 1);
  await k.client.send(
    new PutRecordsCommand({
      StreamName: 'outage',
      Records: Array.from({ length: 30 }, (_, i) => ({
        PartitionKey: 'p',
        Data: Buffer.from(`record ${i}\n`),
      })),
    }),
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'firehose-outage-'));
  const stack = readStack(FIREHOSE_TEMPLATE, 'Test', 'us-east-1', dir, { sqs: 'http://127.0.0.1:1' });
  const mirror = stack.deliveryStreams.find((d) => d.name === 'mirror')!;
  const stream: LocalStream = {
    logicalId: 'Events',
    name: 'outage',
    arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/outage',
    shards: 1,
  };
  const clock = manualClock();
  const bucket = memoryBucket();
  let down = true;
  let refused = 0;
  const writer: ObjectWriter = {
    put: async (name, key, body) => {
      if (down) {
        refused += 1;
        throw new Error('ServiceUnavailable: Please reduce your request rate.');
      }
      await bucket.writer.put(name, key, body);
    },
  };
  const problems: string[] = [];
  const runner = new DeliveryStreamRunner({
    delivery: { ...mirror, bufferIntervalSeconds: 1 },
    source: { type: 'KinesisStreamAsSource', stream, kinesis: k.client, pollMs: 10, discoverMs: 10 },
    bucketName: 'lake',
    region: 'us-east-1',
    writer,
    processors: {},
    checkpoints: new CheckpointStore(path.join(dir, 'mirror.json')),
    clock,
    log: (message) => problems.push(message),
  });
  runner.start();
  const tick = () => clock.advance(250);
  try {
    await waitUntil(() => (tick(), runner.pending === 30), 'the 30 records read');
    // The outage: writes refused again and again, the shard's reader failing with them and
    // started again by the next listing of the shards.
    await waitUntil(() => (tick(), refused >= 3), 'writes refused');
    const restarts = problems.length;
    await waitUntil(() => (tick(), problems.length > restarts + 2 && refused >= 8), 'the reader restarted');
    expect(runner.pending).toBe(30);

    await k.client.send(
      new PutRecordsCommand({
        StreamName: 'outage',
        Records: Array.from({ length: 12 }, (_, i) => ({
          PartitionKey: 'p',
          Data: Buffer.from(`record ${30 + i}\n`),
        })),
      }),
    );
    down = false;
    await waitUntil(() => (tick(), bucket.writes() >= 2 && runner.pending === 0), 'both objects written');
  } finally {
    down = false;
    await runner.stop();
  }
  const lines = [...bucket.objects.values()].flatMap((body) => body.toString().split('\n').filter(Boolean));
  expect(lines).toHaveLength(42);
  expect(new Set(lines).size).toBe(42);
});
