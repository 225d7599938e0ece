import { decodeBase64Json } from './record-data';
import { invalid, ok, type Parsed } from './result';
import { parseStatusTime } from './status-time';
import { MAX_NAME_LENGTH, roundDistance } from './telemetry';

/** What one minute of one unicorn adds up to. */
export interface SummaryTotals {
  /** Sum of the Distance of the records in the window, in metres, to the centimetre as they are. */
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
    Distance: roundDistance(a.Distance + b.Distance),
    MinMagicPoints: Math.min(a.MinMagicPoints, b.MinMagicPoints),
    MaxMagicPoints: Math.max(a.MaxMagicPoints, b.MaxMagicPoints),
    MinHealthPoints: Math.min(a.MinHealthPoints, b.MinHealthPoints),
    MaxHealthPoints: Math.max(a.MaxHealthPoints, b.MaxHealthPoints),
    Records: a.Records + b.Records,
  };
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
 * The stored form of one unicorn-minute: the merged totals, the SummaryIds of the parts merged
 * into them (so a repeated part is recognised), and a version for optimistic locking. Only ids
 * are kept, not each part's totals, so an item grows by one id (under 100 bytes) per part; Lambda
 * splits a unicorn-window into parts only per shard and per early-terminated window, so an item
 * holds a handful of ids and stays far below DynamoDB's 400 KB item limit (see `itemBytes`).
 */
export interface SummaryItem extends SummaryTotals {
  readonly Name: string;
  readonly StatusTime: string;
  readonly PartIds: readonly string[];
  readonly Version: number;
}

/** An item as an earlier version stored it: each part's totals keyed by SummaryId. */
interface LegacySummaryItem extends Omit<SummaryItem, 'PartIds'> {
  readonly Parts: Readonly<Record<string, SummaryTotals>>;
}

/** DynamoDB's largest item, attribute names and values together. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * An item's size as DynamoDB counts it, near enough to bound it: attribute names and strings in
 * UTF-8 bytes, a number up to 21 bytes, a list 3 bytes plus 1 byte per element and the elements.
 */
export function itemBytes(value: unknown, name = ''): number {
  const own = Buffer.byteLength(name);
  if (typeof value === 'string') return own + Buffer.byteLength(value);
  if (typeof value === 'number') return own + Math.min(21, Math.ceil(String(value).length / 2) + 1);
  if (typeof value === 'boolean' || value === null || value === undefined) return own + 1;
  if (Array.isArray(value)) return own + 3 + value.reduce((n: number, v) => n + 1 + itemBytes(v), 0);
  return (
    own +
    (name ? 3 : 0) +
    Object.entries(value as Record<string, unknown>).reduce((n, [k, v]) => n + 1 + itemBytes(v, k), 0)
  );
}

function partIdsOf(existing: SummaryItem | LegacySummaryItem): readonly string[] {
  return 'PartIds' in existing ? existing.PartIds : Object.keys(existing.Parts);
}

/**
 * The item after `summary` is applied to `existing`, or `undefined` when that part is already
 * in it (a replayed part): applying the same part twice never changes the totals. Distinct parts
 * are merged into the totals as they arrive. Throws, rather than let DynamoDB refuse the write,
 * if the item would outgrow `MAX_ITEM_BYTES`.
 */
export function applySummary(
  existing: SummaryItem | LegacySummaryItem | undefined,
  summary: UnicornSummary,
): SummaryItem | undefined {
  const known = existing ? partIdsOf(existing) : [];
  if (known.includes(summary.SummaryId)) return undefined;
  const totals = existing ? mergeTotals(totalsOf(existing), totalsOf(summary)) : totalsOf(summary);
  const item: SummaryItem = {
    Name: summary.Name,
    StatusTime: summary.StatusTime,
    ...totals,
    PartIds: [...known, summary.SummaryId].sort(),
    Version: (existing?.Version ?? 0) + 1,
  };
  const bytes = itemBytes(item);
  if (bytes > MAX_ITEM_BYTES) {
    throw new Error(
      `${summary.Name} ${summary.StatusTime} would hold ${item.PartIds.length} parts (${bytes} bytes), more than a DynamoDB item's ${MAX_ITEM_BYTES} bytes`,
    );
  }
  return item;
}
