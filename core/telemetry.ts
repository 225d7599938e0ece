import { decodeBase64Json } from './record-data';
import { invalid, ok, type Parsed } from './result';
import { parseStatusTime } from './status-time';

/**
 * One status record of one unicorn, as the producer puts it on the `wildrydes` stream once a
 * second: `{"Name":"Shadowfax","StatusTime":"2017-06-05 09:17:08.189","Latitude":40.75,...}`.
 */
export interface UnicornStatus {
  readonly Name: string;
  /** UTC, `YYYY-MM-DD HH:mm:ss.SSS`. */
  readonly StatusTime: string;
  readonly Latitude: number;
  readonly Longitude: number;
  /** Metres flown since the previous record. */
  readonly Distance: number;
  readonly MagicPoints: number;
  readonly HealthPoints: number;
}

type FieldType = 'string' | 'double' | 'int';
interface FieldSpec {
  readonly name: keyof UnicornStatus;
  readonly type: FieldType;
  readonly min?: number;
  readonly max?: number;
}

/**
 * The record schema, field by field. The validator below and the data lake's Glue table are
 * both derived from this list.
 */
export const UNICORN_STATUS_FIELDS: readonly FieldSpec[] = [
  { name: 'Name', type: 'string' },
  { name: 'StatusTime', type: 'string' },
  { name: 'Latitude', type: 'double', min: -90, max: 90 },
  { name: 'Longitude', type: 'double', min: -180, max: 180 },
  { name: 'Distance', type: 'double', min: 0 },
  { name: 'MagicPoints', type: 'int' },
  { name: 'HealthPoints', type: 'int' },
];

/** A unicorn's name is its partition key, which Kinesis limits to 256 characters. */
export const MAX_NAME_LENGTH = 256;

/** Distance is reported to the centimetre: the producer rounds each record so, and sums are rounded alike. */
export const DISTANCE_DECIMALS = 2;

/**
 * `metres` to the centimetre. Sums of centimetre values carry binary floating-point noise
 * (655.22 adds up as 655.2199999999999); rounding them as the records are rounded removes it.
 */
export function roundDistance(metres: number): number {
  const scale = 10 ** DISTANCE_DECIMALS;
  return Math.round(metres * scale) / scale;
}

function checkField(spec: FieldSpec, value: unknown): string | undefined {
  if (spec.type === 'string') {
    return typeof value === 'string' ? undefined : `${spec.name} must be a string`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.name} must be a number`;
  if (spec.type === 'int' && !Number.isInteger(value)) return `${spec.name} must be a whole number`;
  if (spec.min !== undefined && value < spec.min) return `${spec.name} must be at least ${spec.min}`;
  if (spec.max !== undefined && value > spec.max) return `${spec.name} must be at most ${spec.max}`;
  return undefined;
}

/** Validates an already-decoded JSON value against the unicorn status schema. */
export function parseUnicornStatus(value: unknown): Parsed<UnicornStatus> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('record is not a JSON object');
  }
  const record = value as Record<string, unknown>;
  for (const spec of UNICORN_STATUS_FIELDS) {
    const problem = checkField(spec, record[spec.name]);
    if (problem) return invalid(problem);
  }
  const status = record as unknown as UnicornStatus;
  if (status.Name.length === 0 || status.Name.length > MAX_NAME_LENGTH) {
    return invalid(`Name must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  if (parseStatusTime(status.StatusTime) === undefined) {
    return invalid(`StatusTime must look like 2017-06-05 09:17:08.189, got "${status.StatusTime}"`);
  }
  return ok(status);
}

/** Decodes and validates the base64 data of a Kinesis record carrying a unicorn status. */
export function decodeUnicornStatus(base64: string): Parsed<UnicornStatus> {
  const json = decodeBase64Json(base64);
  return json.ok ? parseUnicornStatus(json.value) : json;
}
