/**
 * Reads every shard of a Kinesis stream from the browser with GetRecords, politely: a shard
 * serves 5 GetRecords calls per second to all of its readers together (the pipeline's functions
 * and Firehose included), so each shard is polled no faster than the dashboard needs, throttling
 * and other errors back off exponentially with jitter, and an expired iterator is re-acquired.
 * Reading starts a little in the past (`startFrom`), so unicorns that are already flying show
 * at once. Resharding is followed: a shard that closes triggers a new shard listing.
 */

import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type GetRecordsCommandOutput,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type Shard,
  type _Record,
} from '@aws-sdk/client-kinesis';

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
  /** First delay after a throttled or failed call; doubles per failure, with jitter. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How often to list shards again, to notice resharding. */
  readonly discoverMs: number;
}

export const DEFAULT_PACING: Pacing = {
  pollMs: 2_000,
  // Behind the tip, one call returns up to 10,000 records; 4 calls/s would still crowd others out.
  catchUpMs: 500,
  retryBaseMs: 1_000,
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
  /** Uniform in [0, 1), for jitter. */
  readonly random?: () => number;
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

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
]);

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(errorName(error));
}

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

  private backoff(failures: number): number {
    const random = this.io.random ?? Math.random;
    const cap = Math.min(this.pacing.retryMaxMs, this.pacing.retryBaseMs * 2 ** Math.max(0, failures - 1));
    return Math.round(cap / 2 + (random() * cap) / 2);
  }

  private async readAll(signal: AbortSignal): Promise<void> {
    const health = new Map<string, Health>();
    let started = 0;
    let succeeded = false;
    const report = (key: string, value: Health | undefined) => {
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
    this.emit({ kind: 'connecting' });

    const readers = new Set<Promise<void>>();
    const known = new Set<string>();
    let wake = new AbortController();
    const discoverSoon = () => wake.abort();
    let failures = 0;
    let first = true;
    while (!signal.aborted) {
      try {
        // A shard that closes while shards are being listed wakes the next listing at once.
        wake = new AbortController();
        for (const shard of await this.listShards(signal)) {
          const id = shard.ShardId!;
          if (known.has(id)) continue;
          known.add(id);
          started += 1;
          // Shards open at start are read from `startFrom`; a shard born later, from its beginning.
          const reader = this.readShard(id, first ? 'start' : 'beginning', signal, report, discoverSoon);
          readers.add(reader);
          void reader.finally(() => readers.delete(reader));
        }
        first = false;
        failures = 0;
        report('list', started === 0 ? { ok: false, reason: 'The stream has no shards' } : undefined);
        await this.io.sleep(this.pacing.discoverMs, AbortSignal.any([signal, wake.signal]));
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        this.stats.errors += 1;
        const delay = this.backoff(failures);
        report('list', { ok: false, reason: describeReadError(error, this.options.streamName) });
        await this.io.sleep(delay, signal);
      }
    }
    await Promise.allSettled([...readers]);
  }

  private async listShards(signal: AbortSignal): Promise<Shard[]> {
    const shards: Shard[] = [];
    let token: string | undefined;
    do {
      const page = await this.io.kinesis.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: this.options.streamName }),
        { abortSignal: signal },
      );
      shards.push(...(page.Shards ?? []));
      token = page.NextToken;
    } while (token);
    return shards;
  }

  private async iterator(
    shardId: string,
    from: 'start' | 'beginning',
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const input: GetShardIteratorCommandInput =
      from === 'beginning'
        ? { StreamName: this.options.streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }
        : {
            StreamName: this.options.streamName,
            ShardId: shardId,
            ShardIteratorType: 'AT_TIMESTAMP',
            Timestamp: this.options.startFrom(),
          };
    const out = await this.io.kinesis.send(new GetShardIteratorCommand(input), { abortSignal: signal });
    return out.ShardIterator;
  }

  private async readShard(
    shardId: string,
    from: 'start' | 'beginning',
    signal: AbortSignal,
    report: (key: string, health: Health | undefined) => void,
    discoverSoon: () => void,
  ): Promise<void> {
    let iterator: string | undefined;
    let failures = 0;
    let caughtUp = false;
    let expiredInARow = 0;
    while (!signal.aborted) {
      try {
        if (!iterator) caughtUp = false;
        iterator ??= await this.iterator(shardId, from, signal);
        if (!iterator) break;
        this.stats.getRecordsCalls += 1;
        const sent = this.io.now();
        const out: GetRecordsCommandOutput = await this.io.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator }),
          { abortSignal: signal },
        );
        if (signal.aborted) break;
        this.stats.lastGetRecordsMs = this.io.now() - sent;
        failures = 0;
        expiredInARow = 0;
        const records = out.Records ?? [];
        const millisBehindLatest = out.MillisBehindLatest ?? 0;
        this.options.onBatch({
          shardId,
          records,
          millisBehindLatest,
          fresh: caughtUp,
          readAt: this.io.now(),
        });
        caughtUp = millisBehindLatest === 0;
        report(shardId, { ok: true });
        iterator = out.NextShardIterator;
        if (!iterator) break; // closed by a split or merge: its children take over
        // Behind the tip, even an empty response (a quiet stretch of the shard) means read on soon.
        await this.io.sleep(millisBehindLatest > 0 ? this.pacing.catchUpMs : this.pacing.pollMs, signal);
      } catch (error) {
        if (signal.aborted) break;
        caughtUp = false; // the next records may have waited through the pause
        if (errorName(error) === 'ExpiredIteratorException') {
          // Iterators live 5 minutes. What matters now is the last `startFrom` window, not
          // what was missed; records already shown are recognised as such. Renewed at once,
          // unless the renewed one expired too: then it is a failure like any other.
          this.stats.renewedIterators += 1;
          iterator = undefined;
          from = 'start';
          if (++expiredInARow === 1) continue;
        }
        failures += 1;
        const delay = this.backoff(failures);
        if (isThrottling(error)) {
          this.stats.throttled += 1;
          report(shardId, { ok: true, note: `throttled, next read in ${Math.ceil(delay / 1000)} s` });
        } else {
          this.stats.errors += 1;
          report(shardId, { ok: false, reason: describeReadError(error, this.options.streamName) });
          // Whatever went wrong (a deleted and re-created stream, a bad iterator), start afresh.
          iterator = undefined;
          from = 'start';
        }
        await this.io.sleep(delay, signal);
      }
    }
    report(shardId, undefined);
    if (!signal.aborted) discoverSoon();
  }
}
