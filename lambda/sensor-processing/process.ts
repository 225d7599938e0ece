import type { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type {
  KinesisStreamRecord,
  KinesisStreamStateResponse,
  KinesisStreamTumblingWindowEvent,
} from 'aws-lambda';
import { failedRecord } from '#core/failure-record';
import { DEFAULT_RETRY_POLICY, putRecordsReliably, type PutEntry, type RetryPolicy } from '#core/put-records';
import { decodeSensorReading, dedupe, isAlert, sensorFingerprint, type SensorReading } from '#core/sensor';
import { restoreSensorWindowState, tallyReading, windowParts } from '#core/sensor-window';
import type { FailureQueue } from '../shared/failure-queue';
import type { AggregateStore } from './aggregate-store';
import type { DedupStore } from './dedup-store';

export type SensorMetric =
  | 'MalformedRecords'
  | 'DuplicatesDropped'
  | 'UniqueReadings'
  | 'AlertsForwarded'
  | 'AggregatesAdded'
  | 'AggregatesUnchanged';

export interface SensorProcessingDeps {
  readonly kinesis: KinesisClient;
  readonly alertStreamName: string;
  readonly dedup: Pick<DedupStore, 'lookup' | 'remember'>;
  readonly aggregates: Pick<AggregateStore, 'add'>;
  readonly failures: Pick<FailureQueue, 'send'>;
  readonly log: Pick<Logger, 'info' | 'warn'>;
  readonly count: (metric: SensorMetric, value: number) => void;
  readonly retryPolicy?: RetryPolicy;
  /** Aggregate parts written at once. @default 10 */
  readonly writeConcurrency?: number;
}

interface Candidate {
  readonly record: KinesisStreamRecord;
  readonly reading: SensorReading;
  readonly fingerprint: string;
  readonly eventId: string;
  readonly arrival: number;
}

const encoder = new TextEncoder();

/** The alert as forwarded: the normalized reading, keyed by sensor so a sensor's alerts stay in order. */
export function alertEntry(reading: SensorReading): PutEntry {
  return { data: encoder.encode(JSON.stringify(reading)), partitionKey: reading.sensorId };
}

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/**
 * One invocation of the sensor pipeline on a batch of the sensor stream, in Lambda's 10-second
 * tumbling window:
 *
 * 1. decode and validate each record; unreadable ones go to the failure queue and are counted;
 * 2. drop repeated readings (same sensor, event time and values, arriving within a second of
 *    the one kept), remembering the kept ones in the dedup table;
 * 3. forward the readings that pass the temperature filter to the alert stream, from which
 *    Firehose delivers them to S3 as CSV;
 * 4. add every unique reading to its sensor's event-time window in the state, and when Lambda
 *    closes its window, add each sensor-window's totals to the aggregate table.
 *
 * A step that fails after its own retries fails the invocation; Lambda repeats it with the same
 * state, and every step decides the same way again (a record is never its own duplicate, parts
 * are added once), so nothing is counted twice.
 */
export function createSensorProcessingHandler(deps: SensorProcessingDeps) {
  return async (event: KinesisStreamTumblingWindowEvent): Promise<KinesisStreamStateResponse> => {
    const state = restoreSensorWindowState(event.state);
    for (const record of event.Records) state.seg ??= record.eventID;
    const candidates = await readCandidates(event.Records, deps);
    if (candidates.length > 0) {
      const unique = await dropRepeats(candidates, deps);
      await forwardAlerts(unique, deps);
      for (const c of unique) tallyReading(state, c.reading);
    }
    if (!event.isFinalInvokeForWindow && !event.isWindowTerminatedEarly) {
      return { state, batchItemFailures: [] };
    }
    await closeWindow(state, event, deps);
    return { state: {}, batchItemFailures: [] };
  };
}

/** Step 1: the readings of the batch; unreadable records go to the failure queue. */
async function readCandidates(
  records: readonly KinesisStreamRecord[],
  deps: SensorProcessingDeps,
): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  const malformed: { record: KinesisStreamRecord; reason: string }[] = [];
  for (const record of records) {
    const reading = decodeSensorReading(record.kinesis.data);
    if (!reading.ok) {
      malformed.push({ record, reason: reading.reason });
      continue;
    }
    candidates.push({
      record,
      reading: reading.value,
      fingerprint: sensorFingerprint(reading.value),
      eventId: record.eventID,
      arrival: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    });
  }
  if (malformed.length > 0) {
    deps.log.warn('Set aside malformed sensor records', {
      count: malformed.length,
      records: malformed.slice(0, 10).map((m) => ({ eventID: m.record.eventID, reason: m.reason })),
    });
    await deps.failures.send(malformed.map((m) => failedRecord(m.record, m.reason)));
    deps.count('MalformedRecords', malformed.length);
  }
  return candidates;
}

/** Step 2: the readings not seen before, remembered in the dedup table. */
async function dropRepeats(candidates: Candidate[], deps: SensorProcessingDeps): Promise<Candidate[]> {
  const seen = await deps.dedup.lookup(candidates.map((c) => c.fingerprint));
  const { unique, duplicates, kept } = dedupe(seen, candidates);
  await deps.dedup.remember(kept);
  if (duplicates.length > 0) {
    deps.log.info('Dropped repeated readings', {
      count: duplicates.length,
      records: duplicates.slice(0, 10).map((d) => d.eventId),
    });
  }
  deps.count('DuplicatesDropped', duplicates.length);
  deps.count('UniqueReadings', unique.length);
  return unique;
}

/** Step 3: the alerts among them, on the alert stream; any not accepted fail the invocation. */
async function forwardAlerts(unique: readonly Candidate[], deps: SensorProcessingDeps): Promise<void> {
  const alerts = unique.filter((c) => isAlert(c.reading)).map((c) => alertEntry(c.reading));
  if (alerts.length === 0) return;
  const outcome = await putRecordsReliably(
    deps.kinesis,
    deps.alertStreamName,
    alerts,
    deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
  );
  if (outcome.failed.length > 0) {
    throw new Error(
      `${outcome.failed.length} of ${alerts.length} alerts were not accepted by ${deps.alertStreamName}: ${outcome.failed[0].error}`,
    );
  }
  deps.count('AlertsForwarded', outcome.sent);
}

/** Step 4, when Lambda closes the window: each sensor-window's totals added to the aggregate table. */
async function closeWindow(
  state: ReturnType<typeof restoreSensorWindowState>,
  event: KinesisStreamTumblingWindowEvent,
  deps: SensorProcessingDeps,
): Promise<void> {
  const parts = windowParts(state);
  let added = 0;
  await inPool(parts, deps.writeConcurrency ?? 10, async (part) => {
    if ((await deps.aggregates.add(part)) === 'added') added += 1;
  });
  deps.count('AggregatesAdded', added);
  deps.count('AggregatesUnchanged', parts.length - added);
  deps.log.info('Window closed', {
    window: event.window,
    terminatedEarly: event.isWindowTerminatedEarly,
    parts: parts.length,
    segment: state.seg,
  });
}
