import { chunkEntries, putRecordsReliably, type PutEntry } from '#core/put-records';
import { fakeKinesis, serviceError } from '../support/fake-kinesis';

const entry = (text: string, key = 'k'): PutEntry => ({ data: Buffer.from(text), partitionKey: key });
const noWait = { maxAttempts: 5, baseDelayMs: 0, maxDelayMs: 0 };

describe('chunkEntries', () => {
  it('splits at 500 records per request, keeping order', () => {
    const entries = Array.from({ length: 1203 }, (_, i) => entry(String(i)));
    const chunks = chunkEntries(entries);
    expect(chunks.map((c) => c.length)).toEqual([500, 500, 203]);
    expect(chunks.flat()).toEqual(entries);
  });

  it('splits before a request would pass 5 MiB', () => {
    const big = Buffer.alloc(1024 * 1024 - 10, 'x');
    const entries = Array.from({ length: 6 }, () => ({ data: big, partitionKey: 'k' }));
    expect(chunkEntries(entries).map((c) => c.length)).toEqual([5, 1]);
  });

  it('refuses a record over the 1 MiB limit and a bad partition key', () => {
    expect(() => chunkEntries([{ data: Buffer.alloc(1024 * 1024), partitionKey: 'k' }])).toThrow(
      /exceeds the 1048576-byte/,
    );
    expect(() => chunkEntries([entry('x', '')])).toThrow(/Partition key must be 1 to 256/);
    expect(() => chunkEntries([entry('x', 'k'.repeat(257))])).toThrow(/Partition key must be 1 to 256/);
  });
});

describe('putRecordsReliably', () => {
  it('resends only the entries Kinesis rejected, until all are in', () => {
    // Every odd entry is throttled on the first attempt.
    const kinesis = fakeKinesis((call, i) =>
      call === 0 && i % 2 === 1 ? 'ProvisionedThroughputExceededException' : 'ok',
    );
    const entries = ['a', 'b', 'c', 'd'].map((t) => entry(t));
    return putRecordsReliably(kinesis.client, 'wildrydes', entries, noWait).then((outcome) => {
      expect(outcome).toEqual({
        sent: 4,
        retried: 2,
        failed: [],
        counts: { attempted: 6, rejected: 2, requestErrors: 0, bytesAccepted: 8 },
      });
      expect(kinesis.calls.map((c) => c.records.map((r) => r.data))).toEqual([
        ['a', 'b', 'c', 'd'],
        ['b', 'd'],
      ]);
      expect(kinesis.accepted.sort()).toEqual(['a', 'b', 'c', 'd']);
    });
  });

  it('retries a throttled request as a whole', async () => {
    const kinesis = fakeKinesis((call) =>
      call < 2 ? serviceError('ProvisionedThroughputExceededException') : 'ok',
    );
    const outcome = await putRecordsReliably(kinesis.client, 'wildrydes', [entry('a'), entry('b')], noWait);
    expect(outcome).toEqual({
      sent: 2,
      retried: 4,
      failed: [],
      counts: { attempted: 6, rejected: 0, requestErrors: 2, bytesAccepted: 4 },
    });
    expect(kinesis.calls).toHaveLength(3);
  });

  it('returns what still fails after the last attempt, with the error, instead of dropping it', async () => {
    const kinesis = fakeKinesis((_call, _i, data) => (data === 'stuck' ? 'InternalFailure' : 'ok'));
    const outcome = await putRecordsReliably(kinesis.client, 's', [entry('fine'), entry('stuck')], noWait);
    expect(outcome.sent).toBe(1);
    expect(outcome.retried).toBe(4);
    expect(outcome.failed).toEqual([
      { entry: entry('stuck'), error: 'InternalFailure: InternalFailure for test' },
    ]);
    expect(kinesis.calls).toHaveLength(5);
  });

  it('throws at once on an error retrying cannot cure', async () => {
    const kinesis = fakeKinesis(() => serviceError('ResourceNotFoundException'));
    await expect(putRecordsReliably(kinesis.client, 'missing', [entry('a')], noWait)).rejects.toThrow(
      /ResourceNotFoundException/,
    );
    expect(kinesis.calls).toHaveLength(1);
  });

  it('reports each retry to the caller', async () => {
    const kinesis = fakeKinesis((call, i) =>
      call === 0 && i === 0 ? 'ProvisionedThroughputExceededException' : 'ok',
    );
    const retries: number[] = [];
    await putRecordsReliably(kinesis.client, 's', [entry('a'), entry('b')], noWait, (n) => retries.push(n));
    expect(retries).toEqual([1]);
  });
});
