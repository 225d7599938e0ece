import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { fly, seededRandom, spawnUnicorn, statusOf, type Random, type Unicorn } from '#core/movement';
import { errorMessage, putRecordsReliably, type PutEntry, type RetryPolicy } from '#core/put-records';
import { isThrottling } from '#core/retry';
import type { RunIO } from './run-io';

/**
 * The producer never gives a record up while it runs: each request is retried with the SDK's
 * full-jitter back-off (up to 5 s apart) until Kinesis takes it, however long the endpoint is
 * down or throttling, while the records made meanwhile wait in a bounded buffer.
 */
export const PRODUCER_RETRY_POLICY: RetryPolicy = {
  maxAttempts: Infinity,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
};

/** Records held while Kinesis does not take them: a minute of a 200-unicorn fleet at 10 records/s each. */
export const DEFAULT_BUFFER_RECORDS = 120_000;

export interface ProducerOptions {
  readonly stream: string;
  /** The unicorns to simulate, one record each per interval. */
  readonly names: readonly string[];
  /** Records per second per unicorn. */
  readonly rate: number;
  /** Stop after this many records per unicorn. */
  readonly count?: number;
  /** Stop after this many seconds. */
  readonly durationSeconds?: number;
  /** Make every Nth record malformed on purpose (failure demos). */
  readonly errorEvery?: number;
  /** Seed for start positions and paths; random when absent, so parallel fleets spread out. */
  readonly seed?: number;
  readonly quiet?: boolean;
  /** Records held while Kinesis does not take them; when full, producing pauses. @default DEFAULT_BUFFER_RECORDS */
  readonly bufferRecords?: number;
}

export interface ProducerIO extends RunIO {
  readonly kinesis: KinesisClient;
  /** @default PRODUCER_RETRY_POLICY: until Kinesis takes each record */
  readonly retryPolicy?: RetryPolicy;
  /** Where the producer says what holds it up (an endpoint down, a full buffer): one line each. */
  readonly report?: (line: string) => void;
  /** Counters to update while running (for a live status line); a fresh set when absent. */
  readonly stats?: ProducerStats;
}

export interface ProducerStats {
  produced: number;
  sent: number;
  retried: number;
  failed: number;
  /** Produced but never sent because the flush was abandoned. */
  unsent: number;
  /** The most records the buffer held at once. */
  bufferedPeak: number;
  malformed: number;
  firstError?: string;
  elapsedMs: number;
}

export function newProducerStats(): ProducerStats {
  return {
    produced: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    unsent: 0,
    bufferedPeak: 0,
    malformed: 0,
    elapsedMs: 0,
  };
}

const encoder = new TextEncoder();

/** Two kinds of poison pill: not JSON at all, and JSON with a field of the wrong type. */
function poisonPill(unicorn: Unicorn, n: number, time: number): Uint8Array {
  const text =
    n % 2 === 0
      ? `{"Name":"${unicorn.name}","StatusTime":` // cut short
      : JSON.stringify({ ...statusOf(unicorn, 0, time), Distance: 'far, far away' });
  return encoder.encode(text);
}

/**
 * Keeps records in PutRecords requests with at most one record per unicorn each, sent one
 * request at a time: a record that must be retried is retried before that unicorn's next
 * record goes out, so each unicorn's records stay in order on its shard.
 */
class OrderedSender {
  private readonly queue: PutEntry[] = [];
  private inFlight = 0;
  private running: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  /** Since when requests fail as a whole (the endpoint down), for one report per outage. */
  private failingSince: number | undefined;
  private lastThrottleReport = -Infinity;
  /** A request error no retry can cure (stream deleted, access revoked): it ends the run. */
  error: unknown;

  constructor(
    private readonly io: ProducerIO,
    private readonly stream: string,
    private readonly stats: ProducerStats,
    private readonly quiet: boolean,
  ) {}

  /** Whether requests are failing as a whole now (the endpoint down). */
  get failing() {
    return this.failingSince !== undefined;
  }

  /** Records not yet accepted: queued, and in the request being sent. */
  get pending() {
    return this.queue.length + this.inFlight;
  }

  enqueue(entries: PutEntry[]) {
    this.queue.push(...entries);
    this.stats.bufferedPeak = Math.max(this.stats.bufferedPeak, this.pending);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      this.wake();
    });
  }

  /** Resolves when a request has been answered (room may have been made), or at once when idle. */
  progress(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  private retried(count: number, error: unknown) {
    const report = this.io.report;
    if (!report) return;
    const rejected = error instanceof Error && / records were not accepted$/.test(error.message);
    if (!rejected && !isThrottling(error)) {
      if (this.failingSince === undefined) {
        this.failingSince = this.io.now();
        report(
          `Kinesis does not answer (${errorMessage(error)}); retrying, ${this.pending} records held, none dropped`,
        );
      }
      return;
    }
    // Throttled: the shard's limit. Said once every 10 s at most.
    if (this.io.now() - this.lastThrottleReport >= 10_000) {
      this.lastThrottleReport = this.io.now();
      report(
        `throttled by Kinesis (${count} records sent again); ${this.pending} records held, none dropped`,
      );
    }
  }

  /** Waits until everything queued is sent or finally failed. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private nextRequest(): PutEntry[] {
    const keys = new Set<string>();
    const batch: PutEntry[] = [];
    let i = 0;
    while (i < this.queue.length && batch.length < 500) {
      const entry = this.queue[i];
      if (keys.has(entry.partitionKey)) break; // keep order: stop at a unicorn's second record
      keys.add(entry.partitionKey);
      batch.push(entry);
      i++;
    }
    this.queue.splice(0, batch.length);
    return batch;
  }

  private async drain() {
    try {
      await this.sendQueued();
    } catch (error) {
      this.error ??= error;
    }
  }

  private async sendQueued() {
    while (this.queue.length > 0 && !this.io.abandon.aborted && this.error === undefined) {
      const batch = this.nextRequest();
      this.inFlight = batch.length;
      const outcome = await putRecordsReliably(
        this.io.kinesis,
        this.stream,
        batch,
        this.io.retryPolicy ?? PRODUCER_RETRY_POLICY,
        (count, error) => this.retried(count, error),
        { sleep: (ms, signal) => this.io.sleep(ms, signal ?? this.io.abandon), signal: this.io.abandon },
      ).finally(() => (this.inFlight = 0));
      if (this.failingSince !== undefined) {
        const seconds = ((this.io.now() - this.failingSince) / 1000).toFixed(1);
        this.failingSince = undefined;
        this.io.report?.(`Kinesis answers again after ${seconds} s; ${this.pending} records held`);
      }
      this.stats.sent += outcome.sent;
      this.stats.retried += outcome.retried;
      // Given up only when the flush was abandoned (a second Ctrl-C): those count as not sent.
      if (!this.io.abandon.aborted) {
        this.stats.failed += outcome.failed.length;
        this.stats.firstError ??= outcome.failed[0]?.error;
      }
      if (!this.quiet && outcome.sent > 0) this.io.out('.'.repeat(outcome.sent));
      this.wake();
    }
  }
}

const abortion = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** A send error that ended the run, with what was sent until then. */
export class ProducerError extends Error {
  constructor(
    readonly cause: unknown,
    readonly stats: ProducerStats,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Checks that the stream exists and is reachable before producing anything. */
export async function checkStream(kinesis: KinesisClient, stream: string): Promise<void> {
  await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
}

/**
 * Simulates unicorns flying around and puts one status record per unicorn per interval on the
 * stream, printing a dot per record Kinesis accepted. Returns when the count or duration is
 * reached or on Ctrl-C, after sending what is pending.
 */
export async function runProducer(options: ProducerOptions, io: ProducerIO): Promise<ProducerStats> {
  const random: Random = seededRandom(options.seed ?? (Math.random() * 2 ** 32) >>> 0);
  let unicorns = options.names.map((name) => spawnUnicorn(name, random));
  const stats = io.stats ?? newProducerStats();
  const sender = new OrderedSender(io, options.stream, stats, options.quiet ?? false);
  const intervalMs = 1000 / options.rate;
  const capacity = options.bufferRecords ?? DEFAULT_BUFFER_RECORDS;
  const started = io.now();
  let origin = started;
  const stopped = abortion(io.stop);
  const deadline =
    options.durationSeconds === undefined ? Infinity : started + options.durationSeconds * 1000;

  let previousTime: number | undefined;
  for (let tick = 0; ; tick++) {
    if (
      sender.error !== undefined ||
      io.stop.aborted ||
      (options.count !== undefined && tick >= options.count)
    )
      break;
    // A full buffer: pause producing (nothing is dropped) until Kinesis has taken enough.
    if (sender.pending + unicorns.length > capacity) {
      const pausedAt = io.now();
      io.report?.(
        `buffer full (${sender.pending} records held, at most ${capacity}): producing paused until Kinesis takes more`,
      );
      while (sender.pending + unicorns.length > capacity && !io.stop.aborted && sender.error === undefined) {
        await Promise.race([sender.progress(), stopped]);
        if (io.now() >= deadline) break;
      }
      if (io.stop.aborted || sender.error !== undefined || io.now() >= deadline) break;
      io.report?.(`producing again after ${((io.now() - pausedAt) / 1000).toFixed(1)} s paused`);
      // The paused stretch is skipped, not made up for in a burst.
      origin = Math.max(origin, io.now() - tick * intervalMs);
    }
    const due = origin + tick * intervalMs;
    if (due >= deadline) break;
    if (due > io.now()) await io.sleep(due - io.now(), io.stop);
    if (io.stop.aborted) break;

    const time = io.now();
    // Fly for the time that really passed since the last record (more than the interval when the
    // machine is busy), so positions, Distance and StatusTime always agree on the speed.
    const seconds = previousTime === undefined ? 0 : Math.max(0, time - previousTime) / 1000;
    previousTime = time;
    const entries: PutEntry[] = [];
    unicorns = unicorns.map((unicorn) => {
      const step = tick === 0 ? { unicorn, metres: 0 } : fly(unicorn, seconds, random);
      stats.produced += 1;
      const poison = options.errorEvery !== undefined && stats.produced % options.errorEvery === 0;
      if (poison) stats.malformed += 1;
      entries.push({
        partitionKey: unicorn.name,
        data: poison
          ? poisonPill(step.unicorn, stats.malformed, time)
          : encoder.encode(JSON.stringify(statusOf(step.unicorn, step.metres, time))),
      });
      return step.unicorn;
    });
    sender.enqueue(entries);
  }

  // Said only when Kinesis has been holding records up (not for the last request of a quiet run).
  if (sender.pending > 0 && !io.stop.aborted && (stats.retried > 0 || sender.failing))
    io.report?.(`done producing; sending the ${sender.pending} records held`);
  await Promise.race([sender.flush(), abortion(io.abandon)]);
  stats.unsent += sender.pending;
  stats.elapsedMs = io.now() - started;
  if (sender.error !== undefined) throw new ProducerError(sender.error, stats);
  return stats;
}
