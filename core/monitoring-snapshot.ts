/**
 * The Monitoring view's data as the local run serves it (`monitoring.json`) and the dashboard
 * page draws it: the templates' CloudWatch dashboards, each widget placed on CloudWatch's
 * 24-column grid with its series, thresholds, alarms or text, and every alarm's state.
 * Platform-neutral: the local server writes it, the browser bundle reads it.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface DashboardAlarm {
  readonly name: string;
  readonly state: AlarmState;
  readonly reason: string;
  readonly description?: string;
}

export interface DashboardSeries {
  readonly label: string;
  /** ms, oldest first. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

export interface Placement {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly title?: string;
}

export type DashboardWidget = Placement &
  (
    | {
        readonly type: 'graph';
        /** timeSeries, singleValue, bar, pie: CloudWatch's `view`. */
        readonly view: string;
        readonly series: readonly DashboardSeries[];
        /** Horizontal lines: alarm thresholds and annotations. */
        readonly thresholds: readonly { readonly label: string; readonly value: number }[];
        /** The alarms the widget is annotated with. */
        readonly alarms: readonly DashboardAlarm[];
        readonly error?: string;
      }
    | { readonly type: 'alarms'; readonly alarms: readonly DashboardAlarm[] }
    | { readonly type: 'text'; readonly markdown: string }
    | { readonly type: 'unsupported'; readonly error: string }
  );

export interface MonitoringSnapshot {
  /** When it was taken, and the range the graphs show: ms. */
  readonly now: number;
  readonly start: number;
  readonly end: number;
  /** Every alarm of the templates. */
  readonly alarms: readonly DashboardAlarm[];
  readonly dashboards: readonly { readonly name: string; readonly widgets: readonly DashboardWidget[] }[];
}
