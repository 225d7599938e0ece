import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { chunkFor, putReliably, type BatchOptions, type BatchOutcome, type BatchTarget } from './batch-put';
import type { RetryPolicy } from './retry';
import { PUT_RECORDS_LIMITS } from './settings';

export { errorMessage } from './batch-put';
export type { RetryPolicy } from './retry';

/** A record for Kinesis: its data and partition key. */
export interface PutEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

export type PutOutcome = BatchOutcome<PutEntry>;

/**
 * Kinesis PutRecords as a batch target: 500 records and 5 MiB per request, 1 MiB per record
 * counting the partition key (1–256 characters). Every per-entry error
 * (ProvisionedThroughputExceededException, InternalFailure) is worth sending again.
 */
export function kinesisTarget(
  client: Pick<KinesisClient, 'send'>,
  streamName: string,
  limits = PUT_RECORDS_LIMITS,
): BatchTarget<PutEntry> {
  return {
    service: 'Kinesis',
    limits,
    size: (entry) => entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8'),
    validate(entry) {
      if (entry.partitionKey.length === 0 || entry.partitionKey.length > limits.maxPartitionKeyLength) {
        throw new Error(`Partition key must be 1 to ${limits.maxPartitionKeyLength} characters`);
      }
    },
    async putOnce(entries) {
      const response = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: entries.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
        }),
      );
      return entries.map((_, i) => {
        const result = response.Records?.[i];
        if (!result) return { code: 'NoResult', message: 'no result for this record' };
        return result.ErrorCode ? { code: result.ErrorCode, message: result.ErrorMessage ?? '' } : undefined;
      });
    },
  };
}

/** Splits entries into PutRecords requests within the API's limits, keeping their order. */
export function chunkEntries(entries: readonly PutEntry[], limits = PUT_RECORDS_LIMITS): PutEntry[][] {
  return chunkFor(kinesisTarget({ send: async () => ({}) as never }, '', limits), entries);
}

/**
 * Eight attempts with full-jitter exponential back-off from 100 ms (capped at 5 s) span about
 * ten seconds: long enough to ride out a shard's one-second throughput window several times.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 5_000 };

/**
 * Puts entries with PutRecords, batching within the API limits and re-sending only the entries
 * Kinesis rejected, with back-off. Entries that still fail are returned in `failed`, never
 * dropped; a request error that cannot be cured by retrying (missing stream, denied access) is
 * thrown.
 */
export function putRecordsReliably(
  client: Pick<KinesisClient, 'send'>,
  streamName: string,
  entries: readonly PutEntry[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  onRetry?: BatchOptions['onRetry'],
  options: Pick<BatchOptions, 'sleep' | 'signal'> = {},
): Promise<PutOutcome> {
  return putReliably(kinesisTarget(client, streamName), entries, { policy, onRetry, ...options });
}
