import { isAlert, type SensorReading } from './sensor';
import { SENSOR_SETTINGS } from './settings';

/**
 * Ten-second tumbling windows per sensor, by event time: a reading taken at 10:00:17.250 counts
 * in the window 10:00:10–10:00:20 of its sensor, however late it arrives.
 *
 * Lambda's tumbling window (by arrival time, per shard) decides when running totals are
 * written: it carries them between invocations in its state and hands them over when its
 * window closes. One event-time window of one sensor can therefore be written in several parts
 * (a reading that arrived after its window closed, a window Lambda ended early). Each part is
 * named by the segment it came from, so the table adds every part exactly once.
 */

/** Running totals of one sensor in one event-time window: [count, Σambient, Σmeasured, alerts]. */
export type SensorTally = [number, number, number, number];

export interface SensorWindowState {
  /** The segment's identity: the eventID (`shardId:sequenceNumber`) of its first record. */
  seg?: string;
  /** Totals keyed by `windowStartMs|sensorId`; about 60 bytes each, so Lambda's 1 MB holds thousands. */
  t: Record<string, SensorTally>;
}

const isTally = (value: unknown): value is SensorTally =>
  Array.isArray(value) &&
  value.length === 4 &&
  value.every((n) => typeof n === 'number' && Number.isFinite(n));

/**
 * The state to continue from: a copy of what the previous invocation returned, or an empty
 * state when Lambda passes `{}` or nothing. A state that is not ours fails loudly.
 */
export function restoreSensorWindowState(raw: unknown): SensorWindowState {
  if (raw === undefined || raw === null || (typeof raw === 'object' && Object.keys(raw).length === 0)) {
    return { t: {} };
  }
  const candidate = raw as Partial<SensorWindowState>;
  if (
    typeof candidate.t !== 'object' ||
    candidate.t === null ||
    (candidate.seg !== undefined && typeof candidate.seg !== 'string')
  ) {
    throw new Error('Unrecognised sensor window state: expected { seg, t }');
  }
  const t: Record<string, SensorTally> = {};
  for (const [key, tally] of Object.entries(candidate.t)) {
    if (!isTally(tally) || !/^\d+\|/.test(key))
      throw new Error(`Unrecognised sensor window state at "${key}"`);
    t[key] = [...tally];
  }
  return { seg: candidate.seg, t };
}

export const SENSOR_WINDOW_MS = SENSOR_SETTINGS.windowSeconds * 1000;

/** Start of the event-time window a moment falls in, milliseconds since the epoch. */
export function eventWindowStart(eventTimestamp: number, windowMs = SENSOR_WINDOW_MS): number {
  return Math.floor(eventTimestamp / windowMs) * windowMs;
}

/** Adds one (unique) reading to the state, in place. */
export function tallyReading(
  state: SensorWindowState,
  reading: SensorReading,
  windowMs = SENSOR_WINDOW_MS,
): void {
  const key = `${eventWindowStart(reading.eventTimestamp, windowMs)}|${reading.sensorId}`;
  const alert = isAlert(reading) ? 1 : 0;
  const t = state.t[key];
  if (!t) {
    state.t[key] = [1, reading.ambientTemp, reading.measuredTemp, alert];
    return;
  }
  t[0] += 1;
  t[1] += reading.ambientTemp;
  t[2] += reading.measuredTemp;
  t[3] += alert;
}

/** Sums that add up across parts; averages follow from them. */
export interface SensorTotals {
  readonly count: number;
  readonly ambientTempSum: number;
  readonly measuredTempSum: number;
  /** How many of the readings passed the alert filter. */
  readonly alerts: number;
}

/** One segment's contribution to one sensor's window, as written to the aggregate table. */
export interface SensorAggregatePart extends SensorTotals {
  readonly sensorId: string;
  /** ISO 8601 UTC, e.g. `2026-11-22T10:00:10.000Z`. */
  readonly windowStart: string;
  readonly windowEnd: string;
  /** The segment this part came from: adding a part twice changes nothing. */
  readonly partId: string;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The parts of a finished Lambda window segment, by sensor and window start. */
export function windowParts(state: SensorWindowState, windowMs = SENSOR_WINDOW_MS): SensorAggregatePart[] {
  if (!state.seg) return [];
  return Object.entries(state.t)
    .map(([key, [count, ambientTempSum, measuredTempSum, alerts]]) => {
      const bar = key.indexOf('|');
      const start = Number(key.slice(0, bar));
      return {
        sensorId: key.slice(bar + 1),
        windowStart: new Date(start).toISOString(),
        windowEnd: new Date(start + windowMs).toISOString(),
        count,
        ambientTempSum,
        measuredTempSum,
        alerts,
        partId: state.seg as string,
      };
    })
    .sort((a, b) => compare(a.sensorId, b.sensorId) || compare(a.windowStart, b.windowStart));
}

/** Averages of a window from its totals. */
export function averagesOf(totals: SensorTotals): { avgAmbientTemp: number; avgMeasuredTemp: number } {
  return {
    avgAmbientTemp: totals.ambientTempSum / totals.count,
    avgMeasuredTemp: totals.measuredTempSum / totals.count,
  };
}
