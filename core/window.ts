import { formatStatusTime } from './status-time';
import type { UnicornSummary } from './summary';
import { decodeUnicornStatus, roundDistance, type UnicornStatus } from './telemetry';

/**
 * Per-unicorn running totals of one window, compact because Lambda carries the state between
 * invocations and allows at most 1 MB per shard: [records, distance, minMagic, maxMagic,
 * minHealth, maxHealth]. About 80 bytes of JSON per unicorn, so thousands fit.
 */
export type Tally = [number, number, number, number, number, number];

export interface WindowState {
  /** The window segment's identity: the eventID (`shardId:sequenceNumber`) of its first record. */
  seg?: string;
  /** Totals keyed by unicorn name: several unicorns share a shard and must not be mixed. */
  u: Record<string, Tally>;
}

const isTally = (value: unknown): value is Tally =>
  Array.isArray(value) &&
  value.length === 6 &&
  value.every((n) => typeof n === 'number' && Number.isFinite(n));

/**
 * The state to continue from: a fresh copy of what the previous invocation returned (never the
 * caller's object, which a repeated invocation may pass again), or an empty state on the first
 * invocation of a window, when Lambda passes `{}` or nothing. A state that is not ours fails
 * loudly rather than being silently reset.
 */
export function restoreWindowState(raw: unknown): WindowState {
  if (raw === undefined || raw === null || (typeof raw === 'object' && Object.keys(raw).length === 0)) {
    return { u: {} };
  }
  const candidate = raw as Partial<WindowState>;
  if (
    typeof candidate.u !== 'object' ||
    candidate.u === null ||
    (candidate.seg !== undefined && typeof candidate.seg !== 'string')
  ) {
    throw new Error('Unrecognised window state: expected { seg, u }');
  }
  const u: Record<string, Tally> = {};
  for (const [name, tally] of Object.entries(candidate.u)) {
    if (!isTally(tally)) throw new Error(`Unrecognised window state for unicorn "${name}"`);
    u[name] = [...tally];
  }
  return { seg: candidate.seg, u };
}

/** Adds one status to the state in place. */
export function tallyStatus(state: WindowState, status: UnicornStatus): void {
  const t = state.u[status.Name];
  if (!t) {
    state.u[status.Name] = [
      1,
      status.Distance,
      status.MagicPoints,
      status.MagicPoints,
      status.HealthPoints,
      status.HealthPoints,
    ];
    return;
  }
  t[0] += 1;
  t[1] += status.Distance;
  if (status.MagicPoints < t[2]) t[2] = status.MagicPoints;
  if (status.MagicPoints > t[3]) t[3] = status.MagicPoints;
  if (status.HealthPoints < t[4]) t[4] = status.HealthPoints;
  if (status.HealthPoints > t[5]) t[5] = status.HealthPoints;
}

export interface WindowRecord {
  /** `shardId:sequenceNumber`, as in a Lambda Kinesis event record. */
  readonly eventID: string;
  /** Base64 data blob. */
  readonly data: string;
}

export interface MalformedRecord<R> {
  readonly record: R;
  readonly reason: string;
}

/**
 * Folds a batch into the window state (in place) and returns the records that could not be
 * read, with the reason, so the caller can set them aside without blocking the shard.
 */
export function tallyRecords<R extends WindowRecord>(
  state: WindowState,
  records: readonly R[],
): MalformedRecord<R>[] {
  const malformed: MalformedRecord<R>[] = [];
  for (const record of records) {
    state.seg ??= record.eventID;
    const status = decodeUnicornStatus(record.data);
    if (status.ok) tallyStatus(state, status.value);
    else malformed.push({ record, reason: status.reason });
  }
  return malformed;
}

/** The summaries of a finished window (or window segment), one per unicorn, in name order. */
export function windowSummaries(state: WindowState, windowStart: string | Date): UnicornSummary[] {
  if (!state.seg) return [];
  const statusTime = formatStatusTime(new Date(windowStart));
  return Object.keys(state.u)
    .sort()
    .map((name) => {
      const [records, distance, minMagic, maxMagic, minHealth, maxHealth] = state.u[name];
      return {
        Name: name,
        StatusTime: statusTime,
        // The state keeps the exact running sum; the summary is rounded as the records are.
        Distance: roundDistance(distance),
        MinMagicPoints: minMagic,
        MaxMagicPoints: maxMagic,
        MinHealthPoints: minHealth,
        MaxHealthPoints: maxHealth,
        Records: records,
        SummaryId: state.seg as string,
      };
    });
}
