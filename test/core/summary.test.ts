import { applySummary, decodeUnicornSummary, parseUnicornSummary, type UnicornSummary } from '#core/summary';

const part = (overrides: Partial<UnicornSummary> = {}): UnicornSummary => ({
  Name: 'Shadowfax',
  StatusTime: '2017-06-05 09:17:00.000',
  Distance: 100,
  MinMagicPoints: 140,
  MaxMagicPoints: 160,
  MinHealthPoints: 120,
  MaxHealthPoints: 150,
  Records: 4,
  SummaryId: 'shardId-000000000000:1',
  ...overrides,
});

describe('summary parts', () => {
  it('stores a first part as the totals', () => {
    const item = applySummary(undefined, part());
    expect(item).toMatchObject({ Distance: 100, Records: 4, Version: 1 });
    expect(item?.Parts).toEqual({
      'shardId-000000000000:1': {
        Distance: 100,
        MinMagicPoints: 140,
        MaxMagicPoints: 160,
        MinHealthPoints: 120,
        MaxHealthPoints: 150,
        Records: 4,
      },
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
