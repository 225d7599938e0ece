/**
 * The local pipeline end to end (`npm start`'s runtime on the emulators, from a synthesized
 * assembly): the producer command puts a 1,000-unicorn fleet's records at a fixed rate for a
 * fixed time; afterwards every record must have been handed to the aggregation function, with
 * no function errors and nothing on a failure queue. The highest rate that passes is the
 * sustained rate. Meanwhile a latency probe on the telemetry stream measures put→consumer
 * latency.
 */
import type { _Record } from '@aws-sdk/client-kinesis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseStatusTime } from '#core/status-time';
import { sleep } from '../cli/run-main';
import { startLocalPipeline, type LocalPipeline } from '../local/runtime';
import { listShards, ShardReader } from '#core/shard-follower';
import { machineBusyPercent, machineCpuTicks, mainThreadCpuSeconds } from './machine';
import { runProducerProcess, type ProducerRun } from './producer';
import { startProfiling, type Hotspot } from './profile';
import { percentile, round } from './stats';

const FLEET = 1_000;
/** A shard serves at most five GetRecords calls a second, so a consumer polls every 200 ms. */
const POLL_MS = 200;
/**
 * The probe samples one second in every five. Reading every record would make it a third
 * consumer of the stream besides the aggregation and the data lake delivery, and the Kinesis
 * emulator's cost per record read is what limits the local pipeline (see the report).
 */
const PROBE_WINDOW_MS = 1_000;
const PROBE_PERIOD_MS = 5_000;
/**
 * The aggregation keeps up when it trails by its batching only (it gathers up to 1,000 records
 * or 5 s); two seconds of traffic is more than that at these rates.
 */
const MAX_BEHIND_SECONDS = 2;

export interface Latency {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const latency = (values: readonly number[]): Latency => ({
  samples: values.length,
  p50: percentile(values, 50),
  p99: percentile(values, 99),
  max: percentile(values, 100),
});

export interface PipelineRun {
  readonly targetPerSecond: number;
  readonly producer: ProducerRun;
  /** Records the aggregation's event source handed to its function successfully. */
  readonly aggregated: number;
  /** Function errors plus messages on failure queues. */
  readonly errors: number;
  /** How far behind the producer the aggregation was when the producer finished, in seconds of traffic. */
  readonly behindSeconds: number;
  /** From the producer's exit until the aggregation had every record, or the drain limit. */
  readonly drainSeconds: number;
  /** Put (arrival on the stream) → read by a consumer polling every 200 ms. */
  readonly latencyMs: Latency;
  /** Record created by the producer → read: adds the time records wait in the producer. */
  readonly latencyFromCreationMs: Latency;
  /**
   * The bench process's main thread, where the emulators and event sources run: its CPU time
   * as a share of one core over the run, and where that time went.
   */
  readonly mainThread: { readonly cpuPercent: number; readonly hotspots: Hotspot[] };
  /** How busy all of the machine's cores were over the run (every process, not only ours). */
  readonly machineBusyPercent?: number;
  /**
   * No loss (every record aggregated, nothing failed, no errors) at the target rate (the
   * producer at ≥ 95 % of it) with the aggregation keeping up (at most 2 s behind).
   */
  readonly sustained: boolean;
  readonly problems: string[];
}

export interface PipelineBenchResult {
  readonly seconds: number;
  readonly fleet: number;
  readonly runs: PipelineRun[];
  /** The highest target rate sustained; 0 when none was. */
  readonly sustainedPerSecond: number;
  /**
   * The same rate with IAM evaluation at the endpoint off, then on again (every run above has it
   * on): what enforcing each role's policies costs.
   */
  readonly iam?: { readonly off: PipelineRun; readonly on: PipelineRun };
}

/**
 * Samples put→read latency: in each probe window a consumer starts at the tip of every shard
 * and polls every 200 ms; each record that arrived during the window is timed when read. After
 * the window it keeps reading until a read that began after the window's end, so the window's
 * last records are timed too, then rests until the next window.
 */
function startLatencyProbe(pipeline: LocalPipeline, stream: string) {
  const fromPut: number[] = [];
  const fromCreation: number[] = [];
  const stop = new AbortController();

  const probeWindow = async (readers: ShardReader[]) => {
    await Promise.all(readers.map((r) => r.read(1))); // positions each reader at the tip
    const start = Date.now();
    const end = start + PROBE_WINDOW_MS;
    for (;;) {
      const pollStarted = Date.now();
      let full = false;
      for (const reader of readers) {
        const { records } = await reader.read(10_000);
        const now = Date.now();
        full ||= records.length === 10_000;
        for (const record of records) {
          const arrival = record.ApproximateArrivalTimestamp!.getTime();
          if (arrival < start || arrival >= end) continue;
          const status = JSON.parse(Buffer.from(record.Data!).toString('utf8')) as { StatusTime: string };
          fromPut.push(now - arrival);
          fromCreation.push(now - parseStatusTime(status.StatusTime)!);
        }
      }
      if ((pollStarted > end && !full) || stop.signal.aborted) return;
      await sleep(Math.max(0, POLL_MS - (Date.now() - pollStarted)), stop.signal);
    }
  };

  const loop = (async () => {
    const shards = await listShards(pipeline.kinesis, stream);
    while (!stop.signal.aborted) {
      const started = Date.now();
      await probeWindow(
        shards.map(
          (s) => new ShardReader(pipeline.kinesis, stream, s.ShardId!, { start: { type: 'LATEST' } }),
        ),
      );
      await sleep(Math.max(0, PROBE_PERIOD_MS - (Date.now() - started)), stop.signal);
    }
  })();
  return {
    fromPut,
    fromCreation,
    async stop() {
      stop.abort();
      await loop;
    },
  };
}

async function runAt(
  assemblyDir: string,
  targetPerSecond: number,
  seconds: number,
  drainLimitSeconds: number,
  enforceIam = true,
): Promise<PipelineRun> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-pipeline-'));
  const problems: string[] = [];
  const pipeline = await startLocalPipeline({
    assemblyDir,
    dataDir,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
    enforceIam,
    // What the emulators can carry, not the shard's limits (npm start -- --no-limits).
    limits: false,
    log: (message) => problems.push(message),
  });
  try {
    const stream = pipeline.stacks[0].outputs.StreamName!;
    const profiler = await startProfiling(1_000);
    const cpuBefore = mainThreadCpuSeconds().seconds;
    const wallBefore = performance.now();
    const machineBefore = machineCpuTicks();
    const probe = startLatencyProbe(pipeline, stream);
    const aggregated = () =>
      pipeline.status().consumers.find((c) => c.label === 'SummaryAggregation')?.records ?? 0;
    // Through the one endpoint, as every client of the local run: the producer's own keys act as
    // the account's administrator, the functions and Firehose with their roles' credentials.
    const producer = await runProducerProcess({
      endpoint: pipeline.endpoint,
      stream,
      fleet: FLEET,
      rate: targetPerSecond / FLEET,
      seconds,
    });
    const behindSeconds = round((producer.sent - aggregated()) / targetPerSecond, 1);
    await probe.stop();
    const drainStart = performance.now();
    const deadline = drainStart + drainLimitSeconds * 1000;
    while (aggregated() < producer.sent && performance.now() < deadline) await sleep(100);
    const drainSeconds = (performance.now() - drainStart) / 1000;
    const cpuPercent =
      ((mainThreadCpuSeconds().seconds - cpuBefore) / ((performance.now() - wallBefore) / 1000)) * 100;
    const busy = machineBusyPercent(machineBefore, machineCpuTicks());
    const hot = await profiler.stop('package', 6);
    const errors = pipeline.status().errors;
    const sustained =
      producer.failed === 0 &&
      producer.perSecond >= 0.95 * targetPerSecond &&
      aggregated() === producer.sent &&
      errors === 0 &&
      behindSeconds <= MAX_BEHIND_SECONDS;
    return {
      targetPerSecond,
      producer,
      aggregated: aggregated(),
      errors,
      behindSeconds,
      drainSeconds: round(drainSeconds, 1),
      latencyMs: latency(probe.fromPut),
      latencyFromCreationMs: latency(probe.fromCreation),
      mainThread: { cpuPercent: round(cpuPercent), hotspots: hot },
      ...(busy === undefined ? {} : { machineBusyPercent: busy }),
      sustained,
      problems: problems.slice(0, 5),
    };
  } finally {
    await pipeline.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One run per target rate, lowest first, each on a fresh pipeline; stops after the first rate
 * that is not sustained.
 */
export async function benchPipeline(options: {
  assemblyDir: string;
  rates?: readonly number[];
  seconds?: number;
  drainLimitSeconds?: number;
  log?: (line: string) => void;
  /** Also run the highest sustained rate with IAM evaluation off and on. @default true */
  compareIam?: boolean;
}): Promise<PipelineBenchResult> {
  const rates = options.rates ?? [1_000, 2_500, 5_000, 7_500];
  const seconds = options.seconds ?? 20;
  const drainLimit = options.drainLimitSeconds ?? 10;
  const logRun = (what: string, run: PipelineRun) =>
    options.log?.(
      `  ${what}: producer ${run.producer.perSecond} rec/s, aggregated ${run.aggregated}/${run.producer.sent}, ` +
        `${run.behindSeconds} s behind, put→read p50 ${run.latencyMs.p50} p99 ${run.latencyMs.p99} ms ` +
        `(${run.latencyMs.samples} samples), main thread ${run.mainThread.cpuPercent} % CPU, machine ${run.machineBusyPercent ?? '?'} % busy, ` +
        `${run.sustained ? 'sustained' : 'NOT sustained'}`,
    );
  const runs: PipelineRun[] = [];
  for (const rate of rates) {
    const run = await runAt(options.assemblyDir, rate, seconds, drainLimit);
    logRun(`${rate} rec/s`, run);
    runs.push(run);
    if (!run.sustained) break;
  }
  const sustained = runs.filter((r) => r.sustained).map((r) => r.targetPerSecond);
  const sustainedPerSecond = sustained.length ? Math.max(...sustained) : 0;
  let iam: PipelineBenchResult['iam'];
  if (options.compareIam !== false) {
    const rate = sustainedPerSecond || rates[0];
    const off = await runAt(options.assemblyDir, rate, seconds, drainLimit, false);
    logRun(`${rate} rec/s, IAM evaluation off`, off);
    const on = await runAt(options.assemblyDir, rate, seconds, drainLimit, true);
    logRun(`${rate} rec/s, IAM evaluation on`, on);
    iam = { off, on };
  }
  return { seconds, fleet: FLEET, runs, sustainedPerSecond, ...(iam ? { iam } : {}) };
}
