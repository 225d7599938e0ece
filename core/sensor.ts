import { createHash } from 'node:crypto';
import { decodeBase64Json } from './record-data';
import { invalid, ok, type Parsed } from './result';
import { SENSOR_SETTINGS } from './settings';

/**
 * One temperature reading of one IoT sensor, as producers put it on the sensor stream:
 * `{"sensorId":"sensor-7","eventTimestamp":1763805600123,"ambientTemp":21,"measuredTemp":48.5,"status":"OK"}`.
 *
 * This is the normalized form the pipeline passes on: `sensorId` is a string (a numeric id is
 * accepted and written as its decimal string), `eventTimestamp` is milliseconds since the epoch
 * (an ISO 8601 time with a zone is accepted and converted), and `currentTemperature`, the name
 * the Kinesis Data Generator's own example uses, is accepted for `measuredTemp`.
 */
export interface SensorReading {
  readonly sensorId: string;
  /** When the sensor took the reading, milliseconds since the epoch (UTC). */
  readonly eventTimestamp: number;
  /** Temperature around the sensor, °C. */
  readonly ambientTemp: number;
  /** Temperature the sensor measured, °C. */
  readonly measuredTemp: number;
  readonly status?: string;
}

/** Sensor ids are partition keys downstream, which Kinesis limits to 256 characters. */
export const MAX_SENSOR_ID_LENGTH = 128;
export const MAX_STATUS_LENGTH = 64;
const ABSOLUTE_ZERO = -273.15;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function temperature(record: Record<string, unknown>, field: string): number | string {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${field} must be a number`;
  if (value < ABSOLUTE_ZERO) return `${field} must be at least ${ABSOLUTE_ZERO}, got ${value}`;
  return value;
}

/** Validates and normalizes an already-decoded JSON value as a sensor reading. */
export function parseSensorReading(value: unknown): Parsed<SensorReading> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('reading is not a JSON object');
  }
  const record = value as Record<string, unknown>;

  let sensorId: string;
  if (typeof record.sensorId === 'string') sensorId = record.sensorId;
  else if (Number.isSafeInteger(record.sensorId) && (record.sensorId as number) >= 0)
    sensorId = String(record.sensorId);
  else return invalid('sensorId must be a string or a whole number');
  if (sensorId.length === 0 || sensorId.length > MAX_SENSOR_ID_LENGTH) {
    return invalid(`sensorId must be 1 to ${MAX_SENSOR_ID_LENGTH} characters`);
  }

  let eventTimestamp: number;
  const time = record.eventTimestamp;
  if (typeof time === 'number' && Number.isSafeInteger(time) && time >= 0) eventTimestamp = time;
  else if (typeof time === 'string' && ISO_TIME.test(time) && !Number.isNaN(Date.parse(time)))
    eventTimestamp = Date.parse(time);
  else {
    return invalid(
      `eventTimestamp must be milliseconds since the epoch or an ISO 8601 time with a zone, got ${JSON.stringify(time)}`,
    );
  }

  const ambientTemp = temperature(record, 'ambientTemp');
  if (typeof ambientTemp === 'string') return invalid(ambientTemp);
  const measuredField =
    record.measuredTemp === undefined && record.currentTemperature !== undefined
      ? 'currentTemperature'
      : 'measuredTemp';
  const measuredTemp = temperature(record, measuredField);
  if (typeof measuredTemp === 'string') return invalid(measuredTemp);

  const status = record.status;
  if (status !== undefined && (typeof status !== 'string' || status.length > MAX_STATUS_LENGTH)) {
    return invalid(`status must be a string of at most ${MAX_STATUS_LENGTH} characters`);
  }
  return ok({
    sensorId,
    eventTimestamp,
    ambientTemp,
    measuredTemp,
    // An empty status is no status: both are written as an empty CSV field.
    ...(status === undefined || status === '' ? {} : { status }),
  });
}

/** Decodes and validates the base64 data of a Kinesis record carrying a sensor reading. */
export function decodeSensorReading(base64: string): Parsed<SensorReading> {
  const json = decodeBase64Json(base64);
  return json.ok ? parseSensorReading(json.value) : json;
}

/** The continuous filter: measured and ambient temperatures more than the threshold apart. */
export function isAlert(reading: SensorReading, threshold: number = SENSOR_SETTINGS.alertThreshold): boolean {
  return Math.abs(reading.measuredTemp - reading.ambientTemp) > threshold;
}

/**
 * What makes two readings the same reading: sensor, event time and every value. A SHA-256 of
 * the normalized fields, so that the key has a fixed size whatever the sensor id.
 */
export function sensorFingerprint(reading: SensorReading): string {
  const canonical = JSON.stringify([
    reading.sensorId,
    reading.eventTimestamp,
    reading.ambientTemp,
    reading.measuredTemp,
    reading.status ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}

/** The last reading kept for a fingerprint: which record it was and when it arrived. */
export interface SeenReading {
  /** The Kinesis record's `shardId:sequenceNumber`. */
  readonly eventId: string;
  /** Arrival on the stream, milliseconds since the epoch. */
  readonly arrival: number;
}

export interface DedupCandidate extends SeenReading {
  readonly fingerprint: string;
}

/**
 * Whether `candidate` repeats the reading `previous` (the last one kept with the same
 * fingerprint): it does when it arrived at most `windowMs` before or after it. The same record
 * seen again (a retried batch) is never its own duplicate, so replays decide the same way.
 */
export function isDuplicate(
  previous: SeenReading | undefined,
  candidate: SeenReading,
  windowMs: number = SENSOR_SETTINGS.dedupWindowMs,
): boolean {
  if (!previous || previous.eventId === candidate.eventId) return false;
  return Math.abs(candidate.arrival - previous.arrival) <= windowMs;
}

export interface DedupOutcome<T> {
  readonly unique: T[];
  readonly duplicates: T[];
  /** The new last-kept reading of each fingerprint that kept one, to remember for later batches. */
  readonly kept: Map<string, SeenReading>;
}

/**
 * Drops repeated readings from a batch, in stream order: each candidate is compared with the
 * last reading kept for its fingerprint, from this batch or, through `seen`, from earlier ones.
 */
export function dedupe<T extends DedupCandidate>(
  seen: ReadonlyMap<string, SeenReading>,
  candidates: readonly T[],
  windowMs: number = SENSOR_SETTINGS.dedupWindowMs,
): DedupOutcome<T> {
  const unique: T[] = [];
  const duplicates: T[] = [];
  const kept = new Map<string, SeenReading>();
  for (const candidate of candidates) {
    const previous = kept.get(candidate.fingerprint) ?? seen.get(candidate.fingerprint);
    if (isDuplicate(previous, candidate, windowMs)) {
      duplicates.push(candidate);
    } else {
      unique.push(candidate);
      kept.set(candidate.fingerprint, { eventId: candidate.eventId, arrival: candidate.arrival });
    }
  }
  return { unique, duplicates, kept };
}

/** Columns of the CSV objects delivered to S3, in order (the objects have no header line). */
export const SENSOR_CSV_COLUMNS = [
  'sensorId',
  'eventTimestamp',
  'ambientTemp',
  'measuredTemp',
  'status',
] as const;

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (with its line break) for a reading. Numbers are written so they read back exactly. */
export function sensorCsvLine(reading: SensorReading): string {
  return `${[
    csvField(reading.sensorId),
    String(reading.eventTimestamp),
    String(reading.ambientTemp),
    String(reading.measuredTemp),
    csvField(reading.status ?? ''),
  ].join(',')}\n`;
}

/** Splits one RFC 4180 record into its fields. */
export function splitCsvRecord(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      for (i++; i < line.length; i++) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i++;
          } else break;
        } else field += line[i];
      }
      if (i >= line.length) throw new Error('unterminated quoted field');
      i++;
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    if (line[i] !== ',') throw new Error(`expected a comma at character ${i + 1}`);
    i++;
  }
}

/**
 * Splits CSV text (an object Firehose delivered) into records, honouring quoted line breaks.
 * Each record is one line of {@link sensorCsvLine} output.
 */
export function splitCsvLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === '\n' && !quoted) {
      lines.push(text.slice(start, text[i - 1] === '\r' ? i - 1 : i));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** Reads a delivered CSV line back into the reading it was written from. */
export function parseSensorCsvLine(line: string): Parsed<SensorReading> {
  let fields: string[];
  try {
    fields = splitCsvRecord(line);
  } catch (error) {
    return invalid(`not a CSV line: ${(error as Error).message}`);
  }
  if (fields.length !== SENSOR_CSV_COLUMNS.length) {
    return invalid(`expected ${SENSOR_CSV_COLUMNS.length} columns, got ${fields.length}`);
  }
  const [sensorId, eventTimestamp, ambientTemp, measuredTemp, status] = fields;
  return parseSensorReading({
    sensorId,
    eventTimestamp: eventTimestamp === '' ? undefined : Number(eventTimestamp),
    ambientTemp: ambientTemp === '' ? undefined : Number(ambientTemp),
    measuredTemp: measuredTemp === '' ? undefined : Number(measuredTemp),
    ...(status === '' ? {} : { status }),
  });
}
