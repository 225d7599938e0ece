import type { Fleet } from '../../dashboard/src/fleet';
import { PageStats, statsText, type DashboardStats } from '../../dashboard/src/page-stats';
import type { ReaderStats } from '../../dashboard/src/stream-reader';

const T0 = Date.UTC(2017, 5, 5, 9, 17, 0);
const reader = { lastGetRecordsMs: 12, getRecordsCalls: 7, throttled: 1, renewedIterators: 2 } as ReaderStats;
/** A fleet of unicorns last seen at these times. */
const fleetSeenAt = (...lastSeen: number[]) =>
  ({
    size: lastSeen.length,
    values: () => lastSeen.map((t) => ({ lastSeen: t })).values(),
  }) as unknown as Fleet;

beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

describe('the page stats', () => {
  it('count the records, take the rate over the last five seconds and the most a shard is behind', () => {
    const stats = new PageStats();
    stats.sampleRecords(); // 0 records at T0
    jest.setSystemTime(T0 + 2_000);
    stats.counts.records = 10;
    stats.sampleRecords();
    jest.setSystemTime(T0 + 7_000);
    stats.counts.records = 40;
    stats.counts.malformed = 1;
    stats.behind.set('shardId-000000000000', 3_000);
    stats.behind.set('shardId-000000000001', 1_000);
    // T0's sample is past the window: the rate runs from T0 + 2 s, 30 records in 5 s.
    expect(stats.current(fleetSeenAt(), reader, () => T0 + 7_000)).toMatchObject({
      records: 40,
      malformed: 1,
      stale: 0,
      recordsPerSecond: 6,
      behindMs: 3_000,
      lastGetRecordsMs: 12,
      getRecordsCalls: 7,
      throttled: 1,
      renewedIterators: 2,
    });
  });

  it('have no rate from a single sample, and nothing behind before any response', () => {
    const stats = new PageStats();
    stats.sampleRecords();
    expect(stats.current(fleetSeenAt(), reader, () => T0)).toMatchObject({
      recordsPerSecond: 0,
      behindMs: 0,
      oldestMs: 0,
      medianMs: 0,
      unicorns: 0,
    });
  });

  it('give the oldest and the median age of the unicorns, in stream time', () => {
    const stats = new PageStats();
    const streamNow = () => T0 + 10_000;
    expect(stats.current(fleetSeenAt(T0 + 9_000, T0, T0 + 6_000), reader, streamNow)).toMatchObject({
      unicorns: 3,
      oldestMs: 10_000,
      medianMs: 4_000,
    });
  });

  it('keep the slowest frame and batch of the last five seconds only', () => {
    const stats = new PageStats();
    let started = performance.now();
    jest.advanceTimersByTime(40);
    stats.rendered(started); // a 40 ms frame
    started = performance.now();
    jest.advanceTimersByTime(25);
    stats.handled(started); // a 25 ms batch
    expect(stats.current(fleetSeenAt(), reader, Date.now)).toMatchObject({
      slowestRenderMs: 40,
      slowestBatchMs: 25,
    });
    jest.advanceTimersByTime(5_001);
    expect(stats.current(fleetSeenAt(), reader, Date.now)).toMatchObject({
      slowestRenderMs: 0,
      slowestBatchMs: 0,
    });
  });
});

describe('the status bar', () => {
  const base = { recordsPerSecond: 0, behindMs: 0, malformed: 0 } as DashboardStats;

  it('shows a low rate to a tenth, a high one whole', () => {
    expect(statsText({ ...base, recordsPerSecond: 2.25 })).toBe('2.3 records/s');
    expect(statsText({ ...base, recordsPerSecond: 12.6 })).toBe('13 records/s');
  });

  it('says how far behind the stream is and how many malformed records were skipped', () => {
    expect(statsText({ ...base, recordsPerSecond: 3, behindMs: 4_600, malformed: 2 })).toBe(
      '3.0 records/s · 5 s behind · 2 malformed records skipped',
    );
  });
});
