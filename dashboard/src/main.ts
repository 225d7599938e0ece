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
import { PageStats, statsText, type DashboardStats } from './page-stats';
import { DashboardView } from './view';

export type { DashboardStats } from './page-stats';

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

/**
 * Reads the telemetry stream into the fleet and keeps the page up to date: the map and list
 * redrawn on new records, expiry and the status bar on a tick, reading only while the tab shows.
 */
function start(config: ResolvedDashboardConfig) {
  const expiryMs = config.expirySeconds * 1000;
  const clock = new StreamClock();
  const streamNow = () => clock.now(Date.now());
  const fleet = new Fleet(expiryMs, {
    durationMs: config.trailSeconds * 1000,
    maxPoints: DEFAULT_TRAIL_POINTS,
  });
  const view = new DashboardView(document, config, fleet, streamNow);
  const measured = new PageStats();
  const scheduleRender = onNextFrame(() => {
    const started = performance.now();
    view.render(fleet.takeChanges());
    measured.rendered(started);
  });

  const onBatch = (batch: Batch) => {
    const started = performance.now();
    const newest = applyBatch(batch, fleet, measured.counts, streamNow());
    measured.behind.set(batch.shardId, batch.millisBehindLatest);
    if (batch.fresh && newest > -Infinity) clock.observe(newest, batch.readAt);
    if (batch.records.length > 0) scheduleRender();
    measured.handled(started);
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

  const stats = () => measured.current(fleet, reader.stats, streamNow);
  window.unicornDashboard = {
    stats,
    trail: (name) => fleet.trail(name).map((p) => [p.lat, p.lon]),
  };

  // Expiry is checked often enough that a unicorn leaves within a tenth of the expiry.
  const tickMs = Math.min(1_000, Math.max(100, expiryMs / 10));
  setInterval(() => {
    measured.sampleRecords();
    fleet.expire(streamNow());
    scheduleRender();
    view.tick();
    view.setStats(statsText(stats()));
  }, tickMs);
  readWhileVisible(reader);
}

/** A function that runs `render` at the next animation frame, once however often it is called before. */
function onNextFrame(render: () => void): () => void {
  let frame = 0;
  return () => {
    frame ||= requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  };
}

/**
 * Applies a batch's records to the fleet at stream time `now`, counting them (and the malformed
 * and stale ones); the newest arrival time among them, or -Infinity for none.
 */
function applyBatch(batch: Batch, fleet: Fleet, counts: PageStats['counts'], now: number): number {
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
  return newest;
}

/**
 * A hidden tab stops reading, leaving the shard's read capacity to everyone else; when it is
 * visible again it picks up the last `expirySeconds` of records and carries on.
 */
function readWhileVisible(reader: StreamReader): void {
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
