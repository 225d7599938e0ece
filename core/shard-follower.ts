import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type Shard,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { isRetryableError, retryDelay, type RetryPolicy } from './retry';

/**
 * Following a Kinesis stream, shard by shard, as Lambda, Firehose and the KCL do: every shard
 * is read in order, a child shard only after its parents are finished (so each partition key's
 * order holds across a split or merge), new shards are noticed, expired iterators are renewed
 * and throttling is met with back-off. The consumer CLI, the local runtime's event sources and
 * delivery streams, and the browser dashboard all read through this one module; the client and
 * the clock are injected, and nothing here needs Node.js.
 */

export type KinesisSender = Pick<KinesisClient, 'send'>;

/** A clock the loops wait on; tests pass their own. `sleep` resolves early when `signal` aborts. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Where a shard's reading begins when there is no position to resume from. */
export type ShardStart =
  | { readonly type: 'TRIM_HORIZON' }
  | { readonly type: 'LATEST' }
  | { readonly type: 'AT_TIMESTAMP'; readonly timestamp: Date };

export interface ShardReaderOptions {
  /** Resume after this sequence number (a checkpoint); otherwise begin at `start`. */
  readonly after?: string;
  /** Where to begin without a checkpoint (a function: evaluated at every fresh start). */
  readonly start: ShardStart | (() => ShardStart);
  /**
   * After an expired iterator (they live 5 minutes) or `restart()`: carry on after the last
   * record returned (`resume`, nothing missed), or begin at `start` again (`restart`: a live
   * view that only cares about the recent past).
   * @default 'resume'
   */
  readonly onExpired?: 'resume' | 'restart';
}

/** One GetRecords response. */
export interface ShardBatch {
  readonly records: _Record[];
  /** How far the response is from the tip of the shard; 0 when caught up. */
  readonly millisBehindLatest: number;
}

/** Every shard of a stream, following pagination. */
export async function listShards(
  kinesis: KinesisSender,
  streamName: string,
  signal?: AbortSignal,
): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: streamName }),
      { abortSignal: signal },
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';

/** Reads one shard in order from a position, renewing an expired iterator. */
export class ShardReader {
  private iterator?: string;
  private lastSequence?: string;
  /** The shard was closed by a split or merge and every record of it has been read. */
  closed = false;
  /** Iterators renewed after they expired. */
  renewed = 0;

  constructor(
    private readonly kinesis: KinesisSender,
    private readonly streamName: string,
    readonly shardId: string,
    private readonly options: ShardReaderOptions,
  ) {
    this.lastSequence = options.after;
  }

  /** The sequence number of the last record returned (or the checkpoint it began after). */
  get position(): string | undefined {
    return this.lastSequence;
  }

  /** Drops the iterator: the next read begins afresh (after the last record, or at `start`). */
  restart(): void {
    this.iterator = undefined;
    if (this.options.onExpired === 'restart') this.lastSequence = undefined;
  }

  private startInput(): Partial<GetShardIteratorCommandInput> {
    if (this.lastSequence)
      return { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: this.lastSequence };
    const start = typeof this.options.start === 'function' ? this.options.start() : this.options.start;
    return start.type === 'AT_TIMESTAMP'
      ? { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: start.timestamp }
      : { ShardIteratorType: start.type };
  }

  private async newIterator(signal?: AbortSignal): Promise<string | undefined> {
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: this.shardId,
        ...this.startInput(),
      } as GetShardIteratorCommandInput),
      { abortSignal: signal },
    );
    return out.ShardIterator;
  }

  /**
   * Up to `limit` records after the last one returned (none when nothing is waiting). An
   * expired iterator is renewed once at once; errors (throttling included) are thrown for the
   * caller's pacing to handle.
   */
  async read(limit = 10_000, signal?: AbortSignal): Promise<ShardBatch> {
    for (let renewals = 0; ; renewals++) {
      if (this.closed) return { records: [], millisBehindLatest: 0 };
      this.iterator ??= await this.newIterator(signal);
      if (!this.iterator) {
        this.closed = true;
        return { records: [], millisBehindLatest: 0 };
      }
      try {
        const out = await this.kinesis.send(
          new GetRecordsCommand({ ShardIterator: this.iterator, Limit: limit }),
          {
            abortSignal: signal,
          },
        );
        const records = out.Records ?? [];
        if (records.length > 0) this.lastSequence = records[records.length - 1].SequenceNumber;
        this.iterator = out.NextShardIterator;
        if (!this.iterator) this.closed = true;
        return { records, millisBehindLatest: out.MillisBehindLatest ?? 0 };
      } catch (error) {
        if (errorName(error) !== 'ExpiredIteratorException' || renewals > 0) throw error;
        this.renewed += 1;
        this.restart();
      }
    }
  }
}

export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** How often to list shards again, to notice resharding. */
  readonly discoverMs: number;
  /** After a failed listing, list again after this back-off. @default discoverMs */
  readonly retry?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  /** Shards already finished (from checkpoints, or skipped on purpose). */
  readonly isDone?: (shard: Shard, initial: boolean) => boolean;
  /** Every successful listing. */
  readonly onListed?: (shards: readonly Shard[]) => void;
  /** A failed listing or shard; a failed shard is started again at the next listing. */
  readonly onError: (error: unknown) => void;
}

/**
 * Runs `work` once for every shard of a stream: a child shard only after its parents are
 * finished. `initial` tells whether the shard was there at the first listing (read from the
 * follower's start) or appeared later (read from its beginning). Shards are listed again every
 * `discoverMs`, and at once when a shard finishes (a closed shard's children are waiting).
 * Resolves when `signal` aborts and every shard's work has returned.
 */
export async function forEachShard(
  kinesis: KinesisSender,
  streamName: string,
  work: (shard: Shard, initial: boolean) => Promise<void>,
  options: FollowOptions,
): Promise<void> {
  const status = new Map<string, 'waiting' | 'running' | 'done'>();
  const shards = new Map<string, { shard: Shard; initial: boolean }>();
  const running = new Set<Promise<void>>();
  let wake = new AbortController();
  const parentsDone = (shard: Shard) =>
    [shard.ParentShardId, shard.AdjacentParentShardId]
      .filter((id): id is string => Boolean(id))
      // A parent never listed (trimmed, or older than the stream's retention) holds nothing back.
      .every((id) => !status.has(id) || status.get(id) === 'done');
  const startReady = () => {
    for (const [id, { shard, initial }] of shards) {
      if (status.get(id) !== 'waiting' || !parentsDone(shard) || options.signal.aborted) continue;
      status.set(id, 'running');
      const task: Promise<void> = work(shard, initial)
        .then(() => {
          status.set(id, 'done');
          wake.abort();
        })
        .catch((error: unknown) => {
          status.set(id, 'waiting');
          options.onError(error);
        })
        .finally(() => running.delete(task));
      running.add(task);
    }
  };
  let first = true;
  let failures = 0;
  while (!options.signal.aborted) {
    wake = new AbortController();
    let pause = options.discoverMs;
    try {
      const listed = await listShards(kinesis, streamName, options.signal);
      for (const shard of listed) {
        const id = shard.ShardId!;
        if (shards.has(id)) continue;
        shards.set(id, { shard, initial: first });
        status.set(id, options.isDone?.(shard, first) ? 'done' : 'waiting');
      }
      first = false;
      failures = 0;
      options.onListed?.(listed);
      startReady();
    } catch (error) {
      if (options.signal.aborted) break;
      options.onError(error);
      if (options.retry) pause = retryDelay(options.retry, ++failures);
    }
    await options.clock.sleep(pause, AbortSignal.any([options.signal, wake.signal]));
  }
  await Promise.allSettled([...running]);
}

/**
 * How often a tail polls a shard. A shard serves 5 GetRecords calls per second to all of its
 * readers together, so a reader that keeps up polls at `idleMs`; one that is behind polls at
 * `catchUpMs` to catch up; failures back off with the retry policy's jittered delays.
 */
export interface Pacing {
  readonly idleMs: number;
  readonly catchUpMs: number;
  readonly retry: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
}

export interface PollOptions {
  readonly pacing: Pacing;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly limit?: number;
  /** Each response, in order; awaited before the next read. */
  readonly onBatch: (batch: ShardBatch & { readonly readAt: number; readonly fresh: boolean }) => unknown;
  /** Which failures to wait out and retry. @default isRetryableError */
  readonly retryable?: (error: unknown) => boolean;
  /** Before each wait after a failure. */
  readonly onRetry?: (error: unknown, delayMs: number) => void;
}

/**
 * Reads one shard until it is closed (its children take over) or `signal` aborts. `fresh`
 * tells that the previous read was caught up, so these records reached the stream since then.
 * Errors that are not retryable are thrown.
 */
export async function pollShard(reader: ShardReader, options: PollOptions): Promise<void> {
  const { pacing, clock, signal } = options;
  const retryable = options.retryable ?? isRetryableError;
  let failures = 0;
  let caughtUp = false;
  while (!signal.aborted && !reader.closed) {
    let batch: ShardBatch;
    try {
      batch = await reader.read(options.limit, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (!retryable(error)) throw error;
      caughtUp = false; // the next records may have waited through the pause
      const delay = retryDelay(pacing.retry, ++failures);
      options.onRetry?.(error, delay);
      await clock.sleep(delay, signal);
      continue;
    }
    failures = 0;
    await options.onBatch({ ...batch, readAt: clock.now(), fresh: caughtUp });
    caughtUp = batch.millisBehindLatest === 0;
    if (reader.closed || signal.aborted) return;
    // Behind the tip, even an empty response (a quiet stretch of the shard) means read on soon.
    await clock.sleep(batch.millisBehindLatest > 0 ? pacing.catchUpMs : pacing.idleMs, signal);
  }
}
