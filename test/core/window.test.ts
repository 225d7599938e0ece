import { restoreWindowState, tallyRecords, windowSummaries, type WindowState } from '#core/window';
import { kinesisRecord, unicornStatus } from '../../lambda/shared/kinesis-events';
import { expectedTotals } from '../support/oracle';

const asWindowRecords = (records: ReturnType<typeof kinesisRecord>[]) =>
  records.map((r) => ({ eventID: r.eventID, data: r.kinesis.data }));

describe('window aggregation', () => {
  it('keeps separate totals per unicorn on a shared shard', () => {
    const state = restoreWindowState({});
    const records = asWindowRecords([
      kinesisRecord(unicornStatus({ Name: 'Shadowfax', Distance: 10, MagicPoints: 150, HealthPoints: 140 })),
      kinesisRecord(unicornStatus({ Name: 'Bucephalus', Distance: 5, MagicPoints: 100, HealthPoints: 90 })),
      kinesisRecord(unicornStatus({ Name: 'Shadowfax', Distance: 20, MagicPoints: 160, HealthPoints: 130 })),
    ]);
    expect(tallyRecords(state, records)).toEqual([]);
    const summaries = windowSummaries(state, '2017-06-05T09:17:00Z');
    expect(summaries).toEqual([
      {
        Name: 'Bucephalus',
        StatusTime: '2017-06-05 09:17:00.000',
        Distance: 5,
        MinMagicPoints: 100,
        MaxMagicPoints: 100,
        MinHealthPoints: 90,
        MaxHealthPoints: 90,
        Records: 1,
        SummaryId: records[0].eventID,
      },
      {
        Name: 'Shadowfax',
        StatusTime: '2017-06-05 09:17:00.000',
        Distance: 30,
        MinMagicPoints: 150,
        MaxMagicPoints: 160,
        MinHealthPoints: 130,
        MaxHealthPoints: 140,
        Records: 2,
        SummaryId: records[0].eventID,
      },
    ]);
  });

  it('gives the same totals whether a window arrives in one batch or many, through JSON state', () => {
    const statuses = Array.from({ length: 50 }, (_, i) =>
      unicornStatus({
        Name: `U${i % 3}`,
        Distance: i * 1.25,
        MagicPoints: 100 + ((i * 7) % 40),
        HealthPoints: 120 + ((i * 11) % 30),
      }),
    );
    const records = asWindowRecords(statuses.map((s) => kinesisRecord(s)));

    const whole = restoreWindowState(undefined);
    tallyRecords(whole, records);

    let carried: unknown = {};
    for (let i = 0; i < records.length; i += 7) {
      const state = restoreWindowState(carried);
      tallyRecords(state, records.slice(i, i + 7));
      carried = JSON.parse(JSON.stringify(state)); // what Lambda carries between invocations
    }
    const pieces = windowSummaries(restoreWindowState(carried), '2017-06-05T09:17:00Z');
    expect(pieces).toEqual(windowSummaries(whole, '2017-06-05T09:17:00Z'));

    for (const summary of pieces) expect(summary).toMatchObject(expectedTotals(statuses, summary.Name));
  });

  it("rounds a minute's Distance to the centimetre, as the records are, without float noise", () => {
    // Sixty records a minute at centimetre precision, as the fleet flies them.
    const distances = Array.from({ length: 60 }, (_, i) => 10.92 + ((i * 7) % 5) / 100);
    const plainSum = distances.reduce((sum, d) => sum + d, 0);
    expect(plainSum).toBe(656.4000000000001); // what adding them as doubles gives
    const state = restoreWindowState({});
    const statuses = distances.map((Distance) => unicornStatus({ Name: 'Shadowfax', Distance }));
    tallyRecords(state, asWindowRecords(statuses.map((status) => kinesisRecord(status))));
    const [summary] = windowSummaries(state, '2017-06-05T09:17:00Z');
    expect(summary.Distance).toBe(656.4);
    expect(summary).toMatchObject(expectedTotals(statuses, 'Shadowfax'));

    const two = restoreWindowState({});
    tallyRecords(
      two,
      asWindowRecords([10, 10.01].map((Distance) => kinesisRecord(unicornStatus({ Distance })))),
    );
    expect(10 + 10.01).toBe(20.009999999999998);
    expect(windowSummaries(two, '2017-06-05T09:17:00Z')[0].Distance).toBe(20.01);
  });

  it('sets malformed records aside with a reason and still counts the rest', () => {
    const state = restoreWindowState({});
    const good = kinesisRecord(unicornStatus());
    const bad = kinesisRecord('{"Name": "Shadowfax", "Distance": "far"');
    const wrongType = kinesisRecord({ ...unicornStatus(), Distance: 'far' });
    const malformed = tallyRecords(state, asWindowRecords([bad, good, wrongType]));
    expect(malformed.map((m) => m.reason)).toEqual([
      expect.stringMatching(/^data is not JSON/),
      'Distance must be a number',
    ]);
    expect(windowSummaries(state, '2017-06-05T09:17:00Z')).toEqual([expect.objectContaining({ Records: 1 })]);
  });

  it('names the segment by its first record, malformed or not, so a replay gets the same id', () => {
    const records = asWindowRecords([kinesisRecord('garbage'), kinesisRecord(unicornStatus())]);
    const first = restoreWindowState({});
    tallyRecords(first, records);
    const replay = restoreWindowState({});
    tallyRecords(replay, records.slice(0, 1));
    tallyRecords(replay, records.slice(1));
    expect(first.seg).toBe(records[0].eventID);
    expect(windowSummaries(replay, '2017-06-05T09:17:00Z')).toEqual(
      windowSummaries(first, '2017-06-05T09:17:00Z'),
    );
  });

  it('has nothing to summarise for an empty window', () => {
    expect(windowSummaries(restoreWindowState({}), '2017-06-05T09:17:00Z')).toEqual([]);
  });

  it('keeps the state of 1,000 unicorns far below the 1 MB Lambda carries per shard', () => {
    const state: WindowState = restoreWindowState({});
    const records = Array.from({ length: 5_000 }, (_, i) =>
      kinesisRecord(
        unicornStatus({ Name: `Unicorn-${String(i % 1000).padStart(4, '0')}`, Distance: 29.87654321 + i }),
      ),
    );
    tallyRecords(state, asWindowRecords(records));
    const bytes = Buffer.byteLength(JSON.stringify(state));
    expect(Object.keys(state.u)).toHaveLength(1000);
    expect(bytes).toBeLessThan(100 * 1024);
  });
});

describe('restoreWindowState', () => {
  it('never mutates the state it was given, so a repeated invocation sees the same input', () => {
    const given = { seg: 'shardId-0:1', u: { Shadowfax: [1, 10, 150, 150, 140, 140] } };
    const snapshot = JSON.parse(JSON.stringify(given));
    const state = restoreWindowState(given);
    tallyRecords(state, asWindowRecords([kinesisRecord(unicornStatus())]));
    expect(given).toEqual(snapshot);
    expect(state.u.Shadowfax[0]).toBe(2);
  });

  it('rejects a state it does not recognise instead of starting over silently', () => {
    expect(() => restoreWindowState({ total: 5 })).toThrow(/Unrecognised window state/);
    expect(() => restoreWindowState({ u: { Shadowfax: [1, 2] } })).toThrow(/for unicorn "Shadowfax"/);
  });
});
