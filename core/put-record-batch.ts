import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { chunkFor, putReliably, type BatchOutcome, type BatchTarget } from './batch-put';
import { DEFAULT_RETRY_POLICY } from './put-records';
import type { RetryPolicy } from './retry';

/**
 * Firehose's PutRecordBatch limits: 500 records and 4 MiB per call, 1,000 KiB per record
 * (before base64 encoding). "These limits cannot be changed" (the API reference).
 */
export const PUT_RECORD_BATCH_LIMITS = {
  maxRecords: 500,
  maxRequestBytes: 4 * 1024 * 1024,
  maxRecordBytes: 1000 * 1024,
} as const;

/**
 * The per-record error codes PutRecordBatch reports that are worth sending again: the API
 * reference names ServiceUnavailableException (throughput exceeded, or a passing fault) and
 * InternalFailure.
 */
export const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set([
  'ServiceUnavailableException',
  'InternalFailure',
  'ThrottlingException',
  'NoResult',
]);

/** A record for Firehose: just its data. */
export interface FirehoseEntry {
  readonly data: Uint8Array;
}

/** Firehose PutRecordBatch as a batch target. */
export function firehoseTarget<E extends FirehoseEntry = FirehoseEntry>(
  client: Pick<FirehoseClient, 'send'>,
  deliveryStreamName: string,
): BatchTarget<E> {
  return {
    service: 'Firehose',
    limits: PUT_RECORD_BATCH_LIMITS,
    size: (entry) => entry.data.byteLength,
    async putOnce(entries) {
      const response = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: deliveryStreamName,
          Records: entries.map((e) => ({ Data: e.data })),
        }),
      );
      return entries.map((_, i) => {
        const result = response.RequestResponses?.[i];
        if (!result) return { code: 'NoResult', message: 'no result for this record' };
        return result.ErrorCode ? { code: result.ErrorCode, message: result.ErrorMessage ?? '' } : undefined;
      });
    },
    retryableEntry: (error) => RETRYABLE_ENTRY_CODES.has(error.code),
  };
}

/** Splits records into PutRecordBatch calls within the limits, in order; an oversized record is an error. */
export function chunkRecordBatches(records: readonly Uint8Array[]): Uint8Array[][] {
  const target = firehoseTarget({ send: async () => ({}) as never }, '');
  return chunkFor(
    target,
    records.map((data) => ({ data })),
  ).map((chunk) => chunk.map((e) => e.data));
}

/**
 * Puts records on a Firehose delivery stream with PutRecordBatch, within its limits, sending
 * again only the entries refused with a retryable ErrorCode, as the API reference advises.
 * Entries refused for good, or still refused after the last attempt, are returned in `failed`
 * with their code, never dropped; a request error no retry can cure (missing delivery stream,
 * denied access) is thrown.
 */
export function putRecordBatchReliably<E extends FirehoseEntry>(
  client: Pick<FirehoseClient, 'send'>,
  deliveryStreamName: string,
  entries: readonly E[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<BatchOutcome<E>> {
  return putReliably(firehoseTarget<E>(client, deliveryStreamName), entries, { policy });
}
