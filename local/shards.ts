import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../cli/run-main';

/** A clock the runtime's loops wait on; tests may pass their own. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = { now: Date.now, sleep };

/**
 * Durable positions of one reader (an event source mapping or a delivery stream): per shard,
 * the last sequence number fully handled and any state to carry on with. Written atomically
 * (temporary file, then rename) after every step, so a restart resumes exactly there.
 */
export class CheckpointStore<S = unknown> {
  private data: Record<string, { after?: string; state?: S; done?: boolean }>;

  constructor(private readonly file: string) {
    this.data = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  }

  get(shardId: string) {
    return this.data[shardId];
  }

  set(shardId: string, value: { after?: string; state?: S; done?: boolean }) {
    this.data[shardId] = value;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(this.data));
    renameSync(temp, this.file);
  }
}

export interface ShardPosition {
  readonly after?: string;
  readonly start: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  readonly timestamp?: number;
}

/** Reads one shard from a position, renewing an expired iterator after the last record read. */
export class ShardReader {
  private iterator?: string;
  private lastSequence?: string;
  /** The shard was closed by a split or merge and every record has been read. */
  closed = false;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    readonly shardId: string,
    private readonly position: ShardPosition,
  ) {
    this.lastSequence = position.after;
  }

  private async newIterator(): Promise<string | undefined> {
    const after = this.lastSequence;
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: this.shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : this.position.start === 'AT_TIMESTAMP'
            ? { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(this.position.timestamp ?? 0) }
            : { ShardIteratorType: this.position.start }),
      }),
    );
    return out.ShardIterator;
  }

  /** Up to `limit` records after the last one returned; an empty list when none are waiting. */
  async read(limit: number): Promise<_Record[]> {
    if (this.closed) return [];
    this.iterator ??= await this.newIterator();
    if (!this.iterator) {
      this.closed = true;
      return [];
    }
    let out;
    try {
      out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }));
    } catch (error) {
      if ((error as { name?: string }).name === 'ExpiredIteratorException') {
        this.iterator = undefined;
        return [];
      }
      throw error;
    }
    const records = out.Records ?? [];
    if (records.length > 0) this.lastSequence = records[records.length - 1].SequenceNumber;
    this.iterator = out.NextShardIterator;
    if (!this.iterator) this.closed = true;
    return records;
  }
}

/** Every shard of a stream, following pagination. */
export async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

/**
 * Runs `work` once for every shard of a stream, as Lambda and Firehose do: a child shard only
 * after its parents are finished, so per-key order holds across resharding. New shards are
 * looked for every `discoverMs` until `signal` aborts; resolves when every shard's work has
 * returned.
 */
export async function forEachShard(
  kinesis: KinesisClient,
  streamName: string,
  work: (shard: Shard) => Promise<void>,
  options: {
    signal: AbortSignal;
    clock: Clock;
    discoverMs: number;
    isDone?: (shardId: string) => boolean;
    onError: (error: unknown) => void;
  },
): Promise<void> {
  const status = new Map<string, 'waiting' | 'running' | 'done'>();
  const shards = new Map<string, Shard>();
  const running = new Set<Promise<void>>();
  const parentsDone = (shard: Shard) =>
    [shard.ParentShardId, shard.AdjacentParentShardId]
      .filter((id): id is string => Boolean(id))
      .every((id) => !status.has(id) || status.get(id) === 'done');
  const startReady = () => {
    for (const [id, shard] of shards) {
      if (status.get(id) !== 'waiting' || !parentsDone(shard) || options.signal.aborted) continue;
      status.set(id, 'running');
      const task: Promise<void> = work(shard)
        .then(() => void status.set(id, 'done'))
        .catch((error: unknown) => {
          status.set(id, 'waiting');
          options.onError(error);
        })
        .finally(() => {
          running.delete(task);
          // A shard whose work failed is picked up again at the next discovery, not at once.
          if (status.get(id) === 'done') startReady();
        });
      running.add(task);
    }
  };
  while (!options.signal.aborted) {
    try {
      for (const shard of await listShards(kinesis, streamName)) {
        const id = shard.ShardId!;
        if (shards.has(id)) continue;
        shards.set(id, shard);
        status.set(id, options.isDone?.(id) ? 'done' : 'waiting');
      }
      startReady();
    } catch (error) {
      options.onError(error);
    }
    await options.clock.sleep(options.discoverMs, options.signal);
  }
  await Promise.allSettled([...running]);
}
