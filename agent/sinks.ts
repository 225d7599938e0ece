/**
 * Where a flow's records go: a Kinesis data stream (PutRecords) or a Firehose delivery stream
 * (PutRecordBatch). Both accept a batch and answer per entry, so one delivery routine serves
 * both: it splits records into requests within the API's limits and re-sends only the entries
 * that were rejected, with the retry policy's back-off (`core/retry.ts`), keeping their
 * order. What still fails is handed back, never dropped.
 */
import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { errorMessage } from '#core/put-records';
import { isRetryableError, retrying, type RetryPolicy } from '#core/retry';
import { DESTINATION_LIMITS } from './config-schema';

export interface SinkEntry {
  readonly data: Uint8Array;
  /** Kinesis only. */
  readonly partitionKey?: string;
}

export interface SinkLimits {
  readonly maxRecords: number;
  readonly maxRequestBytes: number;
  /** Largest record, as `size` counts it. */
  readonly maxRecordBytes: number;
}

export interface Sink {
  /** `KinesisStream:<name>` or `DeliveryStream:<name>`: the Java agent's Destination metric dimension. */
  readonly destination: string;
  readonly limits: SinkLimits;
  /** Whether records need a partition key. */
  readonly keyed: boolean;
  /** Bytes an entry counts against the limits (Kinesis counts the partition key too). */
  size(entry: SinkEntry): number;
  /**
   * One request. Resolves to one error per entry (undefined: accepted, in order); rejects when
   * the request failed as a whole.
   */
  putOnce(entries: readonly SinkEntry[]): Promise<(string | undefined)[]>;
}

const describeEntryError = (code: string | undefined, message: string | undefined) =>
  code ? `${code}: ${message ?? ''}`.trim() : undefined;

export function kinesisSink(client: KinesisClient, streamName: string): Sink {
  return {
    destination: `KinesisStream:${streamName}`,
    limits: DESTINATION_LIMITS.kinesis,
    keyed: true,
    size: (entry) => entry.data.byteLength + Buffer.byteLength(entry.partitionKey ?? ''),
    async putOnce(entries) {
      const response = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: entries.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey! })),
        }),
      );
      return entries.map((_, i) => {
        const result = response.Records?.[i];
        return result ? describeEntryError(result.ErrorCode, result.ErrorMessage) : 'no result';
      });
    },
  };
}

export function firehoseSink(client: FirehoseClient, deliveryStreamName: string): Sink {
  return {
    destination: `DeliveryStream:${deliveryStreamName}`,
    limits: DESTINATION_LIMITS.firehose,
    keyed: false,
    size: (entry) => entry.data.byteLength,
    async putOnce(entries) {
      const response = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: deliveryStreamName,
          Records: entries.map((e) => ({ Data: e.data })),
        }),
      );
      if (response.FailedPutCount === 0) return entries.map(() => undefined);
      return entries.map((_, i) => {
        const result = response.RequestResponses?.[i];
        return result ? describeEntryError(result.ErrorCode, result.ErrorMessage) : 'no result';
      });
    },
  };
}

/** What one delivery did, in the Java agent's metric terms. */
export interface DeliveryCounts {
  /** Entries in requests, retries included (RecordSendAttempts). */
  attempted: number;
  /** Entries a request answered with an error, retries included (RecordSendErrors). */
  failed: number;
  /** Requests that failed as a whole (ServiceErrors). */
  serviceErrors: number;
  /** Bytes of the entries accepted (BytesSent). */
  bytesSent: number;
}

export interface DeliveryOutcome<E extends SinkEntry> {
  /** Entry re-sends (an entry retried twice counts twice). */
  readonly retried: number;
  /** Entries not accepted, with the last error for each. */
  readonly failed: { readonly entry: E; readonly error: string }[];
  readonly counts: DeliveryCounts;
}

/** Splits entries into requests within the sink's limits, keeping their order. */
export function chunk<E extends SinkEntry>(sink: Sink, entries: readonly E[]): E[][] {
  const chunks: E[][] = [];
  let current: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = sink.size(entry);
    if (
      current.length === sink.limits.maxRecords ||
      (current.length > 0 && bytes + size > sink.limits.maxRequestBytes)
    ) {
      chunks.push(current);
      [current, bytes] = [[], 0];
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

class PartialFailure extends Error {}

/** An error that retrying cannot cure (a missing stream, denied access) ends the delivery. */
const fatal = (error: unknown) => !(error instanceof PartialFailure) && !isRetryableError(error);

/**
 * Sends entries, re-sending rejected ones with back-off, up to `policy.maxAttempts` requests per
 * chunk. Entries not accepted in the end come back in `failed` with their last error; after an
 * error that retrying cannot cure, the remaining chunks are not tried.
 */
export async function deliver<E extends SinkEntry>(
  sink: Sink,
  entries: readonly E[],
  policy: RetryPolicy,
): Promise<DeliveryOutcome<E>> {
  const counts: DeliveryCounts = { attempted: 0, failed: 0, serviceErrors: 0, bytesSent: 0 };
  const failed: { entry: E; error: string }[] = [];
  let retried = 0;
  let stopped: string | undefined;
  for (const requestEntries of chunk(sink, entries)) {
    if (stopped !== undefined) {
      failed.push(...requestEntries.map((entry) => ({ entry, error: stopped! })));
      continue;
    }
    let pending = requestEntries;
    let errors: (string | undefined)[] = [];
    const attempt = async () => {
      counts.attempted += pending.length;
      let results: (string | undefined)[];
      try {
        results = await sink.putOnce(pending);
      } catch (error) {
        counts.serviceErrors += 1;
        throw error;
      }
      pending.forEach(
        (entry, i) => (counts.bytesSent += results[i] === undefined ? entry.data.byteLength : 0),
      );
      errors = results.filter((r) => r !== undefined);
      pending = pending.filter((_, i) => results[i] !== undefined);
      counts.failed += pending.length;
      if (pending.length > 0) throw new PartialFailure(`${pending.length} records were not accepted`);
    };
    try {
      await retrying(attempt, {
        policy,
        retryable: (error) => !fatal(error),
        onRetry: () => (retried += pending.length),
      });
    } catch (error) {
      const reason = error instanceof PartialFailure ? undefined : errorMessage(error);
      if (fatal(error)) stopped = reason;
      pending.forEach((entry, i) => failed.push({ entry, error: reason ?? errors[i] ?? 'unknown error' }));
    }
  }
  return { retried, failed, counts };
}
