import {
  COMPARISON_OPERATORS,
  type AlarmDefinition,
  type ComparisonOperator,
  type TreatMissingData,
} from './alarms';
import type { MetricQuery } from './queries';
import type { Dimension, StandardUnit } from './store';

/**
 * An AWS::CloudWatch::Alarm's properties (intrinsics already resolved) read into an alarm
 * definition: a single metric (Namespace, MetricName, Dimensions, Statistic or
 * ExtendedStatistic, Period, Unit) or metric math (`Metrics`, the query with ReturnData
 * evaluated), with CloudFormation's defaults (DatapointsToAlarm = EvaluationPeriods,
 * TreatMissingData `missing`, ActionsEnabled true).
 */

export class AlarmDefinitionError extends Error {}

type Json = Record<string, unknown>;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function dimensions(value: unknown): Dimension[] {
  return (Array.isArray(value) ? (value as Json[]) : []).map((d) => ({
    name: String(d.Name),
    value: String(d.Value),
  }));
}

function queriesOf(id: string, p: Json): { queries: MetricQuery[]; evaluatedId: string; period: number } {
  if (Array.isArray(p.Metrics)) {
    const queries = (p.Metrics as Json[]).map((q): MetricQuery => {
      const label = typeof q.Label === 'string' ? q.Label : undefined;
      const returnData =
        q.ReturnData === undefined ? undefined : q.ReturnData === true || q.ReturnData === 'true';
      if (typeof q.Expression === 'string') {
        return {
          id: String(q.Id),
          expression: q.Expression,
          period: q.Period === undefined ? undefined : Number(q.Period),
          label,
          returnData,
        };
      }
      const stat = (q.MetricStat ?? {}) as Json;
      const metric = (stat.Metric ?? {}) as Json;
      return {
        id: String(q.Id),
        metric: {
          namespace: String(metric.Namespace),
          metricName: String(metric.MetricName),
          dimensions: dimensions(metric.Dimensions),
        },
        period: Number(stat.Period),
        stat: String(stat.Stat),
        unit: typeof stat.Unit === 'string' ? (stat.Unit as StandardUnit) : undefined,
        label,
        returnData,
      };
    });
    // CloudFormation: exactly one query returns data; a lone query returns it by default.
    const evaluated =
      queries.find((q) => q.returnData === true) ?? (queries.length === 1 ? queries[0] : undefined);
    if (!evaluated) throw new AlarmDefinitionError(`${id}: no query of Metrics has ReturnData true`);
    const period =
      'expression' in evaluated
        ? (evaluated.period ?? Math.min(...queries.flatMap((q) => ('metric' in q ? [q.period] : []))))
        : evaluated.period;
    return { queries, evaluatedId: evaluated.id, period };
  }
  const stat = typeof p.ExtendedStatistic === 'string' ? p.ExtendedStatistic : p.Statistic;
  if (typeof p.MetricName !== 'string' || typeof p.Namespace !== 'string' || typeof stat !== 'string') {
    throw new AlarmDefinitionError(`${id}: an alarm needs MetricName, Namespace and Statistic, or Metrics`);
  }
  const period = Number(p.Period ?? 60);
  return {
    queries: [
      {
        id: 'm1',
        metric: { namespace: p.Namespace, metricName: p.MetricName, dimensions: dimensions(p.Dimensions) },
        period,
        stat,
        unit: typeof p.Unit === 'string' ? (p.Unit as StandardUnit) : undefined,
      },
    ],
    evaluatedId: 'm1',
    period,
  };
}

export function readAlarmDefinition(
  logicalId: string,
  name: string,
  arn: string,
  properties: Json,
): AlarmDefinition {
  const p = properties;
  const operator = p.ComparisonOperator as ComparisonOperator;
  if (!(COMPARISON_OPERATORS as readonly string[]).includes(operator)) {
    throw new AlarmDefinitionError(`${logicalId}: comparison ${String(operator)} is not evaluated locally`);
  }
  const threshold = Number(p.Threshold);
  if (!Number.isFinite(threshold)) {
    throw new AlarmDefinitionError(
      `${logicalId}: alarms on a threshold metric (ThresholdMetricId) are not evaluated locally`,
    );
  }
  const evaluationPeriods = Number(p.EvaluationPeriods);
  const { queries, evaluatedId, period } = queriesOf(logicalId, p);
  return {
    logicalId,
    name,
    arn,
    description: typeof p.AlarmDescription === 'string' ? p.AlarmDescription : undefined,
    queries,
    evaluatedId,
    period,
    evaluationPeriods,
    datapointsToAlarm: p.DatapointsToAlarm === undefined ? evaluationPeriods : Number(p.DatapointsToAlarm),
    threshold,
    comparisonOperator: operator,
    treatMissingData: (typeof p.TreatMissingData === 'string'
      ? p.TreatMissingData
      : 'missing') as TreatMissingData,
    unit: typeof p.Unit === 'string' ? (p.Unit as StandardUnit) : undefined,
    actionsEnabled: p.ActionsEnabled !== false && p.ActionsEnabled !== 'false',
    alarmActions: strings(p.AlarmActions),
    okActions: strings(p.OKActions),
    insufficientDataActions: strings(p.InsufficientDataActions),
    properties,
  };
}
