import { STATISTICS, type MetricId, type MetricStore, type StandardUnit, type Statistic } from './store';

/**
 * Metric data queries as GetMetricData, alarms and dashboards ask them: a metric with a
 * statistic and period (`MetricStat`), or a metric math expression over the other queries'
 * results. Expressions here are arithmetic (`+ - * /`, parentheses, numbers, query ids) as
 * CloudWatch evaluates it: two series combine where both have a datapoint, a series and a
 * number combine at every datapoint. A function (FILL, SUM, …) is refused with its name.
 */

export interface MetricStatQuery {
  readonly id: string;
  readonly metric: MetricId;
  /** Seconds. */
  readonly period: number;
  /** Sum, Average, Minimum, Maximum, SampleCount or a percentile (`p99`). */
  readonly stat: string;
  readonly unit?: StandardUnit;
  readonly label?: string;
  /** @default true */
  readonly returnData?: boolean;
}

export interface ExpressionQuery {
  readonly id: string;
  readonly expression: string;
  readonly period?: number;
  readonly label?: string;
  /** @default true */
  readonly returnData?: boolean;
}

export type MetricQuery = MetricStatQuery | ExpressionQuery;

/** A query's answer: datapoints oldest first. */
export interface MetricSeries {
  readonly id: string;
  readonly label: string;
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

export class QueryError extends Error {}

const isPercentile = (stat: string) => /^p(\d{1,2}(\.\d{1,10})?|100)$/.test(stat);

export function validStat(stat: string): boolean {
  return (STATISTICS as readonly string[]).includes(stat) || isPercentile(stat);
}

/** One MetricStat's datapoints from `start` to `end` (ms). */
export function metricStatSeries(
  store: MetricStore,
  query: MetricStatQuery,
  start: number,
  end: number,
): MetricSeries {
  const { metric, period, stat } = query;
  const percentile = isPercentile(stat) ? Number(stat.slice(1)) : undefined;
  if (percentile === undefined && !(STATISTICS as readonly string[]).includes(stat)) {
    throw new QueryError(`The statistic ${stat} is not supported.`);
  }
  const points = store.statistics(
    metric.namespace,
    metric.metricName,
    metric.dimensions,
    period,
    start,
    end,
    percentile === undefined ? [stat as Statistic] : [],
    { unit: query.unit, percentiles: percentile === undefined ? [] : [percentile] },
  );
  // Data put with several units gives a datapoint per unit; without a unit asked, CloudWatch
  // answers one per period (here: the first unit's).
  const byTime = new Map<number, number>();
  for (const point of points) {
    const value = percentile === undefined ? point[stat as Statistic] : point.percentiles?.[stat];
    if (value !== undefined && !byTime.has(point.timestamp)) byTime.set(point.timestamp, value);
  }
  const timestamps = [...byTime.keys()].sort((a, b) => a - b);
  return {
    id: query.id,
    label: query.label ?? metric.metricName,
    timestamps,
    values: timestamps.map((t) => byTime.get(t)!),
  };
}

type Value = number | Map<number, number>;
type Token = { kind: 'number'; value: number } | { kind: 'id'; name: string } | { kind: 'op'; op: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/()^,]))/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(expression);
    if (!match) throw new QueryError(`Unexpected character in expression "${expression}" at ${at + 1}.`);
    at = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'id', name: match[2] });
    else tokens.push({ kind: 'op', op: match[3] });
  }
  return tokens;
}

function combine(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  const out = new Map<number, number>();
  if (typeof a === 'number') for (const [t, y] of b as Map<number, number>) out.set(t, f(a, y));
  else if (typeof b === 'number') for (const [t, x] of a) out.set(t, f(x, b));
  else for (const [t, x] of a) if (b.has(t)) out.set(t, f(x, b.get(t)!));
  return out;
}

const OPERATIONS: Record<string, (x: number, y: number) => number> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
};

/** Evaluates an arithmetic expression over named series (by timestamp). */
export function evaluateExpression(
  expression: string,
  series: ReadonlyMap<string, ReadonlyMap<number, number>>,
): Value {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (t: Token | undefined, ...ops: string[]) => t?.kind === 'op' && ops.includes(t.op);
  const primary = (): Value => {
    const t = tokens[i++];
    if (!t) throw new QueryError(`The expression "${expression}" ends too early.`);
    if (t.kind === 'number') return t.value;
    if (t.kind === 'id') {
      if (isOp(peek(), '(')) {
        throw new QueryError(`The function ${t.name} in "${expression}" is not supported locally.`);
      }
      const found = series.get(t.name);
      if (!found) throw new QueryError(`Unrecognized identifier ${t.name} in "${expression}".`);
      return new Map(found);
    }
    if (t.op === '(') {
      const inner = sum();
      if (!isOp(tokens[i++], ')')) throw new QueryError(`Missing ) in "${expression}".`);
      return inner;
    }
    if (t.op === '-') return combine(0, primary(), OPERATIONS['-']);
    if (t.op === '+') return primary();
    throw new QueryError(`Unexpected ${t.op} in "${expression}".`);
  };
  const product = (): Value => {
    let left = primary();
    while (isOp(peek(), '*', '/')) {
      const op = (tokens[i++] as { op: string }).op;
      left = combine(left, primary(), OPERATIONS[op]);
    }
    return left;
  };
  const sum = (): Value => {
    let left = product();
    while (isOp(peek(), '+', '-')) {
      const op = (tokens[i++] as { op: string }).op;
      left = combine(left, product(), OPERATIONS[op]);
    }
    return left;
  };
  const result = sum();
  if (i < tokens.length) throw new QueryError(`Unexpected text after position ${i} in "${expression}".`);
  return result;
}

const isExpression = (q: MetricQuery): q is ExpressionQuery => 'expression' in q;

/**
 * Runs queries together, as GetMetricData does: metric queries first, then expressions in an
 * order that lets each use the others' results. Answers the queries whose results are asked
 * for (ReturnData), in the order given. An expression of a single number answers that number
 * at the start of each period.
 */
export function runQueries(
  store: MetricStore,
  queries: readonly MetricQuery[],
  start: number,
  end: number,
): MetricSeries[] {
  const results = new Map<string, MetricSeries>();
  for (const q of queries) if (!isExpression(q)) results.set(q.id, metricStatSeries(store, q, start, end));
  const pending = queries.filter(isExpression);
  while (pending.length > 0) {
    const ready = pending.findIndex((q) =>
      tokenize(q.expression).every(
        (t) => t.kind !== 'id' || results.has(t.name) || !queries.some((o) => o.id === t.name),
      ),
    );
    if (ready < 0) throw new QueryError('Metric math expressions refer to each other in a cycle.');
    const [q] = pending.splice(ready, 1);
    const named = new Map(
      [...results].map(([id, s]) => [id, new Map(s.timestamps.map((t, k) => [t, s.values[k]]))] as const),
    );
    const value = evaluateExpression(q.expression, named);
    let entries: [number, number][];
    if (typeof value === 'number') {
      const periodMs = (q.period ?? 60) * 1000;
      entries = [];
      for (let t = Math.floor(start / periodMs) * periodMs; t < end; t += periodMs) entries.push([t, value]);
    } else {
      entries = [...value].filter(([, v]) => Number.isFinite(v)).sort(([a], [b]) => a - b);
    }
    results.set(q.id, {
      id: q.id,
      label: q.label ?? q.id,
      timestamps: entries.map(([t]) => t),
      values: entries.map(([, v]) => v),
    });
  }
  return queries.filter((q) => q.returnData !== false).map((q) => results.get(q.id)!);
}
