import { PutRecordCommand, SplitShardCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { runConsumer, type ConsumerOptions } from '../../commands/consumer';
import { sleep } from '../../cli/run-main';
import { emulatorClient, suiteKinesalite } from '../support/kinesalite';
import { countCalls, failNext } from '../support/kinesis-faults';

const k = suiteKinesalite();

/** Tiny real pauses: the consumer polls a live emulator, so some time has to pass. */
const fastPacing = { idleMs: 5, catchUpMs: 2, retry: { baseDelayMs: 2, maxDelayMs: 10 }, discoverMs: 20 };

const newStream = (shards: number) => k.newStream('consumer', shards);

async function put(stream: string, key: string, data: string | object) {
  await k.client.send(
    new PutRecordCommand({
      StreamName: stream,
      PartitionKey: key,
      Data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)),
    }),
  );
}

function consume(options: Partial<ConsumerOptions> & { stream: string }, client = k.client) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const stop = new AbortController();
  const done = runConsumer(
    { from: 'trim-horizon', ndjson: true, ...options },
    {
      kinesis: client,
      out: (text) => lines.push(...text.trimEnd().split('\n')),
      warn: (text) => warnings.push(text),
      sleep,
      stop: stop.signal,
      pacing: fastPacing,
    },
  );
  return { lines, warnings, stop: () => stop.abort(), done };
}

describe('consumer against kinesalite', () => {
  it('reads every shard and prints each record as one JSON line', async () => {
    const stream = await newStream(4);
    const keys = Array.from({ length: 40 }, (_, i) => `unicorn-${i}`);
    for (const key of keys) await put(stream, key, { Name: key });
    const shardsWithData = new Set((await k.readAll(stream)).map((r) => r.ShardId));
    expect(shardsWithData.size).toBeGreaterThan(1);

    const c = consume({ stream, maxRecords: 40 });
    const stats = await c.done;
    expect(stats).toMatchObject({ records: 40, shardsRead: 4 });
    expect(c.lines.map((l) => JSON.parse(l).Name).sort()).toEqual([...keys].sort());
  });

  it('prints indented JSON by default', async () => {
    const stream = await newStream(1);
    await put(stream, 'k', { Name: 'Shadowfax', Distance: 30.5 });
    const c = consume({ stream, ndjson: false, maxRecords: 1 });
    await c.done;
    expect(c.lines.join('\n')).toBe('{\n  "Name": "Shadowfax",\n  "Distance": 30.5\n}');
  });

  it('prints a record that is not JSON as text with a warning, and keeps going', async () => {
    const stream = await newStream(1);
    await put(stream, 'k', 'not json {');
    await put(stream, 'k', { Name: 'after' });
    const c = consume({ stream, ndjson: false, maxRecords: 2 });
    const stats = await c.done;
    expect(c.lines).toEqual(['not json {', '{', '  "Name": "after"', '}']);
    expect(c.warnings).toEqual([expect.stringMatching(/^record \d+ on shardId-000000000000 is not JSON/)]);
    expect(stats.notJson).toBe(1);
  });

  it('starts at LATEST by default: only records put after it started', async () => {
    const stream = await newStream(2);
    await put(stream, 'a', { n: 'old' });
    const client = emulatorClient(k.endpoint);
    const polls = countCalls(client, 'GetRecordsCommand');
    const c = consume({ stream, from: 'latest', maxRecords: 1 }, client);
    while (polls.count < 2) await sleep(2); // both shards hold their LATEST iterators
    await put(stream, 'a', { n: 'new' });
    await c.done;
    client.destroy();
    expect(c.lines).toEqual(['{"n":"new"}']);
  });

  it('follows a shard split: the parent is read to its end, then its children', async () => {
    const stream = await newStream(1);
    for (let i = 0; i < 5; i++) await put(stream, 'same-key', { seq: i });
    const [parent] = (await k.client.send(new ListShardsCommand({ StreamName: stream }))).Shards!;
    await k.client.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: parent.ShardId,
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await sleep(50);
    for (let i = 5; i < 10; i++) await put(stream, 'same-key', { seq: i });
    const c = consume({ stream, maxRecords: 10 });
    const stats = await c.done;
    expect(c.lines.map((l) => JSON.parse(l).seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(stats.shardsRead).toBeGreaterThanOrEqual(2);
  });

  it('backs off when throttled, without losing or repeating records', async () => {
    const stream = await newStream(1);
    for (let i = 0; i < 6; i++) await put(stream, 'k', { i });
    const client = emulatorClient(k.endpoint);
    failNext(client, 'GetRecordsCommand', 'ProvisionedThroughputExceededException', 3);
    const c = consume({ stream, maxRecords: 6 }, client);
    const stats = await c.done;
    client.destroy();
    expect(stats.throttled).toBe(3);
    expect(c.lines.map((l) => JSON.parse(l).i)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('renews an expired iterator after the last record it printed', async () => {
    const stream = await newStream(1);
    for (let i = 0; i < 3; i++) await put(stream, 'k', { i });
    const client = emulatorClient(k.endpoint);
    const c = consume({ stream, maxRecords: 6 }, client);
    while (c.lines.length < 3) await sleep(5);
    failNext(client, 'GetRecordsCommand', 'ExpiredIteratorException', 1);
    for (let i = 3; i < 6; i++) await put(stream, 'k', { i });
    const stats = await c.done;
    client.destroy();
    expect(stats.renewedIterators).toBe(1);
    expect(c.lines.map((l) => JSON.parse(l).i)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('stops cleanly when asked', async () => {
    const stream = await newStream(2);
    const c = consume({ stream });
    await sleep(30);
    c.stop();
    await expect(c.done).resolves.toMatchObject({ records: 0 });
  });

  it('fails with the SDK error for a missing stream', async () => {
    await expect(consume({ stream: 'does-not-exist' }).done).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
