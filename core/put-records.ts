import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { isRetryableError, retrying, type RetryPolicy } from './retry';
import { PUT_RECORDS_LIMITS } from './settings';

export type { RetryPolicy } from './retry';

export interface PutEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

const keyBytes = (entry: PutEntry) => Buffer.byteLength(entry.partitionKey, 'utf8');

/**
 * Splits entries into PutRecords requests within the API's limits (500 records, 5 MiB per
 * request), keeping their order. An entry over the 1 MiB record limit cannot be sent at all
 * and is rejected here rather than failing a whole request later.
 */
export function chunkEntries(entries: readonly PutEntry[], limits = PUT_RECORDS_LIMITS): PutEntry[][] {
  const chunks: PutEntry[][] = [];
  let chunk: PutEntry[] = [];
  let chunkBytes = 0;
  for (const entry of entries) {
    const bytes = entry.data.byteLength + keyBytes(entry);
    if (entry.partitionKey.length === 0 || entry.partitionKey.length > limits.maxPartitionKeyLength) {
      throw new Error(`Partition key must be 1 to ${limits.maxPartitionKeyLength} characters`);
    }
    if (bytes > limits.maxRecordBytes) {
      throw new Error(
        `Record of ${bytes} bytes exceeds the ${limits.maxRecordBytes}-byte Kinesis record limit`,
      );
    }
    if (chunk.length === limits.maxRecords || chunkBytes + bytes > limits.maxRequestBytes) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(entry);
    chunkBytes += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * Eight attempts with full-jitter exponential back-off from 100 ms (capped at 5 s) span about
 * ten seconds: long enough to ride out a shard's one-second throughput window several times.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 5_000 };

export interface PutOutcome {
  /** Entries Kinesis accepted. */
  readonly sent: number;
  /** Entry re-sends (an entry retried twice counts twice). */
  readonly retried: number;
  /** Entries still failing after the last attempt, with Kinesis' last error for each. */
  readonly failed: { readonly entry: PutEntry; readonly error: string }[];
}

class PartialFailure extends Error {
  constructor(readonly count: number) {
    super(`${count} records were not accepted`);
  }
}

/**
 * Puts entries with PutRecords, batching within the API limits and re-sending only the entries
 * Kinesis rejected, with exponential back-off and jitter. Entries that still fail are returned
 * in `failed`, never dropped; a request error that cannot be cured by retrying (missing stream,
 * denied access) is thrown.
 */
export async function putRecordsReliably(
  client: KinesisClient,
  streamName: string,
  entries: readonly PutEntry[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  onRetry?: (count: number) => void,
): Promise<PutOutcome> {
  let sent = 0;
  let retried = 0;
  const failed: { entry: PutEntry; error: string }[] = [];
  for (const chunk of chunkEntries(entries)) {
    let pending = chunk;
    let lastErrors: string[] = [];
    const sendPending = async () => {
      const request: PutRecordsRequestEntry[] = pending.map((e) => ({
        Data: e.data,
        PartitionKey: e.partitionKey,
      }));
      const response = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: request }));
      const results = response.Records ?? [];
      const stillPending: PutEntry[] = [];
      const errors: string[] = [];
      pending.forEach((entry, i) => {
        const result = results[i];
        if (result && !result.ErrorCode) {
          sent += 1;
        } else {
          stillPending.push(entry);
          errors.push(
            result?.ErrorCode ? `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim() : 'no result',
          );
        }
      });
      pending = stillPending;
      lastErrors = errors;
      if (pending.length > 0) throw new PartialFailure(pending.length);
    };
    try {
      await retrying(sendPending, {
        policy,
        retryable: (error) => error instanceof PartialFailure || isRetryableError(error),
        onRetry: () => {
          retried += pending.length;
          onRetry?.(pending.length);
        },
      });
    } catch (error) {
      if (!(error instanceof PartialFailure) && !isRetryableError(error)) throw error;
      const reason = error instanceof PartialFailure ? undefined : errorMessage(error);
      pending.forEach((entry, i) =>
        failed.push({ entry, error: reason ?? lastErrors[i] ?? 'unknown error' }),
      );
    }
  }
  return { sent, retried, failed };
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}
