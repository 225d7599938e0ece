import type { AlarmStatus } from '../metrics/monitor';
import { QueryError, runQueries, validStat, type MetricQuery } from '../metrics/queries';
import { STANDARD_UNITS, type MetricStore, type StandardUnit } from '../metrics/store';
import { cloudWatchError, timestamp } from './cloudwatch-input';
import { xmlEscape } from './protocols';

/**
 * CloudWatch's DescribeAlarms and GetMetricData, read and answered in the shape both protocols
 * share: an output with Date values, written as epoch seconds in JSON and ISO 8601 in XML.
 */

type Json = Record<string, unknown>;
type Output =
  Date | string | number | boolean | undefined | readonly Output[] | { readonly [key: string]: Output };

/** The output as AWS JSON: dates as epoch seconds, nothing undefined. */
export function outputJson(value: Output): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(outputJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, Output>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, outputJson(v)]),
    );
  }
  return value;
}

/** The output as query-protocol XML: lists as `member`s, dates in ISO 8601. */
export function outputXml(value: Output): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${outputXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, Output>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${outputXml(v)}</${k}>`)
      .join('');
  }
  return xmlEscape(String(value));
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const ALARMS_PER_PAGE = 100;

function metricAlarm(status: AlarmStatus): Output {
  const d = status.definition;
  const p = d.properties;
  const single =
    d.queries.length === 1 && 'metric' in d.queries[0] && !Array.isArray(p.Metrics)
      ? d.queries[0]
      : undefined;
  const dimensions = (dims: readonly { name: string; value: string }[]) =>
    dims.map((x) => ({ Name: x.name, Value: x.value }));
  return {
    AlarmName: d.name,
    AlarmArn: d.arn,
    AlarmDescription: d.description,
    AlarmConfigurationUpdatedTimestamp: new Date(status.configurationUpdated),
    ActionsEnabled: d.actionsEnabled,
    OKActions: d.okActions,
    AlarmActions: d.alarmActions,
    InsufficientDataActions: d.insufficientDataActions,
    StateValue: status.state,
    StateReason: status.reason,
    StateUpdatedTimestamp: new Date(status.updated),
    ...(single
      ? {
          MetricName: single.metric.metricName,
          Namespace: single.metric.namespace,
          ...(/^p/.test(single.stat) ? { ExtendedStatistic: single.stat } : { Statistic: single.stat }),
          Dimensions: dimensions(single.metric.dimensions),
          Period: single.period,
          Unit: single.unit,
        }
      : {
          Metrics: d.queries.map((q) =>
            'expression' in q
              ? {
                  Id: q.id,
                  Expression: q.expression,
                  Label: q.label,
                  ReturnData: q.id === d.evaluatedId,
                  Period: q.period,
                }
              : {
                  Id: q.id,
                  MetricStat: {
                    Metric: {
                      Namespace: q.metric.namespace,
                      MetricName: q.metric.metricName,
                      Dimensions: dimensions(q.metric.dimensions),
                    },
                    Period: q.period,
                    Stat: q.stat,
                    Unit: q.unit,
                  },
                  Label: q.label,
                  ReturnData: q.id === d.evaluatedId,
                },
          ),
        }),
    EvaluationPeriods: d.evaluationPeriods,
    DatapointsToAlarm: d.datapointsToAlarm,
    Threshold: d.threshold,
    ComparisonOperator: d.comparisonOperator,
    TreatMissingData: d.treatMissingData,
    StateTransitionedTimestamp: new Date(status.updated),
  };
}

/** DescribeAlarms: metric alarms by name, name prefix, state and action prefix, 100 a page. */
export function describeAlarms(alarms: readonly AlarmStatus[], input: Json): Output {
  const names = list(input.AlarmNames).map(String);
  const prefix = typeof input.AlarmNamePrefix === 'string' ? input.AlarmNamePrefix : undefined;
  if (names.length > 0 && prefix !== undefined) {
    throw cloudWatchError(
      'InvalidParameterCombination',
      'AlarmNamePrefix and AlarmNames cannot be specified together.',
    );
  }
  const state = input.StateValue;
  if (state !== undefined && !STATES.includes(String(state))) {
    throw cloudWatchError(
      'InvalidParameterValue',
      `The value ${String(state)} for parameter StateValue is invalid.`,
    );
  }
  const types = list(input.AlarmTypes).map(String);
  const actionPrefix = typeof input.ActionPrefix === 'string' ? input.ActionPrefix : undefined;
  const max = input.MaxRecords === undefined ? ALARMS_PER_PAGE : Number(input.MaxRecords);
  if (!Number.isInteger(max) || max < 1 || max > ALARMS_PER_PAGE) {
    throw cloudWatchError(
      'InvalidParameterValue',
      `The value ${String(input.MaxRecords)} for parameter MaxRecords is invalid.`,
    );
  }
  const matching =
    types.length > 0 && !types.includes('MetricAlarm')
      ? []
      : alarms
          .filter((a) => names.length === 0 || names.includes(a.definition.name))
          .filter((a) => prefix === undefined || a.definition.name.startsWith(prefix))
          .filter((a) => state === undefined || a.state === state)
          .filter(
            (a) =>
              actionPrefix === undefined ||
              [
                ...a.definition.alarmActions,
                ...a.definition.okActions,
                ...a.definition.insufficientDataActions,
              ].some((x) => x.startsWith(actionPrefix)),
          )
          .sort((a, b) => (a.definition.name < b.definition.name ? -1 : 1));
  let offset = 0;
  if (input.NextToken !== undefined) {
    offset = Number(Buffer.from(String(input.NextToken), 'base64url').toString());
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw cloudWatchError('InvalidNextToken', 'The service cannot understand the NextToken.');
    }
  }
  const page = matching.slice(offset, offset + max);
  const next =
    offset + max < matching.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
  return { CompositeAlarms: [], MetricAlarms: page.map(metricAlarm), NextToken: next };
}

function readQuery(raw: unknown, i: number): MetricQuery {
  const q = (raw ?? {}) as Json;
  const at = `MetricDataQueries.member.${i + 1}`;
  if (typeof q.Id !== 'string' || q.Id === '')
    throw cloudWatchError('MissingParameter', `The parameter ${at}.Id is required.`);
  if (!/^[a-z][A-Za-z0-9_]*$/.test(q.Id)) {
    throw cloudWatchError('InvalidParameterValue', `The value ${q.Id} for parameter ${at}.Id is invalid.`);
  }
  const label = typeof q.Label === 'string' ? q.Label : undefined;
  const returnData = q.ReturnData === undefined ? true : q.ReturnData === true || q.ReturnData === 'true';
  const hasStat = q.MetricStat !== undefined && q.MetricStat !== '';
  if ((typeof q.Expression === 'string') === hasStat) {
    throw cloudWatchError(
      'InvalidParameterCombination',
      `Exactly one element of the metrics list should contain a MetricStat or an Expression (${at}).`,
    );
  }
  if (typeof q.Expression === 'string') {
    return {
      id: q.Id,
      expression: q.Expression,
      label,
      returnData,
      period: q.Period === undefined ? undefined : Number(q.Period),
    };
  }
  const stat = q.MetricStat as Json;
  const metric = (stat.Metric ?? {}) as Json;
  const period = Number(stat.Period);
  if (!(period > 0 && (period % 60 === 0 || [1, 5, 10, 30].includes(period)))) {
    throw cloudWatchError(
      'InvalidParameterValue',
      `The parameter ${at}.MetricStat.Period must be 1, 5, 10, 30 or a multiple of 60.`,
    );
  }
  if (typeof stat.Stat !== 'string' || !validStat(stat.Stat)) {
    throw cloudWatchError(
      'InvalidParameterValue',
      `The value ${String(stat.Stat)} for parameter ${at}.MetricStat.Stat is invalid.`,
    );
  }
  if (typeof metric.MetricName !== 'string' || typeof metric.Namespace !== 'string') {
    throw cloudWatchError(
      'MissingParameter',
      `The parameter ${at}.MetricStat.Metric.MetricName is required.`,
    );
  }
  const unit = stat.Unit;
  if (unit !== undefined && !(STANDARD_UNITS as readonly unknown[]).includes(unit)) {
    throw cloudWatchError(
      'InvalidParameterValue',
      `The value ${String(unit)} for parameter ${at}.MetricStat.Unit is invalid.`,
    );
  }
  return {
    id: q.Id,
    metric: {
      namespace: metric.Namespace,
      metricName: metric.MetricName,
      dimensions: list(metric.Dimensions).map((d) => ({
        name: String((d as Json).Name),
        value: String((d as Json).Value),
      })),
    },
    period,
    stat: stat.Stat,
    unit: unit as StandardUnit | undefined,
    label,
    returnData,
  };
}

/** GetMetricData: MetricStat queries and arithmetic expressions, newest first unless asked. */
export function getMetricData(store: MetricStore, input: Json): Output {
  const raw = list(input.MetricDataQueries);
  if (raw.length === 0)
    throw cloudWatchError('MissingParameter', 'The parameter MetricDataQueries is required.');
  for (const name of ['StartTime', 'EndTime']) {
    if (input[name] === undefined)
      throw cloudWatchError('MissingParameter', `The parameter ${name} is required.`);
  }
  const start = timestamp(input.StartTime);
  const end = timestamp(input.EndTime);
  if (Number.isNaN(start) || Number.isNaN(end) || start >= end) {
    throw cloudWatchError(
      'InvalidParameterValue',
      'The parameter StartTime must be less than the parameter EndTime.',
    );
  }
  const queries = raw.map(readQuery);
  let series;
  try {
    series = runQueries(store, queries, start, end);
  } catch (error) {
    if (error instanceof QueryError) throw cloudWatchError('ValidationError', error.message);
    throw error;
  }
  const ascending = input.ScanBy === 'TimestampAscending';
  return {
    MetricDataResults: series.map((s) => {
      const order = s.timestamps.map((_, i) => i);
      if (!ascending) order.reverse();
      return {
        Id: s.id,
        Label: s.label,
        Timestamps: order.map((i) => new Date(s.timestamps[i])),
        Values: order.map((i) => s.values[i]),
        StatusCode: 'Complete',
        Messages: [],
      };
    }),
    Messages: [],
  };
}
