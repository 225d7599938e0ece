/**
 * CloudWatch's metric data, kept in memory for the local run: datapoints put with PutMetricData
 * (a value, values with counts, or a statistic set) are folded into one-second buckets for
 * high-resolution metrics and one-minute buckets for standard ones, per metric (namespace,
 * name and the exact set of dimensions) and unit, as CloudWatch stores them. `statistics`
 * answers what GetMetricStatistics, GetMetricData and alarms ask: SampleCount, Sum, Minimum,
 * Maximum, Average and percentiles per period.
 */

export const STANDARD_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;
export type StandardUnit = (typeof STANDARD_UNITS)[number];

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type Statistic = (typeof STATISTICS)[number];

export interface Dimension {
  readonly name: string;
  readonly value: string;
}

/** A metric: CloudWatch tells metrics apart by namespace, name and the exact set of dimensions. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
}

/** A statistic set, as PutMetricData's StatisticValues gives one. */
export interface StatisticSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

/** One PutMetricData datum's data. */
export interface Datapoint {
  /** ms since the epoch. */
  readonly timestamp: number;
  /** Values with how often each occurred (a single Value is one value, count 1). */
  readonly values?: readonly { readonly value: number; readonly count: number }[];
  readonly statisticValues?: StatisticSet;
  /** @default 'None' */
  readonly unit?: StandardUnit;
  /** 1 (high resolution) or 60. @default 60 */
  readonly storageResolution?: 1 | 60;
}

/** The statistics of one period, for one unit. */
export interface PeriodStatistics {
  /** Start of the period, ms since the epoch. */
  readonly timestamp: number;
  readonly unit: StandardUnit;
  readonly SampleCount?: number;
  readonly Sum?: number;
  readonly Minimum?: number;
  readonly Maximum?: number;
  readonly Average?: number;
  /** Requested percentiles by name (`p99`, `p50`), where the data allows them. */
  readonly percentiles?: Readonly<Record<string, number>>;
}

export interface StatisticsOptions {
  /** Only data put with this unit. @default every unit, each in its own datapoints */
  readonly unit?: StandardUnit;
  /** Percentiles to compute, 0 to 100 (`99` gives `p99`). */
  readonly percentiles?: readonly number[];
}

interface Bucket {
  sampleCount: number;
  sum: number;
  minimum: number;
  maximum: number;
  /** Value → count, while every sample came as a value (percentiles need them). */
  values?: Map<number, number>;
}

interface Series {
  readonly id: MetricId;
  /** By unit, then by bucket start (ms). */
  readonly buckets: Map<StandardUnit, Map<number, Bucket>>;
  lastPut: number;
}

const sortedDimensions = (dimensions: readonly Dimension[]) =>
  [...dimensions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** One key per metric: the dimensions' order does not matter, as in CloudWatch. */
export function metricKey(id: MetricId): string {
  return JSON.stringify([
    id.namespace,
    id.metricName,
    sortedDimensions(id.dimensions).map((d) => [d.name, d.value]),
  ]);
}

function merge(into: Bucket, from: Bucket): void {
  into.sampleCount += from.sampleCount;
  into.sum += from.sum;
  into.minimum = Math.min(into.minimum, from.minimum);
  into.maximum = Math.max(into.maximum, from.maximum);
  if (into.values && from.values) {
    for (const [value, count] of from.values) into.values.set(value, (into.values.get(value) ?? 0) + count);
  } else {
    into.values = undefined;
  }
}

function bucketOf(point: Datapoint): Bucket {
  if (point.statisticValues) {
    const s = point.statisticValues;
    return { sampleCount: s.sampleCount, sum: s.sum, minimum: s.minimum, maximum: s.maximum };
  }
  const bucket: Bucket = { sampleCount: 0, sum: 0, minimum: Infinity, maximum: -Infinity, values: new Map() };
  for (const { value, count } of point.values ?? []) {
    bucket.sampleCount += count;
    bucket.sum += value * count;
    bucket.minimum = Math.min(bucket.minimum, value);
    bucket.maximum = Math.max(bucket.maximum, value);
    bucket.values!.set(value, (bucket.values!.get(value) ?? 0) + count);
  }
  return bucket;
}

/** The nearest-rank percentile of values with counts. */
export function percentile(values: ReadonlyMap<number, number>, p: number): number | undefined {
  const sorted = [...values].sort(([a], [b]) => a - b);
  const total = sorted.reduce((n, [, count]) => n + count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return sorted[sorted.length - 1][0];
}

function periodStatistics(
  timestamp: number,
  unit: StandardUnit,
  bucket: Bucket,
  statistics: readonly Statistic[],
  percentiles: readonly number[],
): PeriodStatistics {
  const all: Record<Statistic, number> = {
    SampleCount: bucket.sampleCount,
    Sum: bucket.sum,
    Minimum: bucket.minimum,
    Maximum: bucket.maximum,
    Average: bucket.sampleCount === 0 ? 0 : bucket.sum / bucket.sampleCount,
  };
  const picked = Object.fromEntries(statistics.map((s) => [s, all[s]]));
  const values = bucket.values;
  const computed =
    values && percentiles.length > 0
      ? Object.fromEntries(percentiles.map((p) => [`p${p}`, percentile(values, p)!]))
      : undefined;
  return { timestamp, unit, ...picked, ...(computed ? { percentiles: computed } : {}) };
}

export class MetricStore {
  private readonly series = new Map<string, Series>();

  /** Adds one datum's data to its metric. */
  put(id: MetricId, point: Datapoint): void {
    const key = metricKey(id);
    let series = this.series.get(key);
    if (!series) {
      series = { id: { ...id, dimensions: sortedDimensions(id.dimensions) }, buckets: new Map(), lastPut: 0 };
      this.series.set(key, series);
    }
    series.lastPut = Math.max(series.lastPut, point.timestamp);
    const unit = point.unit ?? 'None';
    const resolutionMs = (point.storageResolution ?? 60) * 1000;
    const start = Math.floor(point.timestamp / resolutionMs) * resolutionMs;
    let byTime = series.buckets.get(unit);
    if (!byTime) series.buckets.set(unit, (byTime = new Map()));
    const existing = byTime.get(start);
    if (existing) merge(existing, bucketOf(point));
    else byTime.set(start, bucketOf(point));
  }

  /**
   * The statistics of a metric (exactly these dimensions) per period from `start` (inclusive,
   * rounded down to the period, to the minute for periods of a minute or more) to `end`
   * (exclusive), oldest first; periods without data are left out, as CloudWatch leaves them.
   */
  statistics(
    namespace: string,
    metricName: string,
    dimensions: readonly Dimension[],
    period: number,
    start: number,
    end: number,
    stats: readonly Statistic[],
    options: StatisticsOptions = {},
  ): PeriodStatistics[] {
    const series = this.series.get(metricKey({ namespace, metricName, dimensions }));
    if (!series) return [];
    const periodMs = period * 1000;
    const alignMs = period % 60 === 0 ? 60_000 : periodMs;
    const from = Math.floor(start / alignMs) * alignMs;
    // Value counts are copied only when percentiles need them (a status line asks every second).
    const keepValues = (options.percentiles?.length ?? 0) > 0;
    const out: PeriodStatistics[] = [];
    for (const [unit, byTime] of series.buckets) {
      if (options.unit !== undefined && options.unit !== unit) continue;
      const periods = new Map<number, Bucket>();
      for (const [time, bucket] of byTime) {
        if (time < from || time >= end) continue;
        const periodStart = from + Math.floor((time - from) / periodMs) * periodMs;
        const copy: Bucket = {
          ...bucket,
          values: keepValues && bucket.values ? new Map(bucket.values) : undefined,
        };
        const existing = periods.get(periodStart);
        if (existing) merge(existing, copy);
        else periods.set(periodStart, copy);
      }
      for (const [time, bucket] of periods) {
        out.push(periodStatistics(time, unit, bucket, stats, options.percentiles ?? []));
      }
    }
    return out.sort((a, b) => a.timestamp - b.timestamp || (a.unit < b.unit ? -1 : 1));
  }

  /**
   * The metrics there are data for, by namespace and name (and dimensions: each given name must
   * be among the metric's dimensions, with the given value if one is given), optionally only
   * those put to since `activeSince` (ms).
   */
  metrics(
    filter: {
      readonly namespace?: string;
      readonly metricName?: string;
      readonly dimensions?: readonly { readonly name: string; readonly value?: string }[];
      readonly activeSince?: number;
    } = {},
  ): MetricId[] {
    return [...this.series.values()]
      .filter(({ id, lastPut }) => {
        if (filter.namespace !== undefined && id.namespace !== filter.namespace) return false;
        if (filter.metricName !== undefined && id.metricName !== filter.metricName) return false;
        if (filter.activeSince !== undefined && lastPut < filter.activeSince) return false;
        return (filter.dimensions ?? []).every((f) =>
          id.dimensions.some((d) => d.name === f.name && (f.value === undefined || d.value === f.value)),
        );
      })
      .map((s) => s.id);
  }
}
