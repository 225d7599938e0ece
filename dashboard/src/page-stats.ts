/**
 * What the page measures about itself while it runs: records seen (and how many were malformed
 * or stale), how far behind each shard is, how long frames and batches take, and the record
 * rate, over the last few seconds. Shown in the status bar and exposed for measurements.
 */

import type { Fleet } from './fleet';
import type { ReaderStats } from './stream-reader';

/** What the page exposes for measurements (`window.unicornDashboard.stats()`). */
export interface DashboardStats {
  readonly unicorns: number;
  readonly records: number;
  readonly malformed: number;
  readonly stale: number;
  /** Records per second over the last few seconds. */
  readonly recordsPerSecond: number;
  /** The largest MillisBehindLatest of the shards' latest responses. */
  readonly behindMs: number;
  /** Age of the oldest latest record among active unicorns, and of the median one. */
  readonly oldestMs: number;
  readonly medianMs: number;
  /** The slowest frame of the last few seconds, in ms. */
  readonly slowestRenderMs: number;
  /** The slowest handling (decoding and applying) of one response in the last few seconds, in ms. */
  readonly slowestBatchMs: number;
  /** How long the latest GetRecords call took, in ms. */
  readonly lastGetRecordsMs: number;
  readonly getRecordsCalls: number;
  readonly throttled: number;
  readonly renewedIterators: number;
}

/** How far back the rate and the slowest frame and batch look. */
const WINDOW_MS = 5_000;

interface Timed {
  readonly at: number;
  readonly ms: number;
}

export class PageStats {
  readonly counts = { records: 0, malformed: 0, stale: 0 };
  /** Each shard's MillisBehindLatest, from its latest response. */
  readonly behind = new Map<string, number>();
  private readonly renderTimes: Timed[] = [];
  private readonly batchTimes: Timed[] = [];
  private readonly recordCounts: { at: number; total: number }[] = [];

  /** A frame that began at `started` (`performance.now()`) is drawn. */
  rendered(started: number): void {
    this.renderTimes.push({ at: Date.now(), ms: performance.now() - started });
  }

  /** A batch whose handling began at `started` (`performance.now()`) is handled. */
  handled(started: number): void {
    this.batchTimes.push({ at: Date.now(), ms: performance.now() - started });
  }

  /** Notes the record count now, for the rate. */
  sampleRecords(): void {
    this.recordCounts.push({ at: Date.now(), total: this.counts.records });
  }

  /** The stats now, forgetting what is older than the window. */
  current(fleet: Fleet, reader: ReaderStats, streamNow: () => number): DashboardStats {
    const now = Date.now();
    for (const times of [this.renderTimes, this.batchTimes]) {
      while (times.length > 0 && now - times[0].at > WINDOW_MS) times.shift();
    }
    const { recordCounts } = this;
    while (recordCounts.length > 1 && now - recordCounts[0].at > WINDOW_MS) recordCounts.shift();
    const first = recordCounts[0];
    const seconds = first ? (now - first.at) / 1000 : 0;
    const ages = [...fleet.values()].map((u) => streamNow() - u.lastSeen).sort((a, b) => a - b);
    return {
      unicorns: fleet.size,
      ...this.counts,
      recordsPerSecond: seconds > 0 ? (this.counts.records - first.total) / seconds : 0,
      behindMs: Math.max(0, ...this.behind.values()),
      oldestMs: ages.at(-1) ?? 0,
      medianMs: ages[Math.floor(ages.length / 2)] ?? 0,
      slowestRenderMs: Math.max(0, ...this.renderTimes.map((r) => r.ms)),
      slowestBatchMs: Math.max(0, ...this.batchTimes.map((r) => r.ms)),
      lastGetRecordsMs: reader.lastGetRecordsMs,
      getRecordsCalls: reader.getRecordsCalls,
      throttled: reader.throttled,
      renewedIterators: reader.renewedIterators,
    };
  }
}

/** The status bar's text: the record rate, how far behind, and malformed records skipped. */
export function statsText(s: DashboardStats): string {
  const rate = s.recordsPerSecond >= 10 ? Math.round(s.recordsPerSecond) : s.recordsPerSecond.toFixed(1);
  return (
    `${rate} records/s${s.behindMs > 0 ? ` · ${Math.round(s.behindMs / 1000)} s behind` : ''}` +
    (s.malformed > 0 ? ` · ${s.malformed} malformed records skipped` : '')
  );
}
