import type { KinesisClient, Shard, _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord } from 'aws-lambda';
import { kinesisRecord } from '../lambda/shared/kinesis-events';
import type { LocalEventSource, LocalStream } from './assembly';
import { FunctionError } from './lambda-host';
import { retryDelay } from '#core/retry';
import { forEachShard, ShardReader, type ShardBatch, type ShardStart } from '#core/shard-follower';
import { CheckpointStore, waitForStorage, type Clock } from './shards';

/** `SummaryAggregationFunction487A4676` → `SummaryAggregation`: logical ids without CDK's hash. */
export function label(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8,}$/, '').replace(/Function$/, '') || logicalId;
}

/**
 * Drives one Kinesis event source mapping of the template as Lambda does: per shard, one batch
 * at a time (parallelization factor 1), up to BatchSize records gathered for up to
 * MaximumBatchingWindowInSeconds, from StartingPosition; tumbling windows by arrival time with
 * the state carried from invocation to invocation and a final invocation at the window's end;
 * partial batch responses; bisect on error; MaximumRetryAttempts and MaximumRecordAgeInSeconds;
 * and an on-failure notice to the destination queue for a batch given up on. Positions and
 * window state are checkpointed after every invocation, so a restart neither repeats nor skips.
 */

export interface Invoker {
  invoke(event: unknown): Promise<unknown>;
}

export interface FailureDestination {
  send(body: string): Promise<void>;
}

export interface EventSourceCounters {
  records: number;
  invocations: number;
  functionErrors: number;
  retries: number;
  recordsGivenUp: number;
}

export interface EventSourceOptions {
  readonly mapping: LocalEventSource;
  readonly stream: LocalStream;
  readonly functionArn: string;
  readonly region: string;
  readonly kinesis: KinesisClient;
  readonly invoker: Invoker;
  readonly onFailure?: FailureDestination;
  readonly checkpoints: CheckpointStore<WindowCheckpoint>;
  readonly clock: Clock;
  /** Replaces the template's tumbling window length (demos and tests). */
  readonly windowSeconds?: number;
  /** How often an idle shard is polled; Lambda polls about once a second. */
  readonly pollMs?: number;
  readonly discoverMs?: number;
  readonly log: (message: string) => void;
}

export interface WindowCheckpoint {
  /** Window start, epoch milliseconds. */
  readonly start: number;
  readonly state: unknown;
}

/** Between retries of a failing batch: Lambda backs off too, a few seconds at most. */
const RETRY_BACKOFF = { baseDelayMs: 100, maxDelayMs: 5_000 };

/** Where a shard without a checkpoint starts, as the mapping says. */
function startOf(mapping: LocalEventSource): ShardStart {
  return mapping.startingPosition === 'AT_TIMESTAMP'
    ? { type: 'AT_TIMESTAMP', timestamp: new Date(mapping.startingTimestamp ?? 0) }
    : { type: mapping.startingPosition };
}

/** Start of the tumbling window a record that arrived at `arrivalMs` belongs to. */
export function windowStartOf(arrivalMs: number, windowSeconds: number): number {
  const size = windowSeconds * 1000;
  return Math.floor(arrivalMs / size) * size;
}

export interface WindowReading {
  /** The batch is ready by BatchSize or MaximumBatchingWindowInSeconds. */
  readonly gathered: boolean;
  /** The last read reached the shard's tip: nothing newer was waiting. */
  readonly caughtUp: boolean;
  /** The shard is closed and read to its end. */
  readonly closed: boolean;
  /**
   * When the last read began: a reader caught up by a read begun after a window's end has seen
   * every record of that window (one begun earlier may have missed the window's last ones).
   */
  readonly now: number;
}

/**
 * The next invocation of a tumbling window from what is buffered (in shard order), or
 * undefined to read on. As in Lambda, a window is decided by the records' approximate arrival
 * times, a batch never mixes windows and holds at most BatchSize records, and a window has one
 * final invocation: once a record of a later window has been read, the shard is closed, or the
 * reader has caught up with the shard and the clock is past the window's end. A reader that
 * lags behind therefore sends full batches and ends each window once, however long ago it was.
 */
export function windowBatch(
  buffer: readonly Pick<_Record, 'ApproximateArrivalTimestamp'>[],
  windowStart: number,
  windowSeconds: number,
  batchSize: number,
  reading: WindowReading,
): { count: number; final: boolean } | undefined {
  const end = windowStart + windowSeconds * 1000;
  let inWindow = 0;
  while (inWindow < buffer.length && buffer[inWindow].ApproximateArrivalTimestamp!.getTime() < end) {
    inWindow += 1;
  }
  const laterSeen = inWindow < buffer.length;
  const over = laterSeen || reading.closed || (reading.caughtUp && reading.now >= end);
  const count = Math.min(inWindow, batchSize);
  const final = over && count === inWindow;
  if (count > 0 && (count === batchSize || reading.gathered || over)) return { count, final };
  if (count === 0 && over) return { count: 0, final: true };
  return undefined;
}

/** A record as Lambda puts it in a Kinesis event. */
export function lambdaRecord(
  record: _Record,
  shardId: string,
  streamArn: string,
  region: string,
): KinesisStreamRecord {
  return kinesisRecord(record.Data ?? new Uint8Array(), {
    shardId,
    sequenceNumber: record.SequenceNumber!,
    partitionKey: record.PartitionKey!,
    arrival: (record.ApproximateArrivalTimestamp?.getTime() ?? 0) / 1000,
    eventSourceARN: streamArn,
    region,
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/local',
  });
}

/**
 * Where a partial batch response says to resume: the index of the first failed record, or 0
 * (the whole batch) when an identifier is missing or unknown, as Lambda treats it.
 */
export function firstFailedIndex(records: readonly _Record[], response: unknown): number | undefined {
  const failures = (response as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)
    ?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  let first = records.length;
  for (const failure of failures) {
    const index = records.findIndex((r) => r.SequenceNumber === failure.itemIdentifier);
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

/** The on-failure notice Lambda sends for a Kinesis batch it gave up on. */
export function failureNotice(
  records: readonly _Record[],
  shardId: string,
  streamArn: string,
  functionArn: string,
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
  attempts: number,
  now: number,
  errorType?: string,
) {
  const first = records[0];
  const last = records[records.length - 1];
  return {
    requestContext: {
      requestId: `local-${now}`,
      functionArn,
      condition,
      approximateInvokeCount: attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: errorType ?? 'Unhandled' },
    version: '1.0',
    timestamp: new Date(now).toISOString(),
    KinesisBatchInfo: {
      shardId,
      startSequenceNumber: first?.SequenceNumber,
      endSequenceNumber: last?.SequenceNumber,
      approximateArrivalOfFirstRecord: first?.ApproximateArrivalTimestamp?.toISOString(),
      approximateArrivalOfLastRecord: last?.ApproximateArrivalTimestamp?.toISOString(),
      batchSize: records.length,
      streamArn,
    },
  };
}

/** A tumbling window's state may be at most 1 MB; above that Lambda ends the window early. */
const MAX_WINDOW_STATE_BYTES = 1024 * 1024;

export class EventSourceMapping {
  readonly counters: EventSourceCounters = {
    records: 0,
    invocations: 0,
    functionErrors: 0,
    retries: 0,
    recordsGivenUp: 0,
  };
  private readonly stopping = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly options: EventSourceOptions) {}

  private get window(): number | undefined {
    return this.options.mapping.tumblingWindowSeconds === undefined
      ? undefined
      : (this.options.windowSeconds ?? this.options.mapping.tumblingWindowSeconds);
  }

  start(): void {
    const { kinesis, stream, clock } = this.options;
    this.running = forEachShard(kinesis, stream.name, (shard) => this.runShard(shard), {
      signal: this.stopping.signal,
      clock,
      discoverMs: this.options.discoverMs ?? 10_000,
      isDone: (shard) => this.options.checkpoints.get(shard.ShardId!)?.done === true,
      onError: (error) =>
        this.options.log(
          `${label(this.options.mapping.functionLogicalId)} event source: ${(error as Error).message}`,
        ),
    });
  }

  /** Stops after the batch in flight; positions and window state are already saved. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async runShard(shard: Shard): Promise<void> {
    const { mapping, checkpoints, clock, kinesis, stream } = this.options;
    const shardId = shard.ShardId!;
    const saved = checkpoints.get(shardId);
    const reader = new ShardReader(kinesis, stream.name, shardId, {
      after: saved?.after,
      start: startOf(mapping),
    });
    let after = saved?.after;
    let window = saved?.state;
    const buffer: _Record[] = [];
    let bufferedSince: number | undefined;
    // Whether the last read found the shard's tip, and when that read began: only a read begun
    // after a window's end that finds the tip says the window is over.
    let caughtUp = false;
    let caughtUpAt = 0;
    const save = () => checkpoints.set(shardId, { after, state: window });
    const signal = this.stopping.signal;
    const read = (): Promise<ShardBatch & { limit: number; at: number }> => {
      const limit = Math.max(1, mapping.batchSize - buffer.length);
      const at = clock.now();
      return reader.read(limit).then((batch) => ({ ...batch, limit, at }));
    };
    // The next read, begun while the function works on the batch before it, as Lambda's poller
    // reads on while a batch is processed; its error, if any, is met where it is awaited.
    let ahead: ReturnType<typeof read> | undefined;
    const readAhead = () => {
      if (ahead || reader.closed || buffer.length >= mapping.batchSize) return;
      ahead = read();
      ahead.catch(() => undefined);
    };

    while (!signal.aborted) {
      // Nothing more is read or invoked while the positions cannot be saved.
      await waitForStorage(checkpoints, clock, signal, this.options.log, label(mapping.functionLogicalId));
      if (signal.aborted) break;
      if (ahead || (buffer.length < mapping.batchSize && !reader.closed)) {
        const next = ahead ?? read();
        ahead = undefined;
        const { records, millisBehindLatest, limit, at } = await next;
        caughtUp = records.length < limit && millisBehindLatest === 0;
        caughtUpAt = at;
        if (records.length > 0) bufferedSince ??= clock.now();
        buffer.push(...records);
      }
      const now = clock.now();
      const gathered =
        buffer.length >= mapping.batchSize ||
        (bufferedSince !== undefined && now - bufferedSince >= mapping.batchingWindowSeconds * 1000) ||
        reader.closed;

      if (this.window === undefined) {
        if (buffer.length > 0 && gathered) {
          const batch = buffer.splice(0, mapping.batchSize);
          bufferedSince = buffer.length > 0 ? now : undefined;
          readAhead();
          await this.deliver(batch, shardId, (last) => {
            after = last;
            save();
          });
          continue;
        }
      } else {
        if (!window && buffer.length > 0) {
          window = {
            start: windowStartOf(buffer[0].ApproximateArrivalTimestamp!.getTime(), this.window),
            state: {},
          };
        }
        if (window) {
          const next = windowBatch(buffer, window.start, this.window, mapping.batchSize, {
            gathered,
            caughtUp,
            closed: reader.closed,
            now: caughtUpAt,
          });
          if (next) {
            const batch = buffer.splice(0, next.count);
            bufferedSince = buffer.length > 0 ? now : undefined;
            readAhead();
            const state = await this.deliverWindow(batch, shardId, window, next.final, (last, carried) => {
              if (last) after = last;
              window = carried;
              save();
            });
            window = state;
            continue;
          }
        }
      }
      if (reader.closed && buffer.length === 0 && !window) {
        checkpoints.set(shardId, { after, done: true });
        return;
      }
      await clock.sleep(this.options.pollMs ?? 1000, signal);
    }
  }

  private event(records: readonly _Record[], shardId: string) {
    const { stream, region } = this.options;
    return records.map((r) => lambdaRecord(r, shardId, stream.arn, region));
  }

  private async invoke(event: unknown): Promise<unknown> {
    this.counters.invocations += 1;
    return this.options.invoker.invoke(event);
  }

  private exhausted(
    attempts: number,
    records: readonly _Record[],
  ): 'RetryAttemptsExhausted' | 'RecordAgeExceeded' | undefined {
    const { maxRetries, maxRecordAgeSeconds } = this.options.mapping;
    if (maxRetries >= 0 && attempts > maxRetries) return 'RetryAttemptsExhausted';
    const oldest = records[0]?.ApproximateArrivalTimestamp?.getTime();
    if (
      maxRecordAgeSeconds >= 0 &&
      oldest !== undefined &&
      this.options.clock.now() - oldest > maxRecordAgeSeconds * 1000
    ) {
      return 'RecordAgeExceeded';
    }
    return undefined;
  }

  private async giveUp(
    records: readonly _Record[],
    shardId: string,
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    attempts: number,
    errorType?: string,
  ) {
    const { stream, functionArn, clock, onFailure, mapping, log } = this.options;
    this.counters.recordsGivenUp += records.length;
    const notice = failureNotice(
      records,
      shardId,
      stream.arn,
      functionArn,
      condition,
      attempts,
      clock.now(),
      errorType,
    );
    log(
      `${label(mapping.functionLogicalId)}: gave up on ${records.length} records of ${shardId} (${condition}), ${onFailure ? 'notice sent to the on-failure destination' : 'no on-failure destination'}`,
    );
    if (onFailure) await onFailure.send(JSON.stringify(notice));
  }

  private backoff(attempt: number) {
    return this.options.clock.sleep(retryDelay(RETRY_BACKOFF, attempt), this.stopping.signal);
  }

  /**
   * One batch without windows: invoke, resume after a partial failure at the first failed
   * record, bisect a failing batch, retry, and give up with a notice when retries or record age
   * run out. `advance` checkpoints after the last record handled.
   */
  private async deliver(
    batch: _Record[],
    shardId: string,
    advance: (last: string) => void,
    attempt = 0,
  ): Promise<void> {
    let records = batch;
    let attempts = attempt;
    while (records.length > 0) {
      // Records past MaximumRecordAgeInSeconds are set aside without an invocation.
      const expired = this.exhausted(attempts, records);
      if (expired) {
        await this.giveUp(records, shardId, expired, attempts);
        advance(records[records.length - 1].SequenceNumber!);
        return;
      }
      let failedAt: number | undefined;
      try {
        const response = await this.invoke({ Records: this.event(records, shardId) });
        failedAt = this.options.mapping.reportBatchItemFailures
          ? firstFailedIndex(records, response)
          : undefined;
      } catch (error) {
        if (!(error instanceof FunctionError)) throw error;
        this.counters.functionErrors += 1;
        this.options.log(`${label(this.options.mapping.functionLogicalId)}: ${error.message}`);
        if (this.options.mapping.bisectOnError && records.length > 1) {
          // As in Lambda, splitting a batch does not count toward the retry quota.
          const half = Math.ceil(records.length / 2);
          await this.deliver(records.slice(0, half), shardId, advance, attempts);
          await this.deliver(records.slice(half), shardId, advance, attempts);
          return;
        }
        failedAt = 0;
      }
      if (failedAt === undefined) {
        this.counters.records += records.length;
        advance(records[records.length - 1].SequenceNumber!);
        return;
      }
      if (failedAt > 0) {
        this.counters.records += failedAt;
        advance(records[failedAt - 1].SequenceNumber!);
        records = records.slice(failedAt);
      }
      attempts += 1;
      this.counters.retries += 1;
      if (!this.exhausted(attempts, records)) await this.backoff(attempts);
      if (this.stopping.signal.aborted && !this.exhausted(attempts, records)) return;
    }
  }

  /**
   * One invocation of a tumbling window, retried with the same state until it succeeds or
   * retries run out. Returns the window to carry on with (undefined once the window is closed).
   */
  private async deliverWindow(
    records: _Record[],
    shardId: string,
    window: WindowCheckpoint,
    final: boolean,
    advance: (last: string | undefined, next: WindowCheckpoint | undefined) => void,
  ): Promise<WindowCheckpoint | undefined> {
    const size = this.window! * 1000;
    let attempts = 0;
    let terminatedEarly = false;
    let state = window.state;
    for (;;) {
      const event = {
        Records: this.event(records, shardId),
        window: {
          start: new Date(window.start).toISOString(),
          end: new Date(window.start + size).toISOString(),
        },
        state,
        shardId,
        eventSourceARN: this.options.stream.arn,
        isFinalInvokeForWindow: final && !terminatedEarly,
        isWindowTerminatedEarly: terminatedEarly,
      };
      try {
        const response = (await this.invoke(event)) as { state?: unknown } | null;
        const failedAt = this.options.mapping.reportBatchItemFailures
          ? firstFailedIndex(records, response)
          : undefined;
        if (failedAt !== undefined)
          throw new FunctionError(
            this.options.mapping.logicalId,
            'BatchItemFailure',
            `record ${failedAt} failed`,
          );
        this.counters.records += records.length;
        const last = records[records.length - 1]?.SequenceNumber;
        if (final || terminatedEarly) {
          advance(last, undefined);
          return undefined;
        }
        state = response?.state ?? {};
        if (JSON.stringify(state).length > MAX_WINDOW_STATE_BYTES) {
          // Lambda ends the window early rather than carry more than 1 MB of state.
          advance(last, { start: window.start, state });
          terminatedEarly = true;
          records = [];
          continue;
        }
        const next = { start: window.start, state };
        advance(last, next);
        return next;
      } catch (error) {
        if (!(error instanceof FunctionError)) throw error;
        this.counters.functionErrors += 1;
        this.options.log(`${label(this.options.mapping.functionLogicalId)}: ${error.message}`);
        attempts += 1;
        this.counters.retries += 1;
        const expired = this.exhausted(attempts, records);
        if (expired) {
          await this.giveUp(records, shardId, expired, attempts, error.errorType);
          const last = records[records.length - 1]?.SequenceNumber;
          const next = final ? undefined : { start: window.start, state: window.state };
          advance(last, next);
          return next;
        }
        await this.backoff(attempts);
        if (this.stopping.signal.aborted) return window;
      }
    }
  }
}
