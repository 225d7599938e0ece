/**
 * Reads every shard of a Kinesis stream from the browser with GetRecords, politely: a shard
 * serves 5 GetRecords calls per second to all of its readers together (the pipeline's functions
 * and Firehose included), so each shard is polled no faster than the dashboard needs, throttling
 * and other errors back off exponentially with jitter, and an expired iterator is re-acquired.
 * Reading starts a little in the past (`startFrom`), so unicorns that are already flying show
 * at once. Resharding is followed: a shard that closes triggers a new shard listing.
 */

import type { KinesisClient, _Record } from '@aws-sdk/client-kinesis';
import { isThrottling } from '#core/retry';
import { forEachShard, pollShard, ShardReader } from '#core/shard-follower';

export type ConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live'; readonly note?: string }
  | { readonly kind: 'error'; readonly reason: string }
  | { readonly kind: 'paused' };

export interface Pacing {
  /** Between GetRecords calls on a shard while caught up. */
  readonly pollMs: number;
  /** Between calls while behind the tip of the shard (after a pause, or a burst). */
  readonly catchUpMs: number;
  /** Back-off after a throttled or failed call: up to retryBaseMs × 2ⁿ after n failures, jittered. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often to list shards again, to notice resharding. */
  readonly discoverMs: number;
}

export const DEFAULT_PACING: Pacing = {
  pollMs: 2_000,
  // Behind the tip, one call returns up to 10,000 records; 4 calls/s would still crowd others out.
  catchUpMs: 500,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  discoverMs: 60_000,
};

/** Records of one GetRecords response. */
export interface Batch {
  readonly shardId: string;
  readonly records: readonly _Record[];
  /** How far this response is from the tip of the shard; 0 when caught up. */
  readonly millisBehindLatest: number;
  /**
   * The previous read of this shard was caught up, so every record here reached the stream
   * since then: at most a poll interval (plus a call's time) before `readAt`.
   */
  readonly fresh: boolean;
  /** Local time the response was read. */
  readonly readAt: number;
}

export interface ReaderIO {
  readonly kinesis: Pick<KinesisClient, 'send'>;
  readonly now: () => number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ReaderOptions {
  readonly streamName: string;
  /** Where reading a shard begins when (re)starting, and after an iterator expired. */
  readonly startFrom: () => Date;
  readonly pacing?: Partial<Pacing>;
  readonly onBatch: (batch: Batch) => void;
  readonly onState: (state: ConnectionState) => void;
}

export interface ReaderStats {
  getRecordsCalls: number;
  /** How long the latest GetRecords call took, in ms (on the `now` clock). */
  lastGetRecordsMs: number;
  throttled: number;
  renewedIterators: number;
  errors: number;
}

type Health = { readonly ok: true; readonly note?: string } | { readonly ok: false; readonly reason: string };

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';

/** One line for the connection indicator. */
export function describeReadError(error: unknown, streamName: string): string {
  const name = errorName(error);
  const message = ((error as { message?: string } | undefined)?.message ?? String(error)).split('\n')[0];
  if (name === 'ResourceNotFoundException') return `Stream "${streamName}" not found`;
  if (name === 'AccessDeniedException') return `Access denied: ${message}`;
  if (isThrottling(error)) return 'Kinesis is throttling reads';
  if (name === 'TypeError' || /Failed to fetch|NetworkError|ECONNREFUSED|fetch failed/i.test(message)) {
    return `Cannot reach Kinesis (${message})`;
  }
  return name && name !== 'Error' ? `${name}: ${message}` : message;
}

/**
 * Starts and stops reading (the page stops while its tab is hidden, so a tab in the
 * background costs the shard nothing). Every start re-lists shards and reads each from
 * `startFrom()`.
 */
export class StreamReader {
  readonly stats: ReaderStats = {
    getRecordsCalls: 0,
    lastGetRecordsMs: 0,
    throttled: 0,
    renewedIterators: 0,
    errors: 0,
  };
  private readonly pacing: Pacing;
  private run: { readonly controller: AbortController; readonly done: Promise<void> } | undefined;
  private lastState = '';

  constructor(
    private readonly io: ReaderIO,
    private readonly options: ReaderOptions,
  ) {
    this.pacing = { ...DEFAULT_PACING, ...options.pacing };
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  start(): void {
    if (this.run) return;
    const controller = new AbortController();
    this.run = { controller, done: this.readAll(controller.signal) };
  }

  /** Stops reading and waits for calls in flight to end. */
  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.controller.abort();
    await run.done;
    if (!this.run) this.emit({ kind: 'paused' });
  }

  private emit(state: ConnectionState) {
    const key = JSON.stringify(state);
    if (key === this.lastState) return;
    this.lastState = key;
    this.options.onState(state);
  }

  /** The indicator's state from every shard's (and the listing's) latest health. */
  private healthReporter(signal: AbortSignal) {
    const health = new Map<string, Health>();
    let succeeded = false;
    return (key: string, value: Health | undefined) => {
      if (value === undefined) health.delete(key);
      else health.set(key, value);
      if (value?.ok && key !== 'list') succeeded = true;
      if (signal.aborted) return;
      const failing = [...health.values()].find((h) => !h.ok);
      if (failing && !failing.ok) return this.emit({ kind: 'error', reason: failing.reason });
      if (!succeeded) return this.emit({ kind: 'connecting' });
      const note = [...health.values()].find((h) => h.ok && h.note);
      this.emit(note && note.ok && note.note ? { kind: 'live', note: note.note } : { kind: 'live' });
    };
  }

  private async readAll(signal: AbortSignal): Promise<void> {
    const report = this.healthReporter(signal);
    this.emit({ kind: 'connecting' });
    const clock = { now: this.io.now, sleep: this.io.sleep };
    await forEachShard(
      this.io.kinesis,
      this.options.streamName,
      (shard, initial) => this.readShard(shard.ShardId!, initial, signal, report),
      {
        signal,
        clock,
        discoverMs: this.pacing.discoverMs,
        retry: this.retryPolicy(),
        onListed: (shards) =>
          report('list', shards.length === 0 ? { ok: false, reason: 'The stream has no shards' } : undefined),
        onError: (error) => {
          this.stats.errors += 1;
          report('list', { ok: false, reason: describeReadError(error, this.options.streamName) });
        },
      },
    );
  }

  private retryPolicy() {
    return { baseDelayMs: this.pacing.retryBaseMs, maxDelayMs: this.pacing.retryMaxMs };
  }

  private async readShard(
    shardId: string,
    initial: boolean,
    signal: AbortSignal,
    report: (key: string, health: Health | undefined) => void,
  ): Promise<void> {
    // Shards open at start are read from `startFrom`; a shard born later, from its beginning.
    // After an expired iterator or an error, what matters is the last `startFrom` window, not
    // what was missed; records already shown are recognised as such.
    let afresh = initial;
    const reader = new ShardReader(this.io.kinesis, this.options.streamName, shardId, {
      start: () =>
        afresh ? { type: 'AT_TIMESTAMP', timestamp: this.options.startFrom() } : { type: 'TRIM_HORIZON' },
      onExpired: 'restart',
    });
    let requestedAt = this.io.now();
    let renewed = 0;
    const countRenewals = () => {
      this.stats.renewedIterators += reader.renewed - renewed;
      renewed = reader.renewed;
    };
    await pollShard(reader, {
      pacing: { idleMs: this.pacing.pollMs, catchUpMs: this.pacing.catchUpMs, retry: this.retryPolicy() },
      clock: { now: this.io.now, sleep: this.io.sleep },
      signal,
      retryable: () => true,
      onBatch: (batch) => {
        countRenewals();
        this.stats.getRecordsCalls += 1;
        this.stats.lastGetRecordsMs = batch.readAt - requestedAt;
        this.options.onBatch({ shardId, ...batch });
        report(shardId, { ok: true });
        requestedAt = this.io.now();
      },
      onRetry: (error, delay) => {
        countRenewals();
        this.stats.getRecordsCalls += 1;
        afresh = true;
        if (isThrottling(error)) {
          this.stats.throttled += 1;
          report(shardId, { ok: true, note: `throttled, next read in ${Math.ceil(delay / 1000)} s` });
        } else {
          if (errorName(error) === 'ExpiredIteratorException') this.stats.renewedIterators += 1;
          this.stats.errors += 1;
          report(shardId, { ok: false, reason: describeReadError(error, this.options.streamName) });
          // Whatever went wrong (a deleted and re-created stream, a bad iterator), start afresh.
          reader.restart();
        }
        requestedAt = this.io.now() + delay;
      },
    }).finally(() => {
      countRenewals();
      report(shardId, undefined);
    });
  }
}
