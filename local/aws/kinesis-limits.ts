import { createHash } from 'node:crypto';

/**
 * The per-shard limits of a provisioned Kinesis data stream, as AWS enforces them ("Quotas and
 * limits", Amazon Kinesis Data Streams Developer Guide): each shard takes up to 1,000 records and
 * 1 MiB of writes per second, and serves up to 5 GetRecords calls and 2 MiB of reads per second.
 * A token bucket per shard and per budget, refilled continuously by an injected clock, holds at
 * most one second's worth: a caller may burst to a second's budget, no more.
 */

const MiB = 1024 * 1024;

export interface ShardLimits {
  readonly writeRecordsPerSecond: number;
  readonly writeBytesPerSecond: number;
  readonly readCallsPerSecond: number;
  readonly readBytesPerSecond: number;
}

export const KINESIS_SHARD_LIMITS: ShardLimits = {
  writeRecordsPerSecond: 1000,
  writeBytesPerSecond: MiB,
  readCallsPerSecond: 5,
  readBytesPerSecond: 2 * MiB,
};

/** Request limits that hold whatever the shards: PutRecords takes 500 records, 5 MiB in all. */
export const KINESIS_REQUEST_LIMITS = {
  putRecordsRecords: 500,
  putRecordsBytes: 5 * MiB,
  /** A record's data blob plus its partition key. */
  recordBytes: MiB,
} as const;

/** Tokens that refill at `rate` per second up to `capacity`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** What is there now (negative after a debit beyond it). */
  available(now: number): number {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
    return this.tokens;
  }

  take(n: number, now: number) {
    this.available(now);
    this.tokens -= n;
  }
}

interface ShardBuckets {
  readonly writeRecords: TokenBucket;
  readonly writeBytes: TokenBucket;
  readonly readCalls: TokenBucket;
  readonly readBytes: TokenBucket;
}

/** The budgets of every shard the endpoint has seen, by stream and shard id. */
export class KinesisLimiter {
  private readonly shards = new Map<string, ShardBuckets>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly limits: ShardLimits = KINESIS_SHARD_LIMITS,
  ) {}

  private buckets(stream: string, shardId: string): ShardBuckets {
    const key = `${stream}/${shardId}`;
    let found = this.shards.get(key);
    if (!found) {
      const now = this.now();
      const { writeRecordsPerSecond, writeBytesPerSecond, readCallsPerSecond, readBytesPerSecond } =
        this.limits;
      found = {
        writeRecords: new TokenBucket(writeRecordsPerSecond, writeRecordsPerSecond, now),
        writeBytes: new TokenBucket(writeBytesPerSecond, writeBytesPerSecond, now),
        readCalls: new TokenBucket(readCallsPerSecond, readCallsPerSecond, now),
        readBytes: new TokenBucket(readBytesPerSecond, readBytesPerSecond, now),
      };
      this.shards.set(key, found);
    }
    return found;
  }

  /** One record of `bytes` (data and partition key) onto a shard: taken if both budgets hold it. */
  admitWrite(stream: string, shardId: string, bytes: number): boolean {
    const b = this.buckets(stream, shardId);
    const now = this.now();
    if (b.writeRecords.available(now) < 1 || b.writeBytes.available(now) < bytes) return false;
    b.writeRecords.take(1, now);
    b.writeBytes.take(bytes, now);
    return true;
  }

  /**
   * One GetRecords call on a shard: refused past 5 calls a second, or while the bytes read
   * before have overdrawn the read budget (a call may return up to 10 MiB; AWS then refuses
   * the shard's reads until the 2 MiB/s budget has paid for it).
   */
  admitRead(stream: string, shardId: string): boolean {
    const b = this.buckets(stream, shardId);
    const now = this.now();
    if (b.readCalls.available(now) < 1 || b.readBytes.available(now) <= 0) return false;
    b.readCalls.take(1, now);
    return true;
  }

  /** The bytes a GetRecords call returned, charged to the shard's read budget. */
  chargeRead(stream: string, shardId: string, bytes: number) {
    this.buckets(stream, shardId).readBytes.take(bytes, this.now());
  }
}

/** A shard's hash key range (inclusive), as ListShards gives it. */
export interface ShardRange {
  readonly shardId: string;
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * The shard a record goes to, as Kinesis decides it: the MD5 hash of the partition key as a
 * 128-bit unsigned integer (or the explicit hash key), in the open shard whose range holds it.
 */
export function shardFor(
  ranges: readonly ShardRange[],
  partitionKey: string,
  explicitHashKey?: string,
): string | undefined {
  const hash =
    explicitHashKey !== undefined
      ? BigInt(explicitHashKey)
      : BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
  return ranges.find((r) => r.start <= hash && hash <= r.end)?.shardId;
}

/** AWS's message for a shard over its budget (it names the shard, the stream and the account). */
export function rateExceededMessage(shardId: string, stream: string, accountId: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream} under account ${accountId}.`;
}
