/**
 * Where a flow's records go: a Kinesis data stream (PutRecords) or a Firehose delivery stream
 * (PutRecordBatch). Both are batch targets of the project's one sending routine
 * (`core/batch-put.ts`): requests within the API's limits, only rejected entries re-sent with
 * the retry policy's back-off, order kept, and what still fails handed back, never dropped.
 */
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  chunkFor,
  putReliably,
  type BatchCounts,
  type BatchOutcome,
  type BatchTarget,
} from '#core/batch-put';
import { firehoseTarget } from '#core/put-record-batch';
import { kinesisTarget } from '#core/put-records';
import type { RetryPolicy } from '#core/retry';

export interface SinkEntry {
  readonly data: Uint8Array;
  /** Kinesis only; Firehose takes no partition key. */
  readonly partitionKey?: string;
}

export interface Sink {
  /** `KinesisStream:<name>` or `DeliveryStream:<name>`: the Java agent's Destination metric dimension. */
  readonly destination: string;
  /** Whether records need a partition key. */
  readonly keyed: boolean;
  readonly target: BatchTarget<SinkEntry>;
}

/** What one delivery did, in the Java agent's metric terms (see `metrics.ts`). */
export type DeliveryCounts = BatchCounts;

export function kinesisSink(client: Pick<KinesisClient, 'send'>, streamName: string): Sink {
  const target = kinesisTarget(client, streamName);
  const keyed = (entry: SinkEntry) => ({ data: entry.data, partitionKey: entry.partitionKey ?? '' });
  return {
    destination: `KinesisStream:${streamName}`,
    keyed: true,
    target: {
      ...target,
      size: (entry) => target.size(keyed(entry)),
      validate: (entry) => target.validate?.(keyed(entry)),
      putOnce: (entries) => target.putOnce(entries.map(keyed)),
    },
  };
}

export function firehoseSink(client: Pick<FirehoseClient, 'send'>, deliveryStreamName: string): Sink {
  return {
    destination: `DeliveryStream:${deliveryStreamName}`,
    keyed: false,
    target: firehoseTarget<SinkEntry>(client, deliveryStreamName),
  };
}

/** Splits entries into requests within the sink's limits, keeping their order. */
export function chunk<E extends SinkEntry>(sink: Sink, entries: readonly E[]): E[][] {
  return chunkFor(sink.target, entries) as E[][];
}

/**
 * Sends entries, re-sending rejected ones with back-off, up to `policy.maxAttempts` requests per
 * chunk. Entries not accepted in the end come back in `failed` with their last error; after an
 * error that retrying cannot cure, the remaining chunks are not tried.
 */
export function deliver<E extends SinkEntry>(
  sink: Sink,
  entries: readonly E[],
  policy: RetryPolicy,
): Promise<BatchOutcome<E>> {
  return putReliably(sink.target as BatchTarget<E>, entries, { policy, onFatal: 'return' });
}
