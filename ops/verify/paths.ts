import type { OutputKey, StackOutputs } from '#core/outputs';
import { PROBE_NAME_PREFIX } from '#core/names';
import { DELIVERY_BUFFERING_SECONDS, SENSOR_SETTINGS, SUMMARY_WINDOW_SECONDS } from '#core/settings';
import { formatStatusTime } from '#core/status-time';
import type { UnicornStatus } from '#core/telemetry';

/**
 * What `npm run verify` checks, as data: the paths a probe record takes through a deployment,
 * which stack outputs say a path is deployed (so verification follows the lab selection), how
 * long each may take given the deployment's window and buffering, what to look at when one
 * fails, and how the results read. Everything here is pure; `probes.ts` does the I/O.
 */

export type PathId =
  'telemetry' | 'summary' | 'table' | 'datalake' | 'guest' | 'sensors' | 'logs' | 'directlogs' | 'alarms';

/** Where to look when a path fails: functions by their construct label, alarms by their id. */
export interface Look {
  /** `SummaryAggregation`: the function's log (a log file locally, its log group on AWS). */
  readonly functions?: readonly string[];
  /** `AggregationErrors`: the Monitoring construct's alarm ids. */
  readonly alarms?: readonly string[];
  /** Anything else worth naming (a delivery stream, a role's policy). */
  readonly other?: string;
}

export interface PathSpec {
  readonly id: PathId;
  readonly label: string;
  /** The outputs a deployment has when the path's lab is deployed. */
  readonly needs: readonly OutputKey[];
  /** The path this one starts from: when that fails, this one is not reached. */
  readonly after?: PathId;
  readonly look: Look;
}

/** Every path, in the order they are printed. */
export const PATHS: readonly PathSpec[] = [
  {
    id: 'telemetry',
    label: 'telemetry stream',
    needs: ['StreamName'],
    look: { other: 'the telemetry stream (does it exist, may these credentials PutRecord?)' },
  },
  {
    id: 'summary',
    label: 'summary stream',
    needs: ['StreamName', 'SummaryStreamName'],
    after: 'telemetry',
    look: {
      functions: ['SummaryAggregation'],
      alarms: ['AggregationErrors', 'AggregationDeadLetters', 'AggregationIteratorAge'],
    },
  },
  {
    id: 'table',
    label: 'DynamoDB item',
    needs: ['SummaryStreamName', 'SummaryTableName'],
    after: 'summary',
    look: { functions: ['SummaryPersistence'], alarms: ['PersistenceErrors', 'PersistenceDeadLetters'] },
  },
  {
    id: 'datalake',
    label: 'data lake',
    needs: ['StreamName', 'DataLakeBucketName', 'GlueTable'],
    after: 'telemetry',
    look: {
      // Firehose is one of the telemetry stream's readers.
      alarms: ['TelemetryIteratorAge'],
      other: 'the DataLake delivery stream (its CloudWatch log group, errors/ in the bucket)',
    },
  },
  {
    id: 'guest',
    label: 'dashboard guest',
    needs: ['StreamName', 'IdentityPoolId', 'GuestRoleArn'],
    after: 'telemetry',
    look: { other: "the identity pool's guest role (trust policy, kinesis read on the telemetry stream)" },
  },
  {
    id: 'sensors',
    label: 'sensor path',
    needs: ['SensorStreamName', 'SensorAggregateTableName'],
    look: {
      functions: ['SensorPipelineProcessing'],
      alarms: ['SensorprocessingErrors', 'SensorprocessingDeadLetters'],
    },
  },
  {
    id: 'logs',
    label: 'log path',
    needs: ['WeblogStreamName', 'WeblogBucketName', 'WeblogPrefix'],
    look: { other: 'the weblog delivery stream (its CloudWatch log group, weblogs-errors/ in its bucket)' },
  },
  {
    id: 'directlogs',
    label: 'log Direct PUT',
    needs: ['WeblogDirectDeliveryName', 'WeblogBucketName', 'WeblogDirectPrefix'],
    look: {
      other:
        'the weblogs-direct delivery stream (its CloudWatch log group, weblogs-direct-errors/ in its bucket)',
    },
  },
  {
    id: 'alarms',
    label: 'alarm topic',
    needs: ['AlarmTopicArn'],
    look: { other: 'the alarm topic (does it exist, may these credentials read it?)' },
  },
];

/** The paths a deployment has, from its outputs (all its stacks' outputs merged). */
export function deployedPaths(outputs: StackOutputs): PathSpec[] {
  return PATHS.filter((p) => p.needs.every((key) => outputs[key] !== undefined && outputs[key] !== ''));
}

/** One deployment's outputs: its stacks' outputs merged (the main stack and the weblog stack). */
export function mergeOutputs(stacks: readonly StackOutputs[]): StackOutputs {
  return Object.assign({}, ...stacks) as StackOutputs;
}

/**
 * How long the paths may take. A summary appears when the probe's tumbling window ends and
 * Lambda's next poll delivers the window's final invocation; raw records appear when Firehose's
 * buffer fills or its interval passes.
 */
export interface Timing {
  /** The summary aggregation's tumbling window. */
  readonly windowSeconds: number;
  /** The sensor processing's tumbling window. */
  readonly sensorWindowSeconds: number;
  /** The delivery streams' buffering interval. */
  readonly bufferSeconds: number;
  /** Polling, batching windows and clock skew on top. */
  readonly slackSeconds: number;
  /** How often a waiting path looks again. */
  readonly pollMs: number;
}

/**
 * A deployed stack's timing: the windows the stacks are built with (core/settings.ts) and the
 * delivery streams' default buffering (lib/constructs/s3-delivery.ts).
 */
export const AWS_TIMING: Timing = {
  windowSeconds: SUMMARY_WINDOW_SECONDS,
  sensorWindowSeconds: SENSOR_SETTINGS.windowSeconds,
  bufferSeconds: DELIVERY_BUFFERING_SECONDS,
  slackSeconds: 20,
  pollMs: 2_000,
};

const windowEnd = (at: number, seconds: number) => (Math.floor(at / (seconds * 1000)) + 1) * seconds * 1000;

/**
 * When a path has failed if it has not succeeded yet, for a probe put at `putAt` (for the
 * DynamoDB item: the time its summary was seen): a summary by the end of the probe's window
 * plus slack, a raw record by the buffering interval plus slack, anything else within the
 * slack. So a run ends within two windows of the probe at most.
 */
export function deadline(id: PathId, putAt: number, timing: Timing): number {
  const slack = timing.slackSeconds * 1000;
  switch (id) {
    case 'summary':
      return windowEnd(putAt, timing.windowSeconds) + slack;
    case 'sensors':
      return windowEnd(putAt, timing.sensorWindowSeconds) + slack;
    case 'datalake':
    case 'logs':
    case 'directlogs':
      return putAt + timing.bufferSeconds * 1000 + slack;
    default:
      return putAt + slack;
  }
}

/** The probe's status record: a unicorn standing still at the workshop's starting point. */
export function probeStatus(name: string, at: number): UnicornStatus {
  return {
    Name: name,
    StatusTime: formatStatusTime(at),
    Latitude: 40.749,
    Longitude: -73.986,
    Distance: 0,
    MagicPoints: 100,
    HealthPoints: 100,
  };
}

/**
 * A sensor reading for the probe, its temperatures 1 °C apart: not an alert, so no CSV row is
 * written to the data lake, only an aggregate (deleted afterwards) and a dedup fingerprint
 * (swept by DynamoDB's TTL).
 */
export function probeReading(name: string, at: number) {
  return { sensorId: name, eventTimestamp: at, ambientTemp: 20, measuredTemp: 21, status: 'OK' };
}

/** An access-log record as the log agent ships it (one JSON line), its request naming the probe. */
export function probeLogLine(name: string, at: number): string {
  const d = new Date(at);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  const datetime = `${pad(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
  return `${JSON.stringify({
    host: '127.0.0.1',
    ident: null,
    authuser: null,
    datetime,
    request: `GET /verify/${name} HTTP/1.1`,
    response: '200',
    bytes: '0',
    referrer: null,
    agent: 'wildrydes-verify',
  })}\n`;
}

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The data lake query that finds the probe through the Glue table (its location, SerDe and
 * partition projection), restricted to the delivery hours it can be in, so Athena reads an
 * hour's objects, not the whole lake. The same filter, negated, keeps probes out of results:
 * `WHERE name NOT LIKE 'VerifyProbe-%'`.
 */
export function dataLakeProbeSql(table: string, name: string, putAt: number, untilMs: number): string {
  const hours: string[] = [];
  for (let t = Math.floor(putAt / 3_600_000) * 3_600_000; t <= untilMs; t += 3_600_000) {
    const iso = new Date(t).toISOString();
    hours.push(
      `(year = '${iso.slice(0, 4)}' AND month = '${iso.slice(5, 7)}' AND day = '${iso.slice(8, 10)}' AND hour = '${iso.slice(11, 13)}')`,
    );
  }
  return `SELECT name, statustime FROM ${table} WHERE name = ${sqlString(name)} AND (${hours.join(' OR ')})`;
}

/** The SQL condition that leaves verification probes out of a query of the data lake. */
export const EXCLUDE_PROBES_SQL = `name NOT LIKE '${PROBE_NAME_PREFIX}%'`;

export type PathStatus = 'ok' | 'failed' | 'not-reached';

export interface PathResult {
  readonly id: PathId;
  readonly label: string;
  readonly status: PathStatus;
  /** From the probe's start to the outcome. */
  readonly ms: number;
  /** What was seen, or what went wrong. */
  readonly detail: string;
  /** Where to look, for a failed path. */
  readonly pointer?: string;
}

/** How a deployment names what to look at (`Look`) for its kind of target. */
export interface Pointers {
  fn(label: string): string;
  alarm(id: string): string;
}

export function pointerText(look: Look, pointers: Pointers): string {
  return [
    ...(look.functions ?? []).map((f) => pointers.fn(f)),
    ...(look.alarms?.length ? [`alarms ${look.alarms.map((a) => pointers.alarm(a)).join(', ')}`] : []),
    ...(look.other ? [look.other] : []),
  ].join('; ');
}

/** Pointers for a deployed stack: CloudFormation names resources `<stack>-<logical id>-<suffix>`. */
export function awsPointers(stackName: string): Pointers {
  return {
    fn: (label) => `log group of Lambda function ${stackName}-${label}Function…`,
    alarm: (id) => `${stackName}-Monitoring${id}…`,
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line per path: ✓ or ✗, its time, what was seen; a failure's pointer on the next line. */
export function formatResult(result: PathResult, labelWidth = 16): string {
  const mark = result.status === 'ok' ? '✓' : '✗';
  const line = `${mark} ${result.label.padEnd(labelWidth)} ${seconds(result.ms).padStart(7)}  ${result.detail}`;
  return result.pointer ? `${line}\n    look at: ${result.pointer}` : line;
}

export function allPassed(results: readonly PathResult[]): boolean {
  return results.every((r) => r.status === 'ok');
}
