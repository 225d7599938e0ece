import { fastSequences, type KinesaliteSequences } from '../../local/kinesalite-sequences';

// kinesalite's own functions are the reference: the fast ones must answer exactly as they do.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const db = require('kinesalite/db') as KinesaliteSequences;
const original: KinesaliteSequences = {
  parseSequence: db.parseSequence,
  stringifySequence: db.stringifySequence,
  partitionKeyToHashKey: db.partitionKeyToHashKey,
};
const fast = fastSequences(original);

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** What a call gives: its value, or the error it throws (by message). */
function outcome(call: () => unknown): unknown {
  try {
    return { value: call() };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const next = random(20261130);
const int = (max: number) => Math.floor(next() * max);

/** Sequence numbers of every version kinesalite writes, for shards and times across their ranges. */
const partsSeen: Record<string, unknown>[] = [];
for (let i = 0; i < 1000; i++) {
  const shardCreateTime = (1_400_000_000 + int(500_000_000)) * 1000 + int(1000);
  const shardIx = [0, 1, 7, 15, 16, 255, 65_535, 2_147_483_647][i % 8];
  partsSeen.push(
    { shardCreateTime, shardIx, seqIx: int(1_000_000), seqTime: shardCreateTime + int(10 ** 9) },
    { shardCreateTime, shardIx, seqIx: String(int(2 ** 31) * 2 ** 20 + int(2 ** 20)), byte1: 'ab' },
    { shardCreateTime, shardIx, seqIx: '9223372036854775807', seqTime: shardCreateTime },
    { shardCreateTime, shardIx, version: 2 },
    {
      shardCreateTime,
      shardIx: shardIx % 256,
      version: 1,
      seqIx: int(256),
      byte1: '01',
      seqRand: '0123456789abcd',
    },
    { shardCreateTime, shardIx: shardIx % 65_536, version: 0, seqRand: 'fedcba9876543210' },
  );
}

it("writes every sequence number as kinesalite's stringifySequence does", () => {
  for (const parts of partsSeen) {
    expect(outcome(() => fast.stringifySequence(parts))).toEqual(
      outcome(() => original.stringifySequence(parts)),
    );
  }
});

it('reads every sequence number kinesalite writes as its parseSequence does, version 2 included', () => {
  const versions = new Set<unknown>();
  for (const parts of partsSeen) {
    const seq = original.stringifySequence(parts);
    const parsed = outcome(() => fast.parseSequence(seq));
    expect(parsed).toEqual(outcome(() => original.parseSequence(seq)));
    versions.add((parsed as { value?: { version?: unknown } }).value?.version);
  }
  expect([...versions].sort()).toEqual([0, 1, 2]);
});

it('answers malformed, out-of-range and odd inputs exactly as kinesalite does (its errors included)', () => {
  const digits = (n: number) => Array.from({ length: n }, () => int(10)).join('');
  const odd: unknown[] = [
    '',
    'abc',
    '12a',
    ' 123',
    '-5',
    '1e50',
    '0x1f',
    '0',
    '1',
    String(2n ** 124n - 1n),
    String(2n ** 129n),
    String(2n ** 185n),
    String(3n * 2n ** 184n),
    String(2n ** 186n),
    // version 2 with a sequence index or a creation date too large
    String(BigInt('0x2' + '0'.repeat(10) + 'f' + '0'.repeat(34) + '2')),
    String(BigInt('0x2' + 'f'.repeat(9) + '0'.repeat(35) + '2')),
    12345,
    undefined,
    null,
  ];
  for (let i = 0; i < 3000; i++) odd.push(digits(1 + int(60)));
  for (const seq of odd) {
    expect(outcome(() => fast.parseSequence(seq))).toEqual(outcome(() => original.parseSequence(seq)));
  }
  const oddParts: Record<string, unknown>[] = [
    { shardCreateTime: 1_500_000_000_000, shardIx: -3, seqIx: 1 },
    { shardCreateTime: 1_500_000_000_000, shardIx: 1, seqIx: -1 },
    { shardCreateTime: 1_500_000_000_000, shardIx: 1, seqIx: 1.5 },
    { shardCreateTime: 1_500_000_000_000, shardIx: 1, seqIx: ' 12' },
    { shardCreateTime: Number.NaN, shardIx: 1 },
    { shardCreateTime: 1_500_000_000_000, version: 3 },
    { shardCreateTime: 1_500_000_000_000, shardIx: 1, byte1: 'zz' },
  ];
  for (const parts of oddParts) {
    expect(outcome(() => fast.stringifySequence(parts))).toEqual(
      outcome(() => original.stringifySequence(parts)),
    );
  }
});

it('places each partition key as kinesalite does, computing it once per key', () => {
  const keys = ['Shadowfax', 'Bucephalus-0001', 'ünïcörn', '', 'x'.repeat(256)];
  for (const key of [...keys, ...keys]) {
    expect(String(fast.partitionKeyToHashKey(key))).toBe(String(original.partitionKeyToHashKey(key)));
  }
  expect(fast.partitionKeyToHashKey('Shadowfax')).toBe(fast.partitionKeyToHashKey('Shadowfax'));
});
