import {
  STANDARD_UNITS,
  STATISTICS,
  type Datapoint,
  type Dimension,
  type MetricId,
  type StandardUnit,
  type Statistic,
} from '../metrics/store';
import type { ServiceError } from './protocols';

/**
 * CloudWatch's requests read and checked as CloudWatch checks them, the same whether they came
 * as AWS JSON (numbers, epoch-second timestamps) or query parameters (strings, ISO 8601), with
 * its error codes and words: MissingParameter, InvalidParameterValue,
 * InvalidParameterCombination, each message naming the parameter (`MetricData.member.2.Value`).
 */

/** PutMetricData's limits (the API reference, since the 2022 increase). */
export const PUT_METRIC_DATA_LIMITS = {
  metricsPerCall: 1000,
  dimensionsPerMetric: 30,
  valuesPerMetric: 150,
  /** Datapoints are accepted up to two weeks old and two hours ahead. */
  maxAgeMs: 14 * 24 * 3600_000,
  maxAheadMs: 2 * 3600_000,
} as const;

/** GetMetricStatistics answers at most this many datapoints. */
export const MAX_DATAPOINTS = 1440;

/** The query protocol's error code, and the JSON protocol's error shape for it. */
const JSON_SHAPES: Record<string, string> = {
  MissingParameter: 'MissingRequiredParameterException',
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  InvalidNextToken: 'InvalidNextToken',
};

export class CloudWatchError extends Error {
  constructor(readonly error: ServiceError) {
    super(error.message);
  }
}

export function cloudWatchError(code: string, message: string): CloudWatchError {
  return new CloudWatchError({ code: JSON_SHAPES[code] ?? code, queryCode: code, message });
}

/**
 * Problems found in a request. CloudWatch answers with the first problem's code and every
 * message of that code, one a line.
 */
class Problems {
  private readonly found: { code: string; message: string }[] = [];

  add(code: string, message: string): void {
    this.found.push({ code, message });
  }

  missing(parameter: string): void {
    this.add('MissingParameter', `The parameter ${parameter} is required.`);
  }

  invalid(value: string, parameter: string): void {
    this.add('InvalidParameterValue', `The value ${value} for parameter ${parameter} is invalid.`);
  }

  throwIfAny(): void {
    if (this.found.length === 0) return;
    const code = this.found[0].code;
    const messages = this.found.filter((p) => p.code === code).map((p) => p.message);
    throw cloudWatchError(code, messages.join('\n'));
  }
}

type Json = Record<string, unknown>;

/** A number from JSON (a number, or `"NaN"`/`"Infinity"` as the SDK writes them) or a query string. */
function number(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return Number(value);
}

const numberText = (raw: unknown, n: number) => (typeof raw === 'string' ? raw : String(n));

/** A timestamp: epoch seconds (JSON) or ISO 8601 (query); ms, or NaN when unreadable. */
export function timestamp(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') return NaN;
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

const list = (value: unknown): unknown[] | undefined =>
  Array.isArray(value) ? value : value === '' ? [] : undefined;

/** CloudWatch refuses doubles beyond ±2^360 and closer to zero than 2^-360, and NaN and infinities. */
const TOO_LARGE = 2 ** 360;
const inRange = (n: number) =>
  Number.isFinite(n) && Math.abs(n) <= TOO_LARGE && (n === 0 || Math.abs(n) >= 1 / TOO_LARGE);

const unitSet = `[ ${STANDARD_UNITS.join(', ')} ]`;

function readUnit(value: unknown, parameter: string, problems: Problems): StandardUnit | undefined {
  if (value === undefined) return undefined;
  if ((STANDARD_UNITS as readonly unknown[]).includes(value)) return value as StandardUnit;
  problems.add('InvalidParameterValue', `The parameter ${parameter} must be a value in the set ${unitSet}.`);
  return undefined;
}

function readDimensions(value: unknown, where: string, problems: Problems): Dimension[] {
  const items = list(value) ?? [];
  if (items.length > PUT_METRIC_DATA_LIMITS.dimensionsPerMetric) {
    problems.add(
      'InvalidParameterValue',
      `The collection ${where} must not have a size greater than ${PUT_METRIC_DATA_LIMITS.dimensionsPerMetric}.`,
    );
  }
  const dimensions: Dimension[] = [];
  items.forEach((item, j) => {
    const d = (item ?? {}) as Json;
    const at = `${where}.member.${j + 1}`;
    if (typeof d.Name !== 'string' || d.Name === '') problems.missing(`${at}.Name`);
    if (typeof d.Value !== 'string' || d.Value === '') problems.missing(`${at}.Value`);
    dimensions.push({ name: String(d.Name ?? ''), value: String(d.Value ?? '') });
  });
  if (new Set(dimensions.map((d) => d.name)).size < dimensions.length) {
    problems.add('InvalidParameterValue', 'No metric may specify the same dimension name twice.');
  }
  return dimensions;
}

/** A datum's data: one of Value, Values (with Counts) or StatisticValues. */
function readData(d: Json, at: string, problems: Problems): Pick<Datapoint, 'values' | 'statisticValues'> {
  const values = list(d.Values) ?? [];
  const counts = list(d.Counts) ?? [];
  const stats =
    typeof d.StatisticValues === 'object' && d.StatisticValues !== null
      ? (d.StatisticValues as Json)
      : undefined;
  const has = {
    Value: d.Value !== undefined,
    Values: values.length > 0,
    StatisticValues: stats !== undefined,
  };
  const both = (a: keyof typeof has, b: keyof typeof has, code: string) => {
    if (has[a] && has[b]) {
      problems.add(
        code,
        `The parameters ${at}.${a} and ${at}.${b} are mutually exclusive and you have specified both.`,
      );
    }
  };
  both('Value', 'StatisticValues', 'InvalidParameterCombination');
  both('Values', 'StatisticValues', 'InvalidParameterCombination');
  both('Value', 'Values', 'InvalidParameterValue');
  if (!has.Value && !has.Values && !has.StatisticValues) {
    problems.add(
      'InvalidParameterCombination',
      `At least one of the parameters ${at}.Value, ${at}.Values or ${at}.StatisticValues must be specified.`,
    );
  }
  const checked = (raw: unknown, parameter: string, valid = inRange): number => {
    const n = number(raw);
    if (n === undefined || !valid(n)) problems.invalid(numberText(raw, n ?? NaN), parameter);
    return n ?? 0;
  };
  if (stats) {
    const read = (key: string) => {
      if (stats[key] === undefined) problems.missing(`${at}.StatisticValues.${key}`);
      return checked(stats[key] ?? 0, `${at}.StatisticValues.${key}`);
    };
    return {
      statisticValues: {
        sampleCount: read('SampleCount'),
        sum: read('Sum'),
        minimum: read('Minimum'),
        maximum: read('Maximum'),
      },
    };
  }
  if (values.length > PUT_METRIC_DATA_LIMITS.valuesPerMetric) {
    problems.add(
      'InvalidParameterValue',
      `The collection ${at}.Values must not have a size greater than ${PUT_METRIC_DATA_LIMITS.valuesPerMetric}.`,
    );
  }
  if (counts.length > 0 && counts.length !== values.length) {
    problems.add(
      'InvalidParameterValue',
      `The parameters ${at}.Values and ${at}.Counts must be of the same size.`,
    );
  }
  if (has.Value) return { values: [{ value: checked(d.Value, `${at}.Value`), count: 1 }] };
  return {
    values: values.map((raw, k) => ({
      value: checked(raw, `${at}.Values`),
      count:
        counts[k] === undefined ? 1 : checked(counts[k], `${at}.Counts`, (n) => Number.isFinite(n) && n >= 0),
    })),
  };
}

/** When a datum's datapoint is: its Timestamp (within two weeks back and two hours ahead), or now. */
function readTimestamp(value: unknown, at: string, now: number, problems: Problems): number {
  if (value === undefined) return now;
  const time = timestamp(value);
  if (Number.isNaN(time)) problems.invalid(String(value), `${at}.Timestamp`);
  else if (time < now - PUT_METRIC_DATA_LIMITS.maxAgeMs) {
    problems.add(
      'InvalidParameterValue',
      `The parameter ${at}.Timestamp must specify a time within the past two weeks.`,
    );
  } else if (time > now + PUT_METRIC_DATA_LIMITS.maxAheadMs) {
    problems.add(
      'InvalidParameterValue',
      `The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`,
    );
  }
  return time;
}

function readDatum(raw: unknown, at: string, now: number, problems: Problems) {
  const d = (typeof raw === 'object' && raw !== null ? raw : {}) as Json;
  if (typeof d.MetricName !== 'string' || d.MetricName === '') problems.missing(`${at}.MetricName`);
  else if (d.MetricName.length > 255) problems.invalid(d.MetricName, `${at}.MetricName`);
  const dimensions = readDimensions(d.Dimensions, `${at}.Dimensions`, problems);
  const data = readData(d, at, problems);
  const unit = readUnit(d.Unit, `${at}.Unit`, problems);
  const resolution = d.StorageResolution === undefined ? 60 : number(d.StorageResolution);
  if (resolution !== 1 && resolution !== 60) {
    problems.add(
      'InvalidParameterValue',
      `The parameter ${at}.StorageResolution must be a value in the set [ 1, 60 ].`,
    );
  }
  const point: Datapoint = {
    ...data,
    timestamp: readTimestamp(d.Timestamp, at, now, problems),
    unit: unit ?? 'None',
    storageResolution: resolution === 1 ? 1 : 60,
  };
  return { metricName: String(d.MetricName), dimensions, point };
}

/** A namespace CloudWatch takes: 1 to 255 of its characters, not starting with `:`, not `AWS/…`. */
function namespaceProblem(namespace: string): boolean {
  return (
    namespace.length > 255 ||
    namespace.startsWith('AWS/') ||
    namespace.startsWith(':') ||
    !/^[0-9A-Za-z.\-_/#: ]+$/.test(namespace) ||
    namespace.trim() === ''
  );
}

export interface PutMetricDataInput {
  readonly namespace: string;
  readonly data: readonly { readonly id: MetricId; readonly point: Datapoint }[];
}

export function readPutMetricData(input: Json, now: number): PutMetricDataInput {
  const problems = new Problems();
  const namespace = typeof input.Namespace === 'string' ? input.Namespace : '';
  if (namespace === '') problems.missing('Namespace');
  const items = list(input.MetricData) ?? [];
  if (items.length === 0) problems.missing('MetricData');
  problems.throwIfAny();
  if (namespaceProblem(namespace)) problems.invalid(namespace, 'Namespace');
  if (items.length > PUT_METRIC_DATA_LIMITS.metricsPerCall) {
    problems.add(
      'InvalidParameterValue',
      `The collection MetricData must not have a size greater than ${PUT_METRIC_DATA_LIMITS.metricsPerCall}.`,
    );
  }
  problems.throwIfAny();
  const data = items.map((raw, i) => {
    const { metricName, dimensions, point } = readDatum(raw, `MetricData.member.${i + 1}`, now, problems);
    return { id: { namespace, metricName, dimensions }, point };
  });
  problems.throwIfAny();
  return { namespace, data };
}

export interface GetMetricStatisticsInput {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly Dimension[];
  readonly start: number;
  readonly end: number;
  /** Seconds. */
  readonly period: number;
  readonly statistics: readonly Statistic[];
  /** ExtendedStatistics as asked (`p99.9`) with their values. */
  readonly percentiles: readonly { readonly name: string; readonly value: number }[];
  readonly unit?: StandardUnit;
}

function requiredParameters(input: Json, names: readonly string[]): void {
  const problems = new Problems();
  for (const name of names) if (input[name] === undefined || input[name] === '') problems.missing(name);
  problems.throwIfAny();
}

export function readGetMetricStatistics(input: Json): GetMetricStatisticsInput {
  requiredParameters(input, ['Namespace', 'MetricName', 'StartTime', 'EndTime', 'Period']);
  const problems = new Problems();
  const statistics = (list(input.Statistics) ?? []) as string[];
  const extended = (list(input.ExtendedStatistics) ?? []) as string[];
  if (statistics.length === 0 && extended.length === 0) {
    throw cloudWatchError(
      'InvalidParameterCombination',
      'Must specify either Statistics or ExtendedStatistics',
    );
  }
  statistics.forEach((s, i) => {
    if (!(STATISTICS as readonly string[]).includes(s)) {
      problems.add(
        'InvalidParameterValue',
        `The parameter Statistics.member.${i + 1} must be a value in the set [Sum, Maximum, Minimum, SampleCount, Average].`,
      );
    }
  });
  const percentiles = extended.map((name, i) => {
    const match = /^p(\d{1,2}(\.\d{1,10})?|100)$/.exec(name);
    if (!match) problems.invalid(name, `ExtendedStatistics.member.${i + 1}`);
    return { name, value: match ? Number(match[1]) : 0 };
  });
  const start = timestamp(input.StartTime);
  const end = timestamp(input.EndTime);
  if (Number.isNaN(start)) problems.invalid(String(input.StartTime), 'StartTime');
  if (Number.isNaN(end)) problems.invalid(String(input.EndTime), 'EndTime');
  if (Math.floor(start / 1000) >= Math.floor(end / 1000)) {
    problems.add('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
  }
  const period = number(input.Period) ?? NaN;
  if (!(period > 0 && (period % 60 === 0 || [1, 5, 10, 30].includes(period)))) {
    problems.add('InvalidParameterValue', 'The parameter Period must be 1, 5, 10, 30 or a multiple of 60.');
  }
  const unit = readUnit(input.Unit, 'Unit', problems);
  const dimensions = readDimensions(input.Dimensions, 'Dimensions', problems);
  problems.throwIfAny();
  const points = Math.ceil((end - start) / (period * 1000));
  if (points > MAX_DATAPOINTS) {
    throw cloudWatchError(
      'InvalidParameterCombination',
      `You have requested up to ${points.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  return {
    namespace: String(input.Namespace),
    metricName: String(input.MetricName),
    dimensions,
    start,
    end,
    period,
    statistics: statistics as Statistic[],
    percentiles,
    unit,
  };
}

export interface ListMetricsInput {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions: readonly { readonly name: string; readonly value?: string }[];
  /** Where the previous page ended. */
  readonly offset: number;
  readonly recentlyActive: boolean;
}

export function readListMetrics(input: Json): ListMetricsInput {
  const problems = new Problems();
  const filters = (list(input.Dimensions) ?? []).map((raw, j) => {
    const d = (raw ?? {}) as Json;
    if (typeof d.Name !== 'string' || d.Name === '') problems.missing(`Dimensions.member.${j + 1}.Name`);
    return { name: String(d.Name ?? ''), ...(typeof d.Value === 'string' ? { value: d.Value } : {}) };
  });
  if (input.RecentlyActive !== undefined && input.RecentlyActive !== 'PT3H') {
    problems.add(
      'InvalidParameterValue',
      'The parameter RecentlyActive must be a value in the set [ PT3H ].',
    );
  }
  problems.throwIfAny();
  let offset = 0;
  if (input.NextToken !== undefined) {
    offset = Number(Buffer.from(String(input.NextToken), 'base64url').toString());
    if (!Number.isSafeInteger(offset) || offset < 0)
      throw cloudWatchError('InvalidNextToken', 'The service cannot understand the NextToken.');
  }
  return {
    namespace: typeof input.Namespace === 'string' ? input.Namespace : undefined,
    metricName: typeof input.MetricName === 'string' ? input.MetricName : undefined,
    dimensions: filters,
    offset,
    recentlyActive: input.RecentlyActive === 'PT3H',
  };
}
