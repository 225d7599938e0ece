import type { AlarmState } from '#core/monitoring-snapshot';
import type { MetricQuery } from './queries';
import type { StandardUnit } from './store';

/**
 * CloudWatch metric alarms: their definition as an AWS::CloudWatch::Alarm declares it, and the
 * evaluation CloudWatch documents ("Evaluating an alarm", "Configuring how CloudWatch alarms
 * treat missing data"), as a pure function of the datapoints of the latest periods:
 *
 * - The alarm looks at the most recent complete periods, the evaluation range: CloudWatch
 *   fetches more than Evaluation Periods (N) in case some are missing (the guide's example
 *   fetches 5 for N = 3); here N + 2.
 * - With at least N real datapoints in the range, the N most recent are evaluated, wherever
 *   they are: missing data does not matter.
 * - With fewer, missing datapoints are filled in as few times as possible (up to N) by the
 *   TreatMissingData rule: `breaching` and `notBreaching` fill with that verdict; `missing`
 *   evaluates the real ones alone and `ignore` keeps the current state. With no real
 *   datapoint at all, `missing` goes to INSUFFICIENT_DATA.
 * - ALARM when at least DatapointsToAlarm (M) of those are breaching; also, for `missing` and
 *   `ignore`, when the oldest breaching datapoint among the last N periods is at least M
 *   periods old and every more recent one is breaching or missing (the documented guard
 *   against premature transitions, which lets an M-of-N alarm fire before M real points).
 *   Otherwise OK.
 */

export type { AlarmState } from '#core/monitoring-snapshot';
export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';
export const COMPARISON_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export interface AlarmRule {
  /** Seconds. */
  readonly period: number;
  readonly evaluationPeriods: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  /** @default 'missing' */
  readonly treatMissingData?: TreatMissingData;
}

/** An alarm as the template declares it. */
export interface AlarmDefinition extends AlarmRule {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  /** One metric (Namespace, MetricName, Dimensions, Statistic or ExtendedStatistic) or metric math. */
  readonly queries: readonly MetricQuery[];
  /** The query whose datapoints the alarm evaluates. */
  readonly evaluatedId: string;
  readonly unit?: StandardUnit;
  readonly actionsEnabled: boolean;
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
  /** The template's properties (intrinsics resolved), for DescribeAlarms. */
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface Evaluation {
  readonly state: AlarmState;
  readonly reason: string;
}

export interface Datapoint {
  /** Period start, ms. */
  readonly timestamp: number;
  readonly value: number;
}

/** How many periods back an evaluation looks. */
export function evaluationRange(rule: Pick<AlarmRule, 'evaluationPeriods'>): number {
  return rule.evaluationPeriods + 2;
}

/** The periods an evaluation at `now` looks at: [start, end) in ms, complete periods only. */
export function evaluationWindow(rule: Pick<AlarmRule, 'evaluationPeriods' | 'period'>, now: number) {
  const periodMs = rule.period * 1000;
  const end = Math.floor(now / periodMs) * periodMs;
  return { start: end - evaluationRange(rule) * periodMs, end };
}

export function breaches(rule: Pick<AlarmRule, 'comparisonOperator' | 'threshold'>, value: number): boolean {
  switch (rule.comparisonOperator) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= rule.threshold;
    case 'GreaterThanThreshold':
      return value > rule.threshold;
    case 'LessThanThreshold':
      return value < rule.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= rule.threshold;
  }
}

const WORDS: Record<ComparisonOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const number = (n: number) => (Number.isInteger(n) ? n.toFixed(1) : String(n));
const two = (n: number) => String(n).padStart(2, '0');
/** CloudWatch's datapoint time in reasons: dd/MM/yy HH:mm:ss (UTC). */
function reasonTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/**
 * The state an alarm is in at `now`, given the datapoints of its evaluated metric (any order,
 * any range: those outside the evaluation window are not looked at) and its current state.
 */
export function evaluateAlarm(
  rule: AlarmRule,
  datapoints: readonly Datapoint[],
  now: number,
  current: AlarmState,
): Evaluation {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm ?? n;
  const treat = rule.treatMissingData ?? 'missing';
  const periodMs = rule.period * 1000;
  const { start, end } = evaluationWindow(rule, now);
  const real = datapoints
    .filter((p) => p.timestamp >= start && p.timestamp < end)
    .sort((a, b) => b.timestamp - a.timestamp);
  const words = WORDS[rule.comparisonOperator];
  const threshold = number(rule.threshold);

  if (real.length === 0) {
    const periods = plural(n, 'period');
    if (treat === 'missing') {
      return {
        state: 'INSUFFICIENT_DATA',
        reason: `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`,
      };
    }
    if (treat === 'ignore')
      return {
        state: current,
        reason: `no datapoints were received for ${periods}; the state is kept (TreatMissingData: ignore)`,
      };
    const breaching = treat === 'breaching';
    return {
      state: breaching && m <= n ? 'ALARM' : 'OK',
      reason: `Threshold Crossed: no datapoints were received for ${periods} and ${plural(n, 'missing datapoint')} ${n === 1 ? 'was' : 'were'} treated as [${breaching ? 'Breaching' : 'NonBreaching'}].`,
    };
  }

  const recent = real.slice(0, n);
  const breachingReal = recent.filter((p) => breaches(rule, p.value));
  const filled = Math.max(0, n - recent.length);
  const filledBreaching = treat === 'breaching' ? filled : 0;
  const breachingCount = breachingReal.length + filledBreaching;

  let alarm = breachingCount >= m;
  if (!alarm && (treat === 'missing' || treat === 'ignore') && breachingReal.length > 0) {
    // The last N periods, newest first: breaching, not, or missing.
    const slots = Array.from({ length: n }, (_, k) => {
      const point = real.find((p) => p.timestamp === end - (k + 1) * periodMs);
      return point === undefined ? 'missing' : breaches(rule, point.value) ? 'breaching' : 'ok';
    });
    const oldest = slots.lastIndexOf('breaching');
    alarm = oldest >= 0 && oldest + 1 >= m && slots.slice(0, oldest).every((s) => s !== 'ok');
  }
  if (!alarm && treat === 'ignore' && filled > 0) {
    return {
      state: current,
      reason: `${plural(filled, 'datapoint')} of the last ${n} ${filled === 1 ? 'was' : 'were'} missing; the state is kept (TreatMissingData: ignore)`,
    };
  }
  const shown = recent.map((p) => `${number(p.value)} (${reasonTime(p.timestamp)})`).join(', ');
  const considered = recent.length + (treat === 'breaching' || treat === 'notBreaching' ? filled : 0);
  const missingNote =
    filled > 0 && (treat === 'breaching' || treat === 'notBreaching')
      ? ` and ${plural(filled, 'missing datapoint')} ${filled === 1 ? 'was' : 'were'} treated as [${treat === 'breaching' ? 'Breaching' : 'NonBreaching'}]`
      : '';
  if (alarm) {
    const count = Math.max(breachingCount, 1);
    return {
      state: 'ALARM',
      reason: `Threshold Crossed: ${count} out of the last ${considered} datapoints [${shown}] ${count === 1 ? 'was' : 'were'} ${words} the threshold (${threshold})${missingNote} (minimum ${plural(m, 'datapoint')} for OK -> ALARM transition).`,
    };
  }
  const fine = considered - breachingCount;
  return {
    state: 'OK',
    reason: `Threshold Crossed: ${fine} out of the last ${considered} datapoints [${shown}] ${fine === 1 ? 'was' : 'were'} not ${words} the threshold (${threshold})${missingNote} (minimum 1 datapoint for ALARM -> OK transition).`,
  };
}
