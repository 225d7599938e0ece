import type { CompiledTemplate } from '#core/kdg-template';
import { DEFAULT_RETRY_POLICY, putRecordsReliably, type PutEntry } from '#core/put-records';
import { PUT_RECORDS_LIMITS } from '#core/settings';
import { UsageError } from '../cli/args';
import type { ProducerIO } from './producer';

/**
 * How records are paced: a steady rate (the Kinesis Data Generator's "constant" mode), or the
 * Node producer's cron jobs, each firing every second and sending a fixed number of messages.
 */
export type Schedule =
  | { readonly kind: 'rate'; readonly recordsPerSecond: number }
  | { readonly kind: 'cron'; readonly jobs: number; readonly messagesPerJob: number };

/** The Node producer's environment variables, and its defaults: 10 jobs × 10 messages a second. */
export const CRON_ENV = {
  stream: 'AWS_KINESIS_STREAM_NAME',
  jobs: 'CRON_JOBS_TO_GENERATE',
  messages: 'MESSAGES_PER_CRON_JOB',
} as const;
export const CRON_DEFAULTS = { jobs: 10, messagesPerJob: 10 } as const;

export interface CronSettings {
  readonly stream?: string;
  readonly schedule: Extract<Schedule, { kind: 'cron' }>;
}

function wholeFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, got "${text}"`);
  }
  return n;
}

/**
 * The compatibility mode's settings when any of its environment variables is set, else
 * undefined. Unset counts take the Node producer's defaults.
 */
export function cronSettingsFromEnv(env: NodeJS.ProcessEnv): CronSettings | undefined {
  if (!Object.values(CRON_ENV).some((name) => env[name] !== undefined)) return undefined;
  const stream = env[CRON_ENV.stream]?.trim();
  return {
    ...(stream ? { stream } : {}),
    schedule: {
      kind: 'cron',
      jobs: wholeFromEnv(env, CRON_ENV.jobs, CRON_DEFAULTS.jobs, 1_000),
      messagesPerJob: wholeFromEnv(env, CRON_ENV.messages, CRON_DEFAULTS.messagesPerJob, 10_000),
    },
  };
}

export function recordsPerSecond(schedule: Schedule): number {
  return schedule.kind === 'rate' ? schedule.recordsPerSecond : schedule.jobs * schedule.messagesPerJob;
}

export interface Pacing {
  /** Time between ticks. */
  readonly intervalMs: number;
  /** The PutRecords requests of tick `n` (0-based), as record counts; empty when none is due. */
  requests(tick: number): number[];
}

/**
 * Rate mode ticks ten times a second (once per record below 10 records/s) and sends what is
 * due by then, so 250 records/s is 25 records every 100 ms rather than bursts of 250. Cron mode
 * ticks every second and sends one request per job, as the Node producer's jobs do.
 */
export function pacing(schedule: Schedule): Pacing {
  if (schedule.kind === 'cron') {
    return {
      intervalMs: 1000,
      requests: () => Array<number>(schedule.jobs).fill(schedule.messagesPerJob),
    };
  }
  const rate = schedule.recordsPerSecond;
  const intervalMs = rate >= 10 ? 100 : 1000 / rate;
  const dueBy = (tick: number) => Math.floor((rate * tick * intervalMs) / 1000 + 1e-9);
  return {
    intervalMs,
    requests: (tick) => {
      const count = dueBy(tick + 1) - dueBy(tick);
      return count > 0 ? [count] : [];
    },
  };
}

/** How each record's partition key is chosen. */
export type PartitionKeyOf = (record: string) => string;

/**
 * `random`: a fresh random key per record, so records spread evenly over the shards (the Node
 * producer used one constant key, which puts everything on one shard). Otherwise the name of a
 * field of JSON records (`sensorId`), which keeps each sensor's records on one shard, in order.
 */
export function partitionKeyOf(spec: string, randomKey: () => string): PartitionKeyOf {
  if (spec === 'random') return () => randomKey();
  return (record) => {
    let value: unknown;
    try {
      value = (JSON.parse(record) as Record<string, unknown>)[spec];
    } catch {
      throw new UsageError(
        `--partition-key ${spec} needs JSON records, and the template renders something else`,
      );
    }
    if ((typeof value !== 'string' && typeof value !== 'number') || String(value) === '') {
      throw new UsageError(`--partition-key ${spec}: the record has no "${spec}" string or number field`);
    }
    return String(value).slice(0, PUT_RECORDS_LIMITS.maxPartitionKeyLength);
  };
}

export interface DatagenOptions {
  readonly stream: string;
  readonly template: CompiledTemplate;
  readonly schedule: Schedule;
  /** Stop after this many records; unset runs until interrupted. */
  readonly total?: number;
  readonly partitionKey: PartitionKeyOf;
  /** No progress lines. */
  readonly quiet?: boolean;
  /** How often a progress line is printed. @default 1000 */
  readonly progressIntervalMs?: number;
}

/** Client, output, clock and Ctrl-C signals: the same as the unicorn producer's. */
export type DatagenIO = Omit<ProducerIO, 'stats'>;

export interface DatagenStats {
  produced: number;
  sent: number;
  /** Entry re-sends after Kinesis rejected them (FailedRecordCount), or after a throttled request. */
  retried: number;
  /** Entries Kinesis still rejected after the last retry. */
  failed: number;
  /** Generated but never sent because sending was abandoned. */
  unsent: number;
  firstError?: string;
  elapsedMs: number;
}

/** A send error that ended the run, with what was sent until then. */
export class DatagenError extends Error {
  constructor(
    readonly cause: unknown,
    readonly stats: DatagenStats,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const encoder = new TextEncoder();

/**
 * Sends PutRecords requests concurrently, at most `limit` at a time; each request's rejected
 * entries are retried with back-off by putRecordsReliably, and entries that still fail are
 * counted. `room()` waits for a free slot, which slows generation down to what the stream takes.
 */
class Sender {
  private readonly inFlight = new Set<Promise<void>>();
  private queued = 0;
  error: unknown;

  constructor(
    private readonly io: DatagenIO,
    private readonly stream: string,
    private readonly stats: DatagenStats,
    private readonly limit: number,
  ) {}

  get pending(): number {
    return this.queued;
  }

  async room(): Promise<void> {
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
  }

  send(entries: PutEntry[]): void {
    this.queued += entries.length;
    const request = (async () => {
      try {
        const outcome = await putRecordsReliably(
          this.io.kinesis,
          this.stream,
          entries,
          this.io.retryPolicy ?? DEFAULT_RETRY_POLICY,
        );
        this.stats.sent += outcome.sent;
        this.stats.retried += outcome.retried;
        this.stats.failed += outcome.failed.length;
        this.stats.firstError ??= outcome.failed[0]?.error;
        this.queued -= entries.length;
      } catch (error) {
        this.error ??= error;
      }
    })();
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }
}

export function progressLine(stats: DatagenStats, total: number | undefined): string {
  const seconds = stats.elapsedMs / 1000;
  const rate = seconds > 0 ? ` (${(stats.sent / seconds).toFixed(1)} records/s)` : '';
  return `sent ${stats.sent}${total === undefined ? '' : `/${total}`}${rate}, retried ${stats.retried}, failed ${stats.failed}`;
}

/**
 * Renders records from the template and puts them on the stream at the scheduled pace, with
 * PutRecords batches of at most 500, retrying rejected entries, and a progress line every
 * second. Returns when `total` records are sent, or on Ctrl-C after sending what is pending.
 */
export async function runDatagen(options: DatagenOptions, io: DatagenIO): Promise<DatagenStats> {
  const stats: DatagenStats = { produced: 0, sent: 0, retried: 0, failed: 0, unsent: 0, elapsedMs: 0 };
  const pace = pacing(options.schedule);
  // Cron jobs fire together; in rate mode a few requests in flight keep up with 10,000 records/s.
  const sender = new Sender(
    io,
    options.stream,
    stats,
    Math.max(8, options.schedule.kind === 'cron' ? options.schedule.jobs : 0),
  );
  const started = io.now();
  const progressEvery = options.progressIntervalMs ?? 1000;
  let nextProgress = started + progressEvery;
  const report = () => {
    stats.elapsedMs = io.now() - started;
    if (!options.quiet) io.out(`${progressLine(stats, options.total)}\n`);
  };

  for (let tick = 0; ; tick++) {
    const remaining = options.total === undefined ? Infinity : options.total - stats.produced;
    if (remaining <= 0 || io.stop.aborted || sender.error !== undefined) break;
    const due = started + tick * pace.intervalMs;
    if (due > io.now()) await io.sleep(due - io.now(), io.stop);
    if (io.stop.aborted) break;
    if (io.now() >= nextProgress) {
      report();
      nextProgress += Math.ceil((io.now() - nextProgress + 1) / progressEvery) * progressEvery;
    }

    let left = remaining;
    for (const size of pace.requests(tick)) {
      const count = Math.min(size, left);
      if (count <= 0) break;
      left -= count;
      const entries: PutEntry[] = [];
      for (let i = 0; i < count; i++) {
        const record = options.template.render(io.now());
        entries.push({ data: encoder.encode(record), partitionKey: options.partitionKey(record) });
      }
      stats.produced += count;
      await sender.room();
      sender.send(entries);
    }
  }

  await Promise.race([
    sender.flush(),
    new Promise<void>((resolve) => io.abandon.addEventListener('abort', () => resolve(), { once: true })),
  ]);
  stats.unsent = sender.pending;
  report();
  if (sender.error !== undefined) throw new DatagenError(sender.error, stats);
  return stats;
}
