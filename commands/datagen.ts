import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { gzipSync } from 'node:zlib';
import { formatDate } from '#core/date-format';
import { recordsInSecond, simulatedSeconds, type PeriodicRate, type RateMode } from '#core/kdg-rate';
import { compileTemplate, KDG_HELPERS, type CompiledTemplate } from '#core/kdg-template';
import {
  DEFAULT_RETRY_POLICY,
  putRecordsReliably,
  type PutEntry,
  type PutOutcome,
  type RetryPolicy,
} from '#core/put-records';
import { PUT_RECORDS_LIMITS } from '#core/settings';
import { UsageError } from '../cli/args';
import type { RunIO } from './run-io';

/**
 * How records are paced: the Kinesis Data Generator's "constant" mode (a steady rate) or its
 * "periodic" mode (a normal draw per second from μ and σ by hour and day of week), or the Node
 * producer's cron jobs, each firing every second and sending a fixed number of messages.
 */
export type Schedule =
  | { readonly kind: 'rate'; readonly recordsPerSecond: number }
  | { readonly kind: 'periodic'; readonly periodic: PeriodicRate }
  | { readonly kind: 'cron'; readonly jobs: number; readonly messagesPerJob: number };

/** Where records go: a Kinesis stream (PutRecords) or a Firehose delivery stream (PutRecordBatch). */
export type Destination =
  | { readonly kind: 'stream'; readonly name: string; readonly client: KinesisClient }
  | { readonly kind: 'firehose'; readonly name: string; readonly client: FirehoseClient };

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

/** The records per second of a steady schedule. */
export function recordsPerSecond(schedule: Exclude<Schedule, { kind: 'periodic' }>): number {
  return schedule.kind === 'rate' ? schedule.recordsPerSecond : schedule.jobs * schedule.messagesPerJob;
}

/** The generator's rate mode a schedule stands for. */
export function rateMode(schedule: Schedule): RateMode {
  return schedule.kind === 'periodic'
    ? { kind: 'periodic', periodic: schedule.periodic }
    : { kind: 'constant', recordsPerSecond: recordsPerSecond(schedule) };
}

export interface Pacing {
  /** Time between ticks. */
  readonly intervalMs: number;
  /** The requests of tick `n` (0-based) at time `at`, as record counts; empty when none is due. */
  requests(tick: number, at: number): number[];
}

/**
 * Rate mode ticks ten times a second (once per record below 10 records/s) and sends what is
 * due by then, so 250 records/s is 25 records every 100 ms rather than bursts of 250. Periodic
 * mode ticks every second with that second's draw, as the generator does. Cron mode ticks every
 * second and sends one request per job, as the Node producer's jobs do.
 */
export function pacing(schedule: Schedule, random: () => number = Math.random): Pacing {
  if (schedule.kind === 'periodic') {
    const mode = rateMode(schedule);
    return {
      intervalMs: 1000,
      requests: (tick, at) => {
        const count = recordsInSecond(mode, at, tick, random);
        return count > 0 ? [count] : [];
      },
    };
  }
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

/**
 * A time option: ISO 8601 (a time without a zone is local, as the generator's date pickers read
 * it) or milliseconds since the epoch.
 */
export function parseTime(option: string, value: string): number {
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new UsageError(`--${option} must be a time in ISO 8601 or milliseconds since 1970, got "${value}"`);
  }
  return ms;
}

/** The simulated range of --from and --to, both or neither. */
export function simulatedRange(
  from: string | undefined,
  to: string | undefined,
): { from: number; to: number } | undefined {
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined || to === undefined) throw new UsageError('--from and --to go together');
  const range = { from: parseTime('from', from), to: parseTime('to', to) };
  if (range.to < range.from) throw new UsageError(`--to (${to}) must not be before --from (${from})`);
  return range;
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

/** How a rendered record becomes the bytes sent. */
export interface RecordEncoding {
  /** gzip each record, as the generator's "Compress Records" (then no newline is added). */
  readonly gzip?: boolean;
  /** Follow each record with a newline, as the generator does. @default true */
  readonly newline?: boolean;
}

const encoder = new TextEncoder();

/** The generator sends each record followed by "\n", or gzipped without it. */
export function encodeRecord(record: string, encoding: RecordEncoding = {}): Uint8Array {
  if (encoding.gzip) return new Uint8Array(gzipSync(record));
  return encoder.encode(encoding.newline === false ? record : `${record}\n`);
}

export interface DatagenOptions {
  readonly destination: Destination;
  readonly template: CompiledTemplate;
  readonly schedule: Schedule;
  /** Stop after this many records; unset runs until interrupted (or the simulated range ends). */
  readonly total?: number;
  /** Kinesis only. */
  readonly partitionKey: PartitionKeyOf;
  readonly encoding?: RecordEncoding;
  /**
   * The generator's mode "unlocked from real time": every second from `from` to `to` (both
   * included, milliseconds since the epoch) is generated in order, as fast as the destination
   * accepts, with date.simTime the simulated second.
   */
  readonly simulate?: { readonly from: number; readonly to: number };
  /** No progress lines. */
  readonly quiet?: boolean;
  /** How often a progress line is printed. @default 1000 */
  readonly progressIntervalMs?: number;
}

export interface DatagenIO extends RunIO {
  /** Uniform numbers in [0, 1) for the periodic draws. @default Math.random */
  readonly random?: () => number;
}

export interface DatagenStats {
  produced: number;
  sent: number;
  /** Entry re-sends after the destination refused them, or after a throttled request. */
  retried: number;
  /** Entries still refused after the last retry. */
  failed: number;
  /** Generated but never sent because sending was abandoned. */
  unsent: number;
  firstError?: string;
  elapsedMs: number;
  /** The last simulated second generated, when simulating. */
  simulatedUpTo?: number;
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

/** Refusals that only mean "not so fast": simulated runs send these again until accepted. */
const THROTTLED =
  /^(ProvisionedThroughputExceededException|ServiceUnavailableException|ThrottlingException|KMSThrottlingException|InternalFailure)\b/;

type Put = (entries: PutEntry[]) => Promise<PutOutcome>;

/** Loaded on first use: runs to a Kinesis stream need not load the Firehose SDK. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const firehosePut = () => require('#core/put-record-batch') as typeof import('#core/put-record-batch');

function putFor(destination: Destination, policy: RetryPolicy): Put {
  if (destination.kind === 'stream') {
    return (entries) => putRecordsReliably(destination.client, destination.name, entries, policy);
  }
  return async (entries) => {
    const { putRecordBatchReliably } = firehosePut();
    return putRecordBatchReliably(destination.client, destination.name, entries, policy);
  };
}

/**
 * Sends requests concurrently, at most `limit` at a time; each request's refused entries are
 * retried with back-off by the put function, and entries that still fail are counted, or, when
 * `persistent` (simulated runs), sent again for as long as the refusal is throttling. `room()`
 * waits for a free slot, which slows generation down to what the destination takes.
 */
class Sender {
  private readonly inFlight = new Set<Promise<void>>();
  private queued = 0;
  error: unknown;

  constructor(
    private readonly put: Put,
    private readonly stats: DatagenStats,
    private readonly limit: number,
    private readonly persistent: boolean,
    private readonly abandon: AbortSignal,
  ) {}

  get pending(): number {
    return this.queued;
  }

  async room(): Promise<void> {
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
  }

  private async deliver(entries: PutEntry[]): Promise<void> {
    let pending = entries;
    while (pending.length > 0 && !this.abandon.aborted) {
      const outcome = await this.put(pending);
      const again = this.persistent ? outcome.failed.filter((f) => THROTTLED.test(f.error)) : [];
      const lost = outcome.failed.filter((f) => !again.includes(f));
      this.stats.sent += outcome.sent;
      this.stats.retried += outcome.retried + again.length;
      this.stats.failed += lost.length;
      this.stats.firstError ??= lost[0]?.error;
      this.queued -= outcome.sent + lost.length;
      pending = again.map((f) => f.entry);
    }
  }

  send(entries: PutEntry[]): void {
    this.queued += entries.length;
    const request = this.deliver(entries).catch((error: unknown) => {
      this.error ??= error;
    });
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
  const simulated =
    stats.simulatedUpTo === undefined
      ? ''
      : `, simulated up to ${formatDate(stats.simulatedUpTo, 'YYYY-MM-DDTHH:mm:ss[Z]')}`;
  return `sent ${stats.sent}${total === undefined ? '' : `/${total}`}${rate}, retried ${stats.retried}, failed ${stats.failed}${simulated}`;
}

/** What both modes share: rendering into entries, the sender, progress lines. */
class Run {
  readonly stats: DatagenStats = { produced: 0, sent: 0, retried: 0, failed: 0, unsent: 0, elapsedMs: 0 };
  readonly sender: Sender;
  readonly started: number;
  private nextProgress: number;

  constructor(
    readonly options: DatagenOptions,
    readonly io: DatagenIO,
  ) {
    const { schedule } = options;
    // Cron jobs fire together; otherwise a few requests in flight keep up with 10,000 records/s.
    const limit = Math.max(8, schedule.kind === 'cron' ? schedule.jobs : 0);
    const put = putFor(options.destination, io.retryPolicy ?? DEFAULT_RETRY_POLICY);
    this.sender = new Sender(put, this.stats, limit, options.simulate !== undefined, io.abandon);
    this.started = io.now();
    this.nextProgress = this.started + this.progressEvery;
  }

  private get progressEvery(): number {
    return this.options.progressIntervalMs ?? 1000;
  }

  get remaining(): number {
    return this.options.total === undefined ? Infinity : this.options.total - this.stats.produced;
  }

  get stopped(): boolean {
    return this.remaining <= 0 || this.io.stop.aborted || this.sender.error !== undefined;
  }

  report(): void {
    this.stats.elapsedMs = this.io.now() - this.started;
    if (!this.options.quiet) this.io.out(`${progressLine(this.stats, this.options.total)}\n`);
  }

  /** A progress line when one is due. */
  tick(): void {
    const now = this.io.now();
    if (now < this.nextProgress) return;
    this.report();
    this.nextProgress += Math.ceil((now - this.nextProgress + 1) / this.progressEvery) * this.progressEvery;
  }

  /** `count` records rendered at the wall clock, for the simulated second `simTime`. */
  entries(count: number, simTime?: number): PutEntry[] {
    const { template, partitionKey, encoding, destination } = this.options;
    const entries: PutEntry[] = [];
    for (let i = 0; i < count; i++) {
      const record = template.render(this.io.now(), simTime);
      const key = destination.kind === 'stream' ? partitionKey(record) : '';
      entries.push({ data: encodeRecord(record, encoding), partitionKey: key });
    }
    this.stats.produced += count;
    return entries;
  }

  async send(entries: PutEntry[]): Promise<void> {
    await this.sender.room();
    this.sender.send(entries);
  }

  async finish(): Promise<DatagenStats> {
    const { sender, io } = this;
    await Promise.race([
      sender.flush(),
      new Promise<void>((resolve) => io.abandon.addEventListener('abort', () => resolve(), { once: true })),
    ]);
    this.stats.unsent = sender.pending;
    this.report();
    if (sender.error !== undefined) throw new DatagenError(sender.error, this.stats);
    return this.stats;
  }
}

/** In real time: each tick's records at the scheduled pace. */
async function realTime(run: Run): Promise<void> {
  const { io, options } = run;
  const pace = pacing(options.schedule, io.random);
  for (let tick = 0; !run.stopped; tick++) {
    const due = run.started + tick * pace.intervalMs;
    if (due > io.now()) await io.sleep(due - io.now(), io.stop);
    if (io.stop.aborted) break;
    run.tick();
    let left = run.remaining;
    for (const size of pace.requests(tick, due)) {
      const count = Math.min(size, left);
      if (count <= 0) break;
      left -= count;
      await run.send(run.entries(count));
    }
  }
}

/**
 * Unlocked from real time: every simulated second in order, each with its count, gathered into
 * requests of up to 500 records and sent as fast as the destination accepts them.
 */
async function simulated(run: Run, from: number, to: number): Promise<void> {
  const { io, options } = run;
  const mode = rateMode(options.schedule);
  const random = io.random ?? Math.random;
  let batch: PutEntry[] = [];
  let index = 0;
  for (const second of simulatedSeconds(from, to)) {
    // Let Ctrl-C and progress through now and then, however few records the seconds hold.
    if (index % 1000 === 999) await io.sleep(0, io.stop);
    if (run.stopped) break;
    const count = Math.min(recordsInSecond(mode, second, index++, random), run.remaining);
    batch.push(...run.entries(count, second));
    run.stats.simulatedUpTo = second;
    while (batch.length >= PUT_RECORDS_LIMITS.maxRecords) {
      await run.send(batch.slice(0, PUT_RECORDS_LIMITS.maxRecords));
      batch = batch.slice(PUT_RECORDS_LIMITS.maxRecords);
    }
    run.tick();
  }
  if (batch.length > 0) await run.send(batch);
}

/**
 * Renders records from the template and puts them on the destination at the scheduled pace (or
 * through a simulated range as fast as it accepts them), in requests within the API's limits,
 * retrying refused entries, with a progress line every second. Returns when `total` records are
 * sent, the simulated range is done, or on Ctrl-C after sending what is pending.
 */
export async function runDatagen(options: DatagenOptions, io: DatagenIO): Promise<DatagenStats> {
  const run = new Run(options, io);
  if (options.simulate) await simulated(run, options.simulate.from, options.simulate.to);
  else await realTime(run);
  return run.finish();
}

/**
 * The records of a dry run: `total` records at `now` in real time, or in a simulated range the
 * records of every second (each rendered for its second), up to `total` when given.
 */
export function* dryRunRecords(
  template: CompiledTemplate,
  schedule: Schedule,
  now: () => number,
  options: { total?: number; simulate?: { from: number; to: number }; random?: () => number },
): Generator<string> {
  if (!options.simulate) {
    for (let i = 0; i < (options.total ?? 3); i++) yield template.render(now());
    return;
  }
  const mode = rateMode(schedule);
  let left = options.total ?? Infinity;
  let index = 0;
  for (const second of simulatedSeconds(options.simulate.from, options.simulate.to)) {
    const count = Math.min(left, recordsInSecond(mode, second, index++, options.random ?? Math.random));
    for (let i = 0; i < count; i++) yield template.render(now(), second);
    left -= count;
    if (left <= 0) return;
  }
}

/**
 * The helper names by module for `datagen --help`: `random.number arrayElement …`, a line per
 * module wrapped at `width`, each wrapped line starting with its module again.
 */
export function helperSummary(width = 100): string {
  const modules = new Map<string, string[]>();
  for (const name of Object.keys(KDG_HELPERS)) {
    const [module, method] = name.split('.');
    modules.set(module, [...(modules.get(module) ?? []), method]);
  }
  const lines: string[] = [];
  for (const [module, methods] of modules) {
    let line = '';
    for (const method of methods) {
      if (line && line.length + method.length + 1 > width) {
        lines.push(line);
        line = '';
      }
      line = line ? `${line} ${method}` : `${module}.${method}`;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** How an example value is shown: on one line, long ones shortened. */
function shown(value: string, max = 100): string {
  const oneLine = /[\r\n\t]/.test(value) ? JSON.stringify(value) : value;
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/**
 * Every helper with an example and what it renders, at `now` (also the simulated time): for
 * `datagen helpers`. The same seed gives the same values.
 */
export function helperExamples(seed: number | undefined, now: number): string[] {
  const entries = Object.entries(KDG_HELPERS).map(([name, entry]) => `{{${name}${entry.example ?? ''}}}`);
  const width = Math.max(...entries.map((e) => e.length));
  return entries.map((placeholder) => {
    const value = compileTemplate(placeholder, { seed, keepNewlines: true }).render(now);
    return `${placeholder.padEnd(width)}  ${shown(value)}`;
  });
}
