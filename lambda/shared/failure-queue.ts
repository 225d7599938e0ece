import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailedRecord } from '#core/failure-record';

/** SendMessageBatch takes at most ten messages. */
const SQS_BATCH = 10;

/**
 * Sends unreadable records to the function's failure queue (the same queue that receives
 * Lambda's on-failure notices), so they are kept for inspection instead of blocking the shard.
 * Throws if any message could not be queued, so that the invocation is retried and nothing is
 * lost.
 */
export class FailureQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(records: readonly FailedRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += SQS_BATCH) {
      const batch = records.slice(i, i + SQS_BATCH);
      const response = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((record, n) => ({ Id: String(n), MessageBody: JSON.stringify(record) })),
        }),
      );
      if (response.Failed && response.Failed.length > 0) {
        const first = response.Failed[0];
        throw new Error(
          `Could not queue ${response.Failed.length} failed records: ${first.Code} ${first.Message ?? ''}`,
        );
      }
    }
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}
