import { preview } from './record-data';

/**
 * A record set aside because it could not be read, as it is sent to the function's failure
 * queue: enough to find the record again in the stream (shard and sequence number, within the
 * stream's retention) and, where it fits in a queue message, the record itself.
 */
export interface FailedRecord {
  readonly kind: 'malformed-record';
  readonly reason: string;
  readonly eventSourceARN: string;
  /** `shardId:sequenceNumber`. */
  readonly eventID: string;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp: number;
  /** The base64 data blob, or absent when it would not fit in one queue message. */
  readonly data?: string;
  /** A readable start of the data, always present. */
  readonly preview: string;
}

/**
 * SQS messages are at most 256 KiB; a Kinesis record may be 1 MiB. Leave room for the
 * envelope and keep only records whose base64 form fits.
 */
const MAX_INLINE_DATA = 200 * 1024;

export interface KinesisLikeRecord {
  readonly eventID: string;
  readonly eventSourceARN: string;
  readonly kinesis: {
    readonly data: string;
    readonly partitionKey: string;
    readonly approximateArrivalTimestamp: number;
  };
}

export function failedRecord(record: KinesisLikeRecord, reason: string): FailedRecord {
  const data = record.kinesis.data;
  return {
    kind: 'malformed-record',
    reason,
    eventSourceARN: record.eventSourceARN,
    eventID: record.eventID,
    partitionKey: record.kinesis.partitionKey,
    approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
    ...(data.length <= MAX_INLINE_DATA ? { data } : {}),
    preview: preview(Buffer.from(data.slice(0, 4096), 'base64').toString('utf8')),
  };
}
