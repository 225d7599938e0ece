/**
 * What the dashboard knows about the fleet, without any DOM: the latest record of each active
 * unicorn, its speed from successive positions, and when it was last heard from. The page
 * applies records as they are read and asks for what changed when it draws.
 */

import { decodeJson } from '#core/record-data';
import type { Parsed } from '#core/result';
import { speedBetween } from '#core/speed';
import { parseStatusTime } from '#core/status-time';
import { parseUnicornStatus, type UnicornStatus } from '#core/telemetry';
import { DEFAULT_TRAIL_POINTS, Trail, type TrailLimits, type TrailPoint } from './trails';

export interface ActiveUnicorn {
  readonly name: string;
  /** Its latest record. */
  readonly status: UnicornStatus;
  /** The latest record's StatusTime, ms since the epoch. */
  readonly time: number;
  /** Metres per second between its last two records; undefined after only one. */
  readonly speedMps?: number;
  /** When its latest record reached the stream, on the stream's clock (ms since the epoch). */
  readonly lastSeen: number;
}

/**
 * `added`/`moved`: shown. `stale`: not newer than the record already shown (a replay after
 * re-reading the stream, or a duplicate). `expired`: older than the expiry already.
 */
export type ApplyOutcome = 'added' | 'moved' | 'stale' | 'expired';

export interface FleetChanges {
  /** Unicorns added or moved since the last call, in no particular order. */
  readonly changed: ActiveUnicorn[];
  /** Names that expired since the last call. */
  readonly removed: string[];
}

const position = (status: UnicornStatus) => ({ lat: status.Latitude, lon: status.Longitude });

const NO_TRAILS: TrailLimits = { durationMs: 0, maxPoints: DEFAULT_TRAIL_POINTS };

export class Fleet {
  private readonly unicorns = new Map<string, ActiveUnicorn>();
  private readonly trails = new Map<string, Trail>();
  private readonly changed = new Set<string>();
  private readonly removed = new Set<string>();

  /**
   * @param expiryMs a unicorn leaves this long after its last record reached the stream
   * @param trailLimits how much of each unicorn's path to keep (by its records' StatusTime);
   *   none by default
   */
  constructor(
    readonly expiryMs: number,
    private readonly trailLimits: TrailLimits = NO_TRAILS,
  ) {}

  get size(): number {
    return this.unicorns.size;
  }

  get(name: string): ActiveUnicorn | undefined {
    return this.unicorns.get(name);
  }

  values(): IterableIterator<ActiveUnicorn> {
    return this.unicorns.values();
  }

  /** The unicorn's recent positions, oldest first (empty when trails are off or it is not active). */
  trail(name: string): readonly TrailPoint[] {
    return this.trails.get(name)?.points ?? [];
  }

  /**
   * Applies one validated record that reached the stream at `arrival`, with `now` on the same
   * (stream) clock. The speed comes from the great-circle distance to the previous record's
   * position over the StatusTime between them.
   */
  apply(status: UnicornStatus, arrival: number, now: number): ApplyOutcome {
    const time = parseStatusTime(status.StatusTime);
    if (time === undefined) throw new Error(`unvalidated record: StatusTime "${status.StatusTime}"`);
    const current = this.unicorns.get(status.Name);
    if (current && time <= current.time) return 'stale';
    if (!current && now - arrival >= this.expiryMs) return 'expired';
    const speedMps = current
      ? speedBetween(
          { position: position(current.status), time: current.time },
          { position: position(status), time },
        )
      : undefined;
    this.unicorns.set(status.Name, {
      name: status.Name,
      status,
      time,
      speedMps,
      lastSeen: Math.max(arrival, current?.lastSeen ?? arrival),
    });
    this.extendTrail(status, time);
    this.changed.add(status.Name);
    this.removed.delete(status.Name);
    return current ? 'moved' : 'added';
  }

  /** Removes every unicorn whose last record is `expiryMs` or more before `now` (stream clock). */
  expire(now: number): string[] {
    const gone: string[] = [];
    for (const unicorn of this.unicorns.values()) {
      if (now - unicorn.lastSeen >= this.expiryMs) gone.push(unicorn.name);
    }
    for (const name of gone) {
      this.unicorns.delete(name);
      this.trails.delete(name);
      this.changed.delete(name);
      this.removed.add(name);
    }
    return gone;
  }

  private extendTrail(status: UnicornStatus, time: number) {
    if (this.trailLimits.durationMs <= 0) return;
    let trail = this.trails.get(status.Name);
    if (!trail) {
      trail = new Trail(this.trailLimits);
      this.trails.set(status.Name, trail);
    }
    trail.add({ time, lat: status.Latitude, lon: status.Longitude });
  }

  /** What changed since the previous call. */
  takeChanges(): FleetChanges {
    const changes = {
      changed: [...this.changed].map((name) => this.unicorns.get(name)!),
      removed: [...this.removed],
    };
    this.changed.clear();
    this.removed.clear();
    return changes;
  }
}

/** Decodes and validates one record's data blob. */
export function decodeStatus(data: Uint8Array | undefined): Parsed<UnicornStatus> {
  const json = decodeJson(data ?? new Uint8Array());
  return json.ok ? parseUnicornStatus(json.value) : json;
}

/**
 * The stream's clock as seen from this browser. Expiry compares when records reached the
 * stream (Kinesis' ApproximateArrivalTimestamp) with "now", and a browser's clock can be off by
 * seconds or minutes. A record that reached the stream since the previous, caught-up read
 * arrived at most a poll interval before it was read, so `arrival - readAt` underestimates the
 * offset by at most that; the largest such sample of the last minute is the estimate. Without
 * samples the offset is 0.
 */
export class StreamClock {
  private samples: { readonly at: number; readonly offset: number }[] = [];

  constructor(private readonly windowMs = 60_000) {}

  /** A record that reached the stream at `arrival` (since the previous caught-up read) was read at local time `readAt`. */
  observe(arrival: number, readAt: number): void {
    this.samples.push({ at: readAt, offset: arrival - readAt });
    this.prune(readAt);
  }

  offset(localNow: number): number {
    this.prune(localNow);
    let max = -Infinity;
    for (const sample of this.samples) max = Math.max(max, sample.offset);
    return max === -Infinity ? 0 : max;
  }

  now(localNow: number): number {
    return localNow + this.offset(localNow);
  }

  private prune(localNow: number) {
    // Also drops samples "from the future", should the local clock have been set back.
    this.samples = this.samples.filter((s) => localNow - s.at < this.windowMs && s.at <= localNow);
  }
}
