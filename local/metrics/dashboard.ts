import type {
  DashboardAlarm,
  DashboardSeries,
  DashboardWidget,
  MonitoringSnapshot,
  Placement,
} from '#core/monitoring-snapshot';
import type { AlarmStatus } from './monitor';
import { QueryError, runQueries, type MetricQuery } from './queries';
import type { MetricStore } from './store';

export type { DashboardAlarm, DashboardSeries, DashboardWidget, MonitoringSnapshot };

/**
 * A CloudWatch dashboard drawn from its synthesized DashboardBody with the local metrics and
 * alarms: each widget where the body places it (a 24-column grid), graphs with their series
 * (metric rows and math expressions, CloudWatch's `.` shorthand, per-row and widget stat and
 * period), alarm widgets (a metric widget annotated with alarms: the alarm's metric and its
 * threshold), alarm status widgets, and text (markdown). The result is plain data for the
 * page to draw; whatever a widget asks that the local run cannot answer is said in `error`.
 */

type Json = Record<string, unknown>;

const DEFAULT_PERIOD = 300;
const DEFAULT_STAT = 'Average';

/** A metric widget's rows as queries: metric rows (with `.` for the row above's value) and expressions. */
export function widgetQueries(properties: Json): MetricQuery[] {
  const rows = Array.isArray(properties.metrics) ? (properties.metrics as unknown[][]) : [];
  const widgetPeriod = Number(properties.period ?? DEFAULT_PERIOD);
  const widgetStat = typeof properties.stat === 'string' ? properties.stat : DEFAULT_STAT;
  let previous: unknown[] = [];
  return rows.map((row, i): MetricQuery => {
    const last = row[row.length - 1];
    const options = (last !== null && typeof last === 'object' && !Array.isArray(last) ? last : {}) as Json;
    const id = typeof options.id === 'string' ? options.id : `m${i + 1}`;
    const label = typeof options.label === 'string' ? options.label : undefined;
    const returnData = options.visible !== false;
    if (typeof options.expression === 'string') {
      return {
        id,
        expression: options.expression,
        label,
        returnData,
        period: Number(options.period ?? widgetPeriod),
      };
    }
    const fields = row
      .filter((cell) => typeof cell === 'string')
      .map((cell, k) => (cell === '.' ? previous[k] : cell));
    if (fields.some((cell) => cell === '...' || cell === undefined)) {
      throw new QueryError(`metric row ${i + 1} uses a shorthand the local view does not read`);
    }
    previous = fields;
    const [namespace, metricName, ...pairs] = fields as string[];
    const dimensions = [];
    for (let k = 0; k + 1 < pairs.length; k += 2) dimensions.push({ name: pairs[k], value: pairs[k + 1] });
    const dimensionLabel = dimensions.map((d) => d.value).join(' ');
    return {
      id,
      metric: { namespace, metricName, dimensions },
      period: Number(options.period ?? widgetPeriod),
      stat: typeof options.stat === 'string' ? options.stat : widgetStat,
      label: label ?? (dimensionLabel ? `${metricName} ${dimensionLabel}` : metricName),
      returnData,
    };
  });
}

const alarmOf = (status: AlarmStatus): DashboardAlarm => ({
  name: status.definition.name,
  state: status.state,
  reason: status.reason,
  description: status.definition.description,
});

function widget(
  raw: Json,
  store: MetricStore,
  alarms: readonly AlarmStatus[],
  start: number,
  end: number,
): DashboardWidget {
  const properties = (raw.properties ?? {}) as Json;
  const placement: Placement = {
    x: Number(raw.x ?? 0),
    y: Number(raw.y ?? 0),
    width: Number(raw.width ?? 6),
    height: Number(raw.height ?? 6),
    title: typeof properties.title === 'string' ? properties.title : undefined,
  };
  const byArn = (arn: unknown) => alarms.find((a) => a.definition.arn === arn);
  switch (raw.type) {
    case 'text':
      return { ...placement, type: 'text', markdown: String(properties.markdown ?? '') };
    case 'alarm': {
      const found = (Array.isArray(properties.alarms) ? properties.alarms : [])
        .map(byArn)
        .filter((a) => a !== undefined);
      return { ...placement, type: 'alarms', alarms: found.map(alarmOf) };
    }
    case 'metric': {
      const annotations = (properties.annotations ?? {}) as { alarms?: unknown[]; horizontal?: Json[] };
      const annotated = (annotations.alarms ?? []).map(byArn).filter((a) => a !== undefined);
      const thresholds = [
        ...annotated.map((a) => ({ label: `${a.definition.name} threshold`, value: a.definition.threshold })),
        ...(annotations.horizontal ?? [])
          .filter((h) => typeof h.value === 'number')
          .map((h) => ({ label: String(h.label ?? ''), value: h.value as number })),
      ];
      const view = typeof properties.view === 'string' ? properties.view : 'timeSeries';
      try {
        // An alarm widget graphs the alarm's own metric.
        const queries =
          Array.isArray(properties.metrics) && properties.metrics.length > 0
            ? widgetQueries(properties)
            : annotated.flatMap((a) =>
                a.definition.queries.map((q) => ({
                  ...q,
                  returnData: q.id === a.definition.evaluatedId,
                  label: q.label ?? a.definition.name,
                })),
              );
        const series = runQueries(store, queries, start, end).map((s) => ({
          label: s.label,
          timestamps: s.timestamps,
          values: s.values,
        }));
        return { ...placement, type: 'graph', view, series, thresholds, alarms: annotated.map(alarmOf) };
      } catch (error) {
        if (!(error instanceof QueryError)) throw error;
        return {
          ...placement,
          type: 'graph',
          view,
          series: [],
          thresholds,
          alarms: annotated.map(alarmOf),
          error: error.message,
        };
      }
    }
    default:
      return {
        ...placement,
        type: 'unsupported',
        error: `${String(raw.type)} widgets are not drawn locally`,
      };
  }
}

/** The dashboards' widgets with the data of the last `minutes` before `now`, and every alarm's state. */
export function monitoringSnapshot(options: {
  readonly dashboards: readonly { readonly name: string; readonly body: string }[];
  readonly store: MetricStore;
  readonly alarms: readonly AlarmStatus[];
  readonly now: number;
  /** @default 60 */
  readonly minutes?: number;
}): MonitoringSnapshot {
  const { store, alarms, now } = options;
  const start = now - (options.minutes ?? 60) * 60_000;
  const end = now + 1;
  return {
    now,
    start,
    end,
    alarms: alarms.map(alarmOf),
    dashboards: options.dashboards.map((d) => {
      const body = JSON.parse(d.body) as { widgets?: Json[] };
      return { name: d.name, widgets: (body.widgets ?? []).map((w) => widget(w, store, alarms, start, end)) };
    }),
  };
}
