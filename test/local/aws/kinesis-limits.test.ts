import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { LOCAL_ACCOUNT } from '../../../local/assembly';
import { KinesisLimiter, shardFor, TokenBucket, type ShardRange } from '../../../local/aws/kinesis-limits';
import { startKinesalite, type Kinesalite } from '../../support/kinesalite';
import { startLimitedEndpoint, type LimitedEndpoint } from '../../support/limited-endpoint';
import { manualClock } from '../../support/manual-clock';
import { sdkFailure } from '../../support/aws-endpoint';

/**
 * Kinesis's per-shard limits at the local endpoint (1,000 records and 1 MiB written, 5 calls
 * and 2 MiB read per shard and second; 5 MiB per PutRecords), as the SDK sees them: a throttled
 * PutRecords entry carries ProvisionedThroughputExceededException and AWS's message naming shard,
 * stream and account; PutRecord and GetRecords fail as a whole.
 */

const MiB = 1024 * 1024;

async function ranges(client: KinesisClient, stream: string): Promise<ShardRange[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  return shards.map((s) => ({
    shardId: s.ShardId!,
    start: BigInt(s.HashKeyRange!.StartingHashKey!),
    end: BigInt(s.HashKeyRange!.EndingHashKey!),
  }));
}

const records = (n: number, key = (i: number) => `key-${i}`, size = 10) =>
  Array.from({ length: n }, (_, i) => ({ Data: Buffer.alloc(size, 97), PartitionKey: key(i) }));

describe('the shard a record goes to', () => {
  let k: Kinesalite;
  beforeAll(async () => {
    k = await startKinesalite();
  });
  afterAll(() => k.stop());

  it("is the one Kinesis picks by the partition key's MD5 (kinesalite as witness, 4 shards)", async () => {
    await k.createStream('routing', 4);
    const put = records(300, (i) => `unicorn-${i * 7919}`);
    const out = await k.client.send(new PutRecordsCommand({ StreamName: 'routing', Records: put }));
    const map = await ranges(k.client, 'routing');
    expect(new Set(out.Records!.map((r) => r.ShardId)).size).toBe(4);
    expect(put.map((r) => shardFor(map, r.PartitionKey))).toEqual(out.Records!.map((r) => r.ShardId));
    // An explicit hash key overrides the partition key.
    const explicit = await k.client.send(
      new PutRecordCommand({
        StreamName: 'routing',
        Data: Buffer.from('x'),
        PartitionKey: 'unicorn-0',
        ExplicitHashKey: String(2n ** 127n),
      }),
    );
    expect(shardFor(map, 'unicorn-0', String(2n ** 127n))).toBe(explicit.ShardId);
  });
});

describe('token buckets per shard', () => {
  it('refill continuously up to one second of budget', () => {
    const bucket = new TokenBucket(1000, 1000, 0);
    bucket.take(1000, 0);
    expect(bucket.available(0)).toBe(0);
    expect(bucket.available(250)).toBe(250);
    expect(bucket.available(10_000)).toBe(1000);
  });

  it('admit 1,000 records or 1 MiB a second per shard, each shard on its own', () => {
    const clock = manualClock(0);
    const limiter = new KinesisLimiter(clock.now);
    for (let i = 0; i < 1000; i++) expect(limiter.admitWrite('s', 'shard-0', 10)).toBe(true);
    expect(limiter.admitWrite('s', 'shard-0', 10)).toBe(false);
    expect(limiter.admitWrite('s', 'shard-1', 10)).toBe(true);
    clock.advance(100);
    let more = 0;
    while (limiter.admitWrite('s', 'shard-0', 10)) more++;
    expect(more).toBe(100);

    expect(limiter.admitWrite('big', 'shard-0', MiB)).toBe(true);
    expect(limiter.admitWrite('big', 'shard-0', 1)).toBe(false);
    clock.advance(500);
    expect(limiter.admitWrite('big', 'shard-0', MiB / 2)).toBe(true);
  });

  it('admit 5 reads a second, and none while a large read is paid off at 2 MiB/s', () => {
    const clock = manualClock(0);
    const limiter = new KinesisLimiter(clock.now);
    for (let i = 0; i < 5; i++) expect(limiter.admitRead('s', 'shard-0')).toBe(true);
    expect(limiter.admitRead('s', 'shard-0')).toBe(false);
    clock.advance(200);
    expect(limiter.admitRead('s', 'shard-0')).toBe(true);
    limiter.chargeRead('s', 'shard-0', 10 * MiB);
    clock.advance(3_900);
    expect(limiter.admitRead('s', 'shard-0')).toBe(false);
    clock.advance(200);
    expect(limiter.admitRead('s', 'shard-0')).toBe(true);
  });
});

describe('limits at the local endpoint, as the SDK sees them', () => {
  let endpoint: LimitedEndpoint;
  const clock = manualClock(0);
  let stream = 0;
  beforeAll(async () => {
    endpoint = await startLimitedEndpoint({ now: clock.now });
  });
  afterAll(() => endpoint.stop());

  const newStream = async (shards = 1) => {
    const name = `limited-${stream++}`;
    await endpoint.kinesalite.createStream(name, shards);
    clock.advance(60_000); // fresh budgets
    return name;
  };

  it('refuses PutRecords entries past 1,000 records a second with per-record errors, keeping the rest', async () => {
    const name = await newStream();
    const client = endpoint.client();
    const first = await client.send(new PutRecordsCommand({ StreamName: name, Records: records(500) }));
    const second = await client.send(
      new PutRecordsCommand({ StreamName: name, Records: records(500, (i) => `b-${i}`) }),
    );
    const third = await client.send(
      new PutRecordsCommand({ StreamName: name, Records: records(500, (i) => `c-${i}`) }),
    );
    expect([first.FailedRecordCount, second.FailedRecordCount, third.FailedRecordCount]).toEqual([0, 0, 500]);
    expect(third.Records).toHaveLength(500);
    expect(third.Records![0]).toEqual({
      ErrorCode: 'ProvisionedThroughputExceededException',
      ErrorMessage: `Rate exceeded for shard shardId-000000000000 in stream ${name} under account ${LOCAL_ACCOUNT}.`,
    });
    clock.advance(300);
    const fourth = await client.send(
      new PutRecordsCommand({ StreamName: name, Records: records(500, (i) => `d-${i}`) }),
    );
    expect(fourth.FailedRecordCount).toBe(200);
    // The first 300 went in, with sequence numbers; the rest were refused.
    expect(fourth.Records!.slice(0, 300).every((r) => r.SequenceNumber && r.ShardId)).toBe(true);
    expect(fourth.Records!.slice(300).every((r) => r.ErrorCode)).toBe(true);
    const stored = await endpoint.kinesalite.readAll(name);
    expect(stored).toHaveLength(1300);
    expect(stored.slice(1000).map((r) => r.PartitionKey)).toEqual(
      Array.from({ length: 300 }, (_, i) => `d-${i}`),
    );
  });

  it('throttles each shard on its own budget', async () => {
    const name = await newStream(2);
    const map = await ranges(endpoint.kinesalite.client, name);
    const keys = Array.from({ length: 4000 }, (_, i) => `u-${i}`);
    const onShard = (shard: string) => keys.filter((k) => shardFor(map, k) === shard).slice(0, 1200);
    const client = endpoint.client();
    const a = onShard(map[0].shardId);
    const b = onShard(map[1].shardId).slice(0, 400);
    const put = (ks: string[]) =>
      client.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: ks.map((k) => ({ Data: Buffer.from('x'), PartitionKey: k })),
        }),
      );
    const results = [
      await put(a.slice(0, 500)),
      await put(a.slice(500, 1000)),
      await put([...a.slice(1000, 1100), ...b]),
    ];
    expect(results.map((r) => r.FailedRecordCount)).toEqual([0, 0, 100]);
    const last = results[2].Records!;
    expect(last.slice(0, 100).every((r) => r.ErrorCode === 'ProvisionedThroughputExceededException')).toBe(
      true,
    );
    expect(last[0].ErrorMessage).toContain(map[0].shardId);
    expect(last.slice(100).every((r) => r.ShardId === map[1].shardId)).toBe(true);
  });

  it('fails PutRecord as a whole past the limit, on bytes as well as records', async () => {
    const name = await newStream();
    const client = endpoint.client();
    await client.send(
      new PutRecordCommand({ StreamName: name, Data: Buffer.alloc(700 * 1024), PartitionKey: 'a' }),
    );
    expect(
      await sdkFailure(
        client.send(
          new PutRecordCommand({ StreamName: name, Data: Buffer.alloc(400 * 1024), PartitionKey: 'a' }),
        ),
      ),
    ).toEqual({
      name: 'ProvisionedThroughputExceededException',
      message: `Rate exceeded for shard shardId-000000000000 in stream ${name} under account ${LOCAL_ACCOUNT}.`,
      status: 400,
    });
    clock.advance(400);
    await client.send(
      new PutRecordCommand({ StreamName: name, Data: Buffer.alloc(400 * 1024), PartitionKey: 'a' }),
    );
  });

  it('refuses a PutRecords request over 5 MiB, and a record over 1 MiB', async () => {
    const name = await newStream(6);
    const client = endpoint.client();
    const big = Array.from({ length: 6 }, (_, i) => ({
      Data: Buffer.alloc(900 * 1024),
      PartitionKey: `p${i}`,
    }));
    expect(
      await sdkFailure(client.send(new PutRecordsCommand({ StreamName: name, Records: big }))),
    ).toMatchObject({
      name: 'InvalidArgumentException',
      status: 400,
    });
    expect(
      await sdkFailure(
        client.send(
          new PutRecordCommand({ StreamName: name, Data: Buffer.alloc(MiB + 1), PartitionKey: 'a' }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  it('serves 5 GetRecords calls a second per shard, then ProvisionedThroughputExceededException', async () => {
    const name = await newStream();
    const client = endpoint.client();
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: name,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    for (let i = 0; i < 5; i++) await client.send(new GetRecordsCommand({ ShardIterator }));
    expect(await sdkFailure(client.send(new GetRecordsCommand({ ShardIterator })))).toEqual({
      name: 'ProvisionedThroughputExceededException',
      message: `Rate exceeded for shard shardId-000000000000 in stream ${name} under account ${LOCAL_ACCOUNT}.`,
      status: 400,
    });
    clock.advance(200);
    await client.send(new GetRecordsCommand({ ShardIterator }));
  });

  it("shares a shard's 5 reads a second among all its readers, whoever they are", async () => {
    const name = await newStream();
    // Two readers with clients of their own, as Lambda's poller and Firehose have.
    const lambda = endpoint.client();
    const firehose = endpoint.client();
    const iterator = async (client: typeof lambda) =>
      (
        await client.send(
          new GetShardIteratorCommand({
            StreamName: name,
            ShardId: 'shardId-000000000000',
            ShardIteratorType: 'LATEST',
          }),
        )
      ).ShardIterator;
    const [a, b] = [await iterator(lambda), await iterator(firehose)];
    for (let i = 0; i < 3; i++) await lambda.send(new GetRecordsCommand({ ShardIterator: a }));
    for (let i = 0; i < 2; i++) await firehose.send(new GetRecordsCommand({ ShardIterator: b }));
    expect((await sdkFailure(firehose.send(new GetRecordsCommand({ ShardIterator: b })))).name).toBe(
      'ProvisionedThroughputExceededException',
    );
    expect((await sdkFailure(lambda.send(new GetRecordsCommand({ ShardIterator: a })))).name).toBe(
      'ProvisionedThroughputExceededException',
    );
  });

  it('charges what GetRecords returns to the 2 MiB/s read budget', async () => {
    const name = await newStream();
    const client = endpoint.client();
    for (let i = 0; i < 4; i++) {
      await client.send(
        new PutRecordCommand({ StreamName: name, Data: Buffer.alloc(900 * 1024), PartitionKey: 'a' }),
      );
      clock.advance(1000);
    }
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamName: name,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const read = await client.send(new GetRecordsCommand({ ShardIterator }));
    expect(read.Records).toHaveLength(4); // 3.5 MiB: the budget is overdrawn by 1.5 MiB
    const next = read.NextShardIterator;
    expect((await sdkFailure(client.send(new GetRecordsCommand({ ShardIterator: next })))).name).toBe(
      'ProvisionedThroughputExceededException',
    );
    clock.advance(700);
    expect((await sdkFailure(client.send(new GetRecordsCommand({ ShardIterator: next })))).name).toBe(
      'ProvisionedThroughputExceededException',
    );
    clock.advance(100);
    await client.send(new GetRecordsCommand({ ShardIterator: next }));
  });
});

describe('--no-limits', () => {
  it('lets every record through', async () => {
    const endpoint = await startLimitedEndpoint({ limits: false });
    try {
      await endpoint.kinesalite.createStream('free', 1);
      const client = endpoint.client();
      for (let n = 0; n < 4; n++) {
        const out = await client.send(
          new PutRecordsCommand({ StreamName: 'free', Records: records(500, (i) => `${n}-${i}`) }),
        );
        expect(out.FailedRecordCount).toBe(0);
      }
      expect(await endpoint.kinesalite.readAll('free')).toHaveLength(2000);
    } finally {
      await endpoint.stop();
    }
  });
});
