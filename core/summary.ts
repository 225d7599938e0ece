import { decodeBase64Json } from './record-data';
import { invalid, ok, type Parsed } from './result';
import { parseStatusTime } from './status-time';
import { MAX_NAME_LENGTH } from './telemetry';

/** What one minute of one unicorn adds up to. */
export interface SummaryTotals {
  /** Sum of the Distance of the records in the window, in metres. */
  readonly Distance: number;
  readonly MinMagicPoints: number;
  readonly MaxMagicPoints: number;
  readonly MinHealthPoints: number;
  readonly MaxHealthPoints: number;
  /** How many status records the totals cover. */
  readonly Records: number;
}

/**
 * A per-minute summary as the aggregation puts it on `wildrydes-summary`.
 *
 * Lambda may deliver one unicorn-minute in several parts (a window ended early, a resharded
 * stream) and may emit the same part more than once (a retried final invocation). `SummaryId`
 * names the part deterministically — the shard and first sequence number of the window segment
 * it covers — so a repeated part can be recognised and distinct parts merged.
 */
export interface UnicornSummary extends SummaryTotals {
  readonly Name: string;
  /** Start of the window, `YYYY-MM-DD HH:mm:ss.SSS` UTC. */
  readonly StatusTime: string;
  readonly SummaryId: string;
}

const TOTAL_FIELDS = [
  'Distance',
  'MinMagicPoints',
  'MaxMagicPoints',
  'MinHealthPoints',
  'MaxHealthPoints',
  'Records',
] as const satisfies readonly (keyof SummaryTotals)[];

export function totalsOf(summary: SummaryTotals): SummaryTotals {
  const { Distance, MinMagicPoints, MaxMagicPoints, MinHealthPoints, MaxHealthPoints, Records } = summary;
  return { Distance, MinMagicPoints, MaxMagicPoints, MinHealthPoints, MaxHealthPoints, Records };
}

export function mergeTotals(a: SummaryTotals, b: SummaryTotals): SummaryTotals {
  return {
    Distance: a.Distance + b.Distance,
    MinMagicPoints: Math.min(a.MinMagicPoints, b.MinMagicPoints),
    MaxMagicPoints: Math.max(a.MaxMagicPoints, b.MaxMagicPoints),
    MinHealthPoints: Math.min(a.MinHealthPoints, b.MinHealthPoints),
    MaxHealthPoints: Math.max(a.MaxHealthPoints, b.MaxHealthPoints),
    Records: a.Records + b.Records,
  };
}

function sameTotals(a: SummaryTotals, b: SummaryTotals): boolean {
  return TOTAL_FIELDS.every((field) => a[field] === b[field]);
}

export function parseUnicornSummary(value: unknown): Parsed<UnicornSummary> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('summary is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  for (const field of ['Name', 'StatusTime', 'SummaryId'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '')
      return invalid(`${field} must be a string`);
  }
  for (const field of TOTAL_FIELDS) {
    const n = record[field];
    if (typeof n !== 'number' || !Number.isFinite(n)) return invalid(`${field} must be a number`);
  }
  const summary = record as unknown as UnicornSummary;
  if (summary.Name.length > MAX_NAME_LENGTH)
    return invalid(`Name must be at most ${MAX_NAME_LENGTH} characters`);
  if (parseStatusTime(summary.StatusTime) === undefined) {
    return invalid(`StatusTime must look like 2017-06-05 09:17:00.000, got "${summary.StatusTime}"`);
  }
  if (!Number.isInteger(summary.Records) || summary.Records < 1)
    return invalid('Records must be a positive whole number');
  return ok(summary);
}

export function decodeUnicornSummary(base64: string): Parsed<UnicornSummary> {
  const json = decodeBase64Json(base64);
  return json.ok ? parseUnicornSummary(json.value) : json;
}

/**
 * The stored form of one unicorn-minute: the merged totals plus every part they were merged
 * from, keyed by SummaryId, and a version for optimistic locking.
 */
export interface SummaryItem extends SummaryTotals {
  readonly Name: string;
  readonly StatusTime: string;
  readonly Parts: Readonly<Record<string, SummaryTotals>>;
  readonly Version: number;
}

/**
 * The item after `summary` is applied to `existing`, or `undefined` when it is already there
 * (a replayed part): applying the same part twice never changes the totals. Totals are always
 * recomputed from all parts in SummaryId order, so the result does not depend on arrival order.
 */
export function applySummary(
  existing: SummaryItem | undefined,
  summary: UnicornSummary,
): SummaryItem | undefined {
  const part = totalsOf(summary);
  const known = existing?.Parts[summary.SummaryId];
  if (known && sameTotals(known, part)) return undefined;
  const parts = { ...existing?.Parts, [summary.SummaryId]: part };
  const totals = Object.keys(parts)
    .sort()
    .map((id) => parts[id])
    .reduce(mergeTotals);
  return {
    Name: summary.Name,
    StatusTime: summary.StatusTime,
    ...totals,
    Parts: parts,
    Version: (existing?.Version ?? 0) + 1,
  };
}
