/**
 * The Unicorn Dashboard's entry point: reads `config.json`, then reads the telemetry stream
 * and keeps the map, the list and the details up to date.
 */

import { parseDashboardConfig, type ResolvedDashboardConfig } from '../config';
import { dashboardKinesisClient } from './aws';
import { decodeStatus, Fleet, StreamClock } from './fleet';
import { DEFAULT_TRAIL_POINTS } from './trails';
import { StreamReader, type Batch } from './stream-reader';
import { startMonitoring } from './monitoring';
import { DashboardView } from './view';

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

declare global {
  interface Window {
    unicornDashboard?: {
      stats(): DashboardStats;
      /** A unicorn's trail as drawn, oldest point first: [latitude, longitude] pairs. */
      trail(name: string): [number, number][];
    };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

async function loadConfig(): Promise<ResolvedDashboardConfig> {
  let response: Response;
  try {
    response = await fetch('config.json', { cache: 'no-store' });
  } catch (error) {
    throw new Error(`cannot load config.json: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`cannot load config.json: HTTP ${response.status}`);
  let value: unknown;
  try {
    value = await response.json();
  } catch {
    throw new Error('config.json is not valid JSON');
  }
  const parsed = parseDashboardConfig(value);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

function start(config: ResolvedDashboardConfig) {
  const expiryMs = config.expirySeconds * 1000;
  const clock = new StreamClock();
  const streamNow = () => clock.now(Date.now());
  const fleet = new Fleet(expiryMs, {
    durationMs: config.trailSeconds * 1000,
    maxPoints: DEFAULT_TRAIL_POINTS,
  });
  const view = new DashboardView(document, config, fleet, streamNow);
  const counts = { records: 0, malformed: 0, stale: 0 };
  const behind = new Map<string, number>();
  const renderTimes: { at: number; ms: number }[] = [];
  const batchTimes: { at: number; ms: number }[] = [];
  const recordCounts: { at: number; total: number }[] = [];

  let frame = 0;
  const scheduleRender = () => {
    frame ||= requestAnimationFrame(() => {
      frame = 0;
      const started = performance.now();
      view.render(fleet.takeChanges());
      renderTimes.push({ at: Date.now(), ms: performance.now() - started });
    });
  };

  const onBatch = (batch: Batch) => {
    const started = performance.now();
    const now = streamNow();
    let newest = -Infinity;
    for (const record of batch.records) {
      counts.records += 1;
      const arrival = record.ApproximateArrivalTimestamp?.getTime() ?? batch.readAt;
      newest = Math.max(newest, arrival);
      const status = decodeStatus(record.Data);
      if (!status.ok) {
        counts.malformed += 1;
        continue;
      }
      if (fleet.apply(status.value, arrival, now) === 'stale') counts.stale += 1;
    }
    behind.set(batch.shardId, batch.millisBehindLatest);
    if (batch.fresh && newest > -Infinity) clock.observe(newest, batch.readAt);
    if (batch.records.length > 0) scheduleRender();
    batchTimes.push({ at: Date.now(), ms: performance.now() - started });
  };

  const kinesis = dashboardKinesisClient(config, location.href, localStorage);
  const reader = new StreamReader(
    { kinesis, now: Date.now, sleep },
    {
      streamName: config.streamName,
      startFrom: () => new Date(streamNow() - expiryMs),
      pacing: { pollMs: config.pollSeconds * 1000 },
      onBatch,
      onState: (state) => view.setConnection(state),
    },
  );

  const windowMs = 5_000;
  const stats = (): DashboardStats => {
    const now = Date.now();
    for (const times of [renderTimes, batchTimes]) {
      while (times.length > 0 && now - times[0].at > windowMs) times.shift();
    }
    while (recordCounts.length > 1 && now - recordCounts[0].at > windowMs) recordCounts.shift();
    const first = recordCounts[0];
    const seconds = first ? (now - first.at) / 1000 : 0;
    const ages = [...fleet.values()].map((u) => streamNow() - u.lastSeen).sort((a, b) => a - b);
    return {
      unicorns: fleet.size,
      ...counts,
      recordsPerSecond: seconds > 0 ? (counts.records - first.total) / seconds : 0,
      behindMs: Math.max(0, ...behind.values()),
      oldestMs: ages.at(-1) ?? 0,
      medianMs: ages[Math.floor(ages.length / 2)] ?? 0,
      slowestRenderMs: Math.max(0, ...renderTimes.map((r) => r.ms)),
      slowestBatchMs: Math.max(0, ...batchTimes.map((r) => r.ms)),
      lastGetRecordsMs: reader.stats.lastGetRecordsMs,
      getRecordsCalls: reader.stats.getRecordsCalls,
      throttled: reader.stats.throttled,
      renewedIterators: reader.stats.renewedIterators,
    };
  };
  window.unicornDashboard = {
    stats,
    trail: (name) => fleet.trail(name).map((p) => [p.lat, p.lon]),
  };

  // Expiry is checked often enough that a unicorn leaves within a tenth of the expiry.
  const tickMs = Math.min(1_000, Math.max(100, expiryMs / 10));
  setInterval(() => {
    recordCounts.push({ at: Date.now(), total: counts.records });
    fleet.expire(streamNow());
    scheduleRender();
    view.tick();
    const s = stats();
    const rate = s.recordsPerSecond >= 10 ? Math.round(s.recordsPerSecond) : s.recordsPerSecond.toFixed(1);
    view.setStats(
      `${rate} records/s${s.behindMs > 0 ? ` · ${Math.round(s.behindMs / 1000)} s behind` : ''}` +
        (counts.malformed > 0 ? ` · ${counts.malformed} malformed records skipped` : ''),
    );
  }, tickMs);

  // A hidden tab stops reading, leaving the shard's read capacity to everyone else; when it is
  // visible again it picks up the last `expirySeconds` of records and carries on.
  const followVisibility = () => {
    if (document.hidden) void reader.stop();
    else reader.start();
  };
  document.addEventListener('visibilitychange', followVisibility);
  followVisibility();
}

// The local server's Monitoring view (none on AWS), beside the map whatever becomes of it.
void startMonitoring(document);

loadConfig().then(start, (error: Error) => {
  const indicator = document.getElementById('connection');
  if (!indicator) return;
  indicator.dataset.state = 'error';
  indicator.querySelector('.label')!.textContent = 'Error';
  indicator.querySelector('.detail')!.textContent = error.message;
});
