import { performance } from 'node:perf_hooks';

/** The value below which `p` percent of `values` fall (nearest rank); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Rounds to `digits` decimals, for figures that are read rather than computed with. */
export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Milliseconds `work` takes. */
export async function timeMs(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export interface RateOptions {
  /** Untimed rounds first, so the JIT has compiled the hot paths. @default 0.5 s */
  readonly warmupMs?: number;
  /** Timed rounds go on until this much time has passed... @default 2 s */
  readonly measureMs?: number;
  /** ...and at least this many have run. @default 5 */
  readonly minRounds?: number;
}

/**
 * Items per second of `subject` next to `baseline`, both handling the same `items` items per
 * call, timed in alternating pairs so that a burst of load from elsewhere on a shared machine
 * hits both alike. Rates are medians over the pairs; `ratio` is the median of the pairs' ratios.
 */
export async function pairedRates(
  items: number,
  subject: () => unknown,
  baseline: () => unknown,
  options: RateOptions = {},
): Promise<{ perSecond: number; baselinePerSecond: number; ratio: number; rounds: number }> {
  const warmupMs = options.warmupMs ?? 500;
  const measureMs = options.measureMs ?? 2_000;
  const minRounds = options.minRounds ?? 5;
  const warmupEnd = performance.now() + warmupMs;
  do {
    await baseline();
    await subject();
  } while (performance.now() < warmupEnd);
  const subjectRates: number[] = [];
  const baselineRates: number[] = [];
  const ratios: number[] = [];
  const end = performance.now() + measureMs;
  while (ratios.length < minRounds || performance.now() < end) {
    const b = items / ((await timeMs(baseline)) / 1000);
    const s = items / ((await timeMs(subject)) / 1000);
    baselineRates.push(b);
    subjectRates.push(s);
    ratios.push(s / b);
  }
  return {
    perSecond: median(subjectRates),
    baselinePerSecond: median(baselineRates),
    ratio: median(ratios),
    rounds: ratios.length,
  };
}
