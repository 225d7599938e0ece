import { seededRandom, spawnUnicorn, statusOf, UNICORN_NAMES } from '#core/movement';
import type { ResourceRole } from '#core/names';
import { SUMMARY_WINDOW_SECONDS } from '#core/settings';

/** What attendees do during the workshop, per attendee. Every number is printed with the estimate. */
export interface Workload {
  /** Unicorn producers running (one record per second each by default): the workshop's three. */
  readonly unicorns: number;
  readonly recordsPerSecondPerUnicorn: number;
  /** The sensor data generator (off unless the sensor lab runs; datagen's own default is 100/s). */
  readonly sensorRecordsPerSecond: number;
  /** Distinct sensors in the generator's template (`sensor-1` … `sensor-50`). */
  readonly sensors: number;
  /**
   * Readings that become alerts (|measured − ambient| > 20 °C): about 0.32 for the template's
   * uniform ranges (ambient 10–30 °C, measured 0–55 °C).
   */
  readonly sensorAlertShare: number;
  /** Requests the web server's own traffic script makes (one every 1–5 s). */
  readonly weblogRequestsPerSecond: number;
  /** Browsers with the dashboard open. */
  readonly dashboardViewers: number;
  readonly dashboardLoadsPerHour: number;
  /** Average billed duration of an invocation, for every function. */
  readonly lambdaMsPerInvocation: number;
  /** Log bytes per invocation: the START, END and REPORT lines plus a few JSON log lines. */
  readonly logBytesPerInvocation: number;
  readonly athenaQueriesPerHour: number;
  /** Size of GZIP output relative to the raw JSON lines. */
  readonly gzipRatio: number;
}

export const DEFAULT_WORKLOAD: Workload = {
  unicorns: 3,
  recordsPerSecondPerUnicorn: 1,
  sensorRecordsPerSecond: 0,
  sensors: 50,
  sensorAlertShare: 0.32,
  weblogRequestsPerSecond: 1 / 3,
  dashboardViewers: 1,
  dashboardLoadsPerHour: 1,
  lambdaMsPerInvocation: 100,
  logBytesPerInvocation: 500,
  athenaQueriesPerHour: 2,
  gzipRatio: 0.25,
};

/** Requests and bytes a page load of the dashboard costs (page, script, styles, config; tiles come from elsewhere). */
export const DASHBOARD_REQUESTS_PER_LOAD = 8;
export const DASHBOARD_BYTES_PER_LOAD = 500 * 1024;
/** Lambda's poll of a shard with records waiting, when no batching window is set. */
export const POLLS_PER_SECOND = 1;
/** A new on-demand stream has four shards. */
export const ON_DEMAND_SHARDS = 4;
export const ATHENA_MINIMUM_BYTES = 10 * 1024 ** 2;
export const GB = 1024 ** 3;
export const TB = 1024 ** 4;

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** One telemetry record as the producer sends it (data plus partition key). */
export function telemetryRecordBytes(): number {
  const name = UNICORN_NAMES[0];
  const status = statusOf(spawnUnicorn(name, seededRandom(1)), 31.42, Date.UTC(2026, 10, 23, 9, 17, 5));
  return byteLength(JSON.stringify(status)) + byteLength(name);
}

/** One per-minute summary as the aggregation writes it (see the README's summary record). */
export function summaryRecordBytes(): number {
  const summary = {
    Name: UNICORN_NAMES[0],
    StatusTime: '2026-11-23 09:17:00.000',
    Distance: 1795.2,
    MinMagicPoints: 148,
    MaxMagicPoints: 161,
    MinHealthPoints: 139,
    MaxHealthPoints: 152,
    Records: 60,
    SummaryId: `shardId-000000000000:${'4'.repeat(56)}`,
  };
  return byteLength(JSON.stringify(summary)) + byteLength(summary.Name);
}

/** A sensor reading from the generator's template, and an access-log line as the agent converts it. */
const SENSOR_RECORD_BYTES = 150;
const WEBLOG_RECORD_BYTES = 350;

export type StreamRole = Extract<
  ResourceRole,
  'telemetryStream' | 'summaryStream' | 'sensorStream' | 'sensorAlertStream' | 'weblogStream'
>;

export interface Traffic {
  readonly recordsPerSecond: number;
  readonly recordBytes: number;
  /** Distinct partition keys: how many shards can carry records at all. */
  readonly keys: number;
}

/** The traffic the workload puts on a stream, by the role the stack gave it. */
export function roleTraffic(role: ResourceRole | undefined, w: Workload): Traffic {
  switch (role) {
    case 'telemetryStream':
      return {
        recordsPerSecond: w.unicorns * w.recordsPerSecondPerUnicorn,
        recordBytes: telemetryRecordBytes(),
        keys: w.unicorns,
      };
    case 'summaryStream':
      return {
        recordsPerSecond:
          w.unicorns > 0 && w.recordsPerSecondPerUnicorn > 0 ? w.unicorns / SUMMARY_WINDOW_SECONDS : 0,
        recordBytes: summaryRecordBytes(),
        keys: w.unicorns,
      };
    case 'sensorStream':
      return {
        recordsPerSecond: w.sensorRecordsPerSecond,
        recordBytes: SENSOR_RECORD_BYTES,
        keys: w.sensors,
      };
    case 'sensorAlertStream':
      return {
        recordsPerSecond: w.sensorRecordsPerSecond * w.sensorAlertShare,
        recordBytes: SENSOR_RECORD_BYTES,
        keys: w.sensors,
      };
    case 'weblogStream':
      return {
        recordsPerSecond: w.weblogRequestsPerSecond,
        recordBytes: WEBLOG_RECORD_BYTES,
        keys: Infinity,
      };
    default:
      return { recordsPerSecond: 0, recordBytes: 0, keys: 0 };
  }
}
