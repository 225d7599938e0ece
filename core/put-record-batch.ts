import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { backOff } from 'exponential-backoff';
import {
  DEFAULT_RETRY_POLICY,
  errorMessage,
  isRetryableError,
  type PutOutcome,
  type RetryPolicy,
} from './put-records';

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
 * The per-record error codes PutRecordBatch reports, both worth sending again: the API reference
 * names ServiceUnavailableException (throughput exceeded, or a passing fault) and InternalFailure.
 */
export const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set([
  'ServiceUnavailableException',
  'InternalFailure',
  'ThrottlingException',
]);

/** Splits records into PutRecordBatch calls within the limits, in order; an oversized record is an error. */
export function chunkRecordBatches(
  records: readonly Uint8Array[],
  limits = PUT_RECORD_BATCH_LIMITS,
): Uint8Array[][] {
  const chunks: Uint8Array[][] = [];
  let chunk: Uint8Array[] = [];
  let bytes = 0;
  for (const record of records) {
    if (record.byteLength > limits.maxRecordBytes) {
      throw new Error(
        `Record of ${record.byteLength} bytes exceeds the ${limits.maxRecordBytes}-byte Firehose record limit`,
      );
    }
    if (chunk.length === limits.maxRecords || bytes + record.byteLength > limits.maxRequestBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += record.byteLength;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Some entries were refused with retryable codes: try those again. */
class RetryEntries extends Error {}

/**
 * Puts records on a Firehose delivery stream with PutRecordBatch, within its limits, sending
 * again only the entries refused with a retryable ErrorCode (with exponential back-off and
 * jitter), as the API reference advises. Entries refused for good, or still refused after the
 * last attempt, are returned in `failed` with their code, never dropped; a request error no retry
 * can cure (missing delivery stream, denied access) is thrown.
 */
export async function putRecordBatchReliably(
  client: FirehoseClient,
  deliveryStreamName: string,
  records: readonly Uint8Array[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<PutOutcome> {
  let sent = 0;
  let retried = 0;
  const failed: { entry: { data: Uint8Array; partitionKey: string }; error: string }[] = [];
  const fail = (data: Uint8Array, error: string) => failed.push({ entry: { data, partitionKey: '' }, error });
  for (const chunk of chunkRecordBatches(records)) {
    let pending = chunk;
    let lastErrors: string[] = [];
    const sendPending = async () => {
      const response = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: deliveryStreamName,
          Records: pending.map((data) => ({ Data: data })),
        }),
      );
      const results = response.RequestResponses ?? [];
      const again: Uint8Array[] = [];
      lastErrors = [];
      pending.forEach((data, i) => {
        const result = results[i];
        if (result?.RecordId && !result.ErrorCode) sent += 1;
        else {
          const code = result?.ErrorCode ?? 'NoResult';
          const reason = `${code}: ${result?.ErrorMessage ?? 'no result for this record'}`.trim();
          if (RETRYABLE_ENTRY_CODES.has(code) || !result) {
            again.push(data);
            lastErrors.push(reason);
          } else fail(data, reason);
        }
      });
      pending = again;
      if (pending.length > 0) throw new RetryEntries(`${pending.length} records to send again`);
    };
    try {
      await backOff(sendPending, {
        numOfAttempts: policy.maxAttempts,
        startingDelay: policy.baseDelayMs,
        maxDelay: policy.maxDelayMs,
        jitter: 'full',
        retry: (error, nextAttempt) => {
          if (nextAttempt >= policy.maxAttempts) return false;
          if (!(error instanceof RetryEntries) && !isRetryableError(error)) return false;
          retried += pending.length;
          return true;
        },
      });
    } catch (error) {
      if (!(error instanceof RetryEntries) && !isRetryableError(error)) throw error;
      const reason = error instanceof RetryEntries ? undefined : errorMessage(error);
      pending.forEach((data, i) => fail(data, reason ?? lastErrors[i] ?? 'unknown error'));
    }
  }
  return { sent, retried, failed };
}
