import type { KinesisStreamEvent, KinesisStreamRecord, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import type { UnicornStatus } from '#core/telemetry';

/**
 * Lambda's Kinesis events, built as Lambda builds them: the one definition of their shape, used
 * by the local runtime's event sources and, with believable defaults, by tests and benchmarks.
 */

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/wildrydes';
export const SHARD = 'shardId-000000000000';

let sequence = 49_590_000_000_000_000_000_000_000_000_000_000_000_000_000n;

/** A unicorn status with believable defaults; override any field. */
export function unicornStatus(overrides: Partial<UnicornStatus> = {}): UnicornStatus {
  return {
    Name: 'Shadowfax',
    StatusTime: '2017-06-05 09:17:08.189',
    Latitude: 40.749,
    Longitude: -73.988,
    Distance: 31.5,
    MagicPoints: 150,
    HealthPoints: 148,
    ...overrides,
  };
}

export interface RecordOptions {
  readonly shardId?: string;
  readonly sequenceNumber?: string;
  readonly partitionKey?: string;
  readonly arrival?: number;
  readonly eventSourceARN?: string;
  readonly region?: string;
  /** The execution role Lambda invokes with. */
  readonly invokeIdentityArn?: string;
}

/**
 * A Lambda Kinesis event record; `data` is JSON-encoded unless it is a string or bytes;
 * `arrival` in seconds since the epoch, as Lambda gives it.
 */
export function kinesisRecord(data: unknown, options: RecordOptions = {}): KinesisStreamRecord {
  const bytes =
    data instanceof Uint8Array
      ? Buffer.from(data)
      : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data));
  const sequenceNumber = options.sequenceNumber ?? String((sequence += 1n));
  const shardId = options.shardId ?? SHARD;
  const partitionKey =
    options.partitionKey ??
    (typeof data === 'object' && data !== null && 'Name' in data ? String(data.Name) : 'key');
  return {
    eventID: `${shardId}:${sequenceNumber}`,
    eventSource: 'aws:kinesis',
    eventSourceARN: options.eventSourceARN ?? STREAM_ARN,
    eventVersion: '1.0',
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: options.invokeIdentityArn ?? 'arn:aws:iam::123456789012:role/test',
    awsRegion: options.region ?? 'us-east-1',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: bytes.toString('base64'),
      approximateArrivalTimestamp: options.arrival ?? 1_496_654_228.189,
    },
  };
}

export function kinesisEvent(records: KinesisStreamRecord[]): KinesisStreamEvent {
  return { Records: records };
}

export interface WindowOptions {
  readonly state?: object;
  readonly start?: string;
  readonly end?: string;
  readonly final?: boolean;
  readonly terminatedEarly?: boolean;
}

export function tumblingWindowEvent(
  records: KinesisStreamRecord[],
  options: WindowOptions = {},
): KinesisStreamTumblingWindowEvent {
  return {
    Records: records,
    window: { start: options.start ?? '2017-06-05T09:17:00Z', end: options.end ?? '2017-06-05T09:18:00Z' },
    state: options.state ?? {},
    isFinalInvokeForWindow: options.final ?? false,
    isWindowTerminatedEarly: options.terminatedEarly ?? false,
  };
}
