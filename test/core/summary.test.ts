import {
  applySummary,
  decodeUnicornSummary,
  itemBytes,
  MAX_ITEM_BYTES,
  parseUnicornSummary,
  type UnicornSummary,
} from '#core/summary';

/** The unicorn-minute every part below belongs to. */
const MINUTE = { Name: 'Shadowfax', StatusTime: '2017-06-05 09:17:00.000' };
/** One part's totals, as the aggregation writes them. */
const TOTALS = {
  Distance: 100,
  MinMagicPoints: 140,
  MaxMagicPoints: 160,
  MinHealthPoints: 120,
  MaxHealthPoints: 150,
  Records: 4,
};

const part = (overrides: Partial<UnicornSummary> = {}): UnicornSummary => ({
  ...MINUTE,
  ...TOTALS,
  SummaryId: 'shardId-000000000000:1',
  ...overrides,
});

describe('summary parts', () => {
  it('stores a first part as the totals', () => {
    const item = applySummary(undefined, part());
    expect(item).toEqual({ ...MINUTE, ...TOTALS, PartIds: ['shardId-000000000000:1'], Version: 1 });
  });

  it('keeps only the ids of merged parts, so an item grows by one id per part and stays bounded', () => {
    // A SummaryId as Kinesis numbers it: the shard and a 56-digit sequence number.
    const id = (i: number) =>
      `shardId-000000000003:4959033827149025660855969253836157109592157598913${String(i).padStart(7, '0')}`;
    let item = applySummary(undefined, part({ SummaryId: id(0) }))!;
    const one = itemBytes(item);
    for (let i = 1; i < 1000; i++) item = applySummary(item, part({ SummaryId: id(i) }))!;
    expect(item.Records).toBe(4000);
    expect(item.PartIds).toHaveLength(1000);
    // Each further part costs its id and a byte or two: 1,000 parts, far more than Lambda splits a
    // unicorn-window into, take a fifth of DynamoDB's 400 KB item.
    expect((itemBytes(item) - one) / 999).toBeLessThanOrEqual(id(0).length + 2);
    expect(itemBytes(item)).toBeLessThan(MAX_ITEM_BYTES / 4);
    // Past the limit the merge refuses, saying why, rather than DynamoDB failing the write.
    const crowded = { ...item, PartIds: Array.from({ length: 5300 }, (_, i) => id(i)) };
    expect(() => applySummary(crowded, part({ SummaryId: id(99_999) }))).toThrow(
      /more than a DynamoDB item's 409600 bytes/,
    );
  });

  it("reads items stored with each part's totals, and recognises their parts", () => {
    const legacy = { ...MINUTE, ...TOTALS, Parts: { 'shardId-000000000000:1': TOTALS }, Version: 3 };
    expect(applySummary(legacy, part())).toBeUndefined();
    expect(applySummary(legacy, part({ SummaryId: 'shardId-000000000000:2', Records: 1 }))).toMatchObject({
      Records: 5,
      PartIds: ['shardId-000000000000:1', 'shardId-000000000000:2'],
      Version: 4,
    });
  });

  it('ignores a repeated part: nothing to write, totals unchanged', () => {
    const item = applySummary(undefined, part());
    expect(applySummary(item, part())).toBeUndefined();
  });

  it('merges distinct parts of one unicorn-minute into one total', () => {
    const a = part();
    const b = part({
      SummaryId: 'shardId-000000000000:9',
      Distance: 50,
      MinMagicPoints: 130,
      MaxMagicPoints: 155,
      MinHealthPoints: 125,
      MaxHealthPoints: 170,
      Records: 2,
    });
    const item = applySummary(applySummary(undefined, a), b);
    expect(item).toMatchObject({
      Distance: 150,
      MinMagicPoints: 130,
      MaxMagicPoints: 160,
      MinHealthPoints: 120,
      MaxHealthPoints: 170,
      Records: 6,
      Version: 2,
    });
    // The same parts in the other order give the identical item, and replays change nothing.
    const other = applySummary(applySummary(undefined, b), a);
    expect({ ...other, Version: 0 }).toEqual({ ...item, Version: 0 });
    expect(applySummary(item, a)).toBeUndefined();
    expect(applySummary(item, b)).toBeUndefined();
  });

  it('rounds merged Distance to the centimetre, as the records are, without float noise', () => {
    expect(10 + 10.12).toBe(20.119999999999997); // what adding them as doubles gives
    const first = applySummary(undefined, part({ Distance: 10 }))!;
    const merged = applySummary(first, part({ Distance: 10.12, SummaryId: 'shardId-000000000000:2' }))!;
    expect(merged.Distance).toBe(20.12);
    // Three parts whose running sum drifts: 655.22 as the issue saw it, not 655.2199999999999.
    const parts = [218.01, 218.04, 219.17];
    expect(parts.reduce((sum, d) => sum + d, 0)).toBe(655.2199999999999);
    const total = parts.reduce<ReturnType<typeof applySummary>>(
      (item, Distance, i) => applySummary(item, part({ Distance, SummaryId: `shardId-000000000000:${i}` })),
      undefined,
    );
    expect(total!.Distance).toBe(655.22);
  });

  it('validates summaries read from the stream', () => {
    const good = part();
    expect(decodeUnicornSummary(Buffer.from(JSON.stringify(good)).toString('base64'))).toEqual({
      ok: true,
      value: good,
    });
    expect(parseUnicornSummary({ ...good, Records: 0 })).toEqual({
      ok: false,
      reason: 'Records must be a positive whole number',
    });
    expect(parseUnicornSummary({ ...good, SummaryId: '' })).toEqual({
      ok: false,
      reason: 'SummaryId must be a string',
    });
    expect(parseUnicornSummary({ ...good, MaxMagicPoints: 'lots' })).toEqual({
      ok: false,
      reason: 'MaxMagicPoints must be a number',
    });
    expect(decodeUnicornSummary(Buffer.from('nope').toString('base64'))).toEqual({
      ok: false,
      reason: 'data is not JSON: nope',
    });
  });
});
