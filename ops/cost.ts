import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseWith } from '#core/schema';
import { seededRandom, spawnUnicorn, statusOf, UNICORN_NAMES } from '#core/movement';
import type { ResourceRole } from '#core/names';
import { ENV, SENSOR_ENV, SENSOR_SETTINGS, SUMMARY_WINDOW_SECONDS } from '#core/settings';
import { roleOf, type CfnResource, type CfnTemplate } from '../system/cloud-assembly';

/**
 * Cost of a Wild Rydes deployment per hour, read from its synthesized CloudFormation templates
 * (stream modes and shard counts, function memory and architecture, event source batching
 * windows, Firehose buffering, table billing modes, alarms, dashboards, instances) and priced
 * with the table in `ops/prices/`. Usage-based charges follow an explicit workload assumption
 * that the output states. Nothing is priced per resource count alone: every line comes from a
 * resource in a template and the property that drives its price.
 */

export interface PriceEntry {
  /** Price in USD for `per` units. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
}

export interface PriceTable {
  readonly region: string;
  readonly currency: string;
  /** When the prices were taken (YYYY-MM-DD). */
  readonly date: string;
  readonly description: string;
  readonly hoursPerMonth: number;
  readonly prices: Readonly<Record<string, PriceEntry>>;
}

/** A problem the user can act on: a missing price, a malformed table, an impossible workload. */
export class CostError extends Error {}

/** Every price the estimator may need; a table without one of these is rejected up front. */
export const REQUIRED_PRICES = [
  'kinesis.shardHour',
  'kinesis.putPayloadUnit',
  'kinesis.onDemandStreamHour',
  'kinesis.onDemandIngestGb',
  'kinesis.onDemandRetrievalGb',
  'lambda.arm64GbSecond',
  'lambda.x86GbSecond',
  'lambda.request',
  'dynamodb.onDemandWrite',
  'dynamodb.onDemandRead',
  'dynamodb.provisionedWcuHour',
  'dynamodb.provisionedRcuHour',
  'firehose.ingestGb',
  's3.storageGbMonth',
  's3.putRequest',
  'cloudwatch.alarmMonth',
  'cloudwatch.dashboardMonth',
  'cloudwatch.logsIngestGb',
  'ec2.publicIpv4Hour',
  'cloudfront.httpsRequest',
  'cloudfront.dataOutGb',
  'athena.scannedTb',
  'flink.kpuHour',
  'flink.runningStorageGbMonth',
] as const;

const priceEntrySchema = z.object(
  {
    usd: z.number().nonnegative(),
    per: z.number().positive(),
    unit: z.string(),
    source: z.string().min(1),
  },
  { error: 'must be an object' },
);

const priceTableSchema = z
  .object({
    region: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
    currency: z
      .string({ error: 'must be a non-empty string' })
      .min(1, { error: 'must be a non-empty string' }),
    date: z
      .string({ error: 'must be YYYY-MM-DD' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be YYYY-MM-DD' }),
    description: z
      .string({ error: 'must be a non-empty string' })
      .min(1, { error: 'must be a non-empty string' }),
    hoursPerMonth: z
      .number({ error: 'must be a positive number' })
      .positive({ error: 'must be a positive number' }),
    prices: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  })
  .superRefine((table, ctx) => {
    for (const [key, entry] of Object.entries(table.prices)) {
      if (!priceEntrySchema.safeParse(entry).success)
        ctx.addIssue({
          code: 'custom',
          path: ['prices', key],
          message: 'needs usd (≥ 0), per (> 0), unit and source',
          input: entry,
        });
    }
    const missing = REQUIRED_PRICES.filter((key) => !table.prices[key]);
    if (missing.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['prices'],
        message: `misses ${missing.join(', ')}`,
        params: { withoutInput: true },
      });
  });

export function parsePriceTable(text: string, source: string): PriceTable {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CostError(`${source}: not JSON (${(error as Error).message})`);
  }
  return parseWith(priceTableSchema, value, source, CostError) as PriceTable;
}

export function loadPriceTable(file: string): PriceTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CostError(`Cannot read price table ${file}: ${(error as Error).message}`);
  }
  return parsePriceTable(text, file);
}

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
const DASHBOARD_REQUESTS_PER_LOAD = 8;
const DASHBOARD_BYTES_PER_LOAD = 500 * 1024;
/** Lambda's poll of a shard with records waiting, when no batching window is set. */
const POLLS_PER_SECOND = 1;
/** A new on-demand stream has four shards. */
const ON_DEMAND_SHARDS = 4;
const ATHENA_MINIMUM_BYTES = 10 * 1024 ** 2;
const GB = 1024 ** 3;
const TB = 1024 ** 4;

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

type StreamRole = Extract<
  ResourceRole,
  'telemetryStream' | 'summaryStream' | 'sensorStream' | 'sensorAlertStream' | 'weblogStream'
>;

interface Traffic {
  readonly recordsPerSecond: number;
  readonly recordBytes: number;
  /** Distinct partition keys: how many shards can carry records at all. */
  readonly keys: number;
}

function roleTraffic(role: ResourceRole | undefined, w: Workload): Traffic {
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

/** A priced part of a deployment, per hour. */
export interface CostLine {
  /** What is paid for, for grouping: "Kinesis shard-hours", "Lambda", "CloudWatch alarms", … */
  readonly category: string;
  readonly item: string;
  /** The usage behind the price, per hour. */
  readonly quantity: string;
  readonly usdPerHour: number;
  /** Logical ids of the template resources the line comes from. */
  readonly resources: readonly string[];
  /** Part of the per-minute aggregation (what the seed ran in a Flink Studio notebook). */
  readonly aggregation?: boolean;
}

export interface DeploymentEstimate {
  readonly lines: CostLine[];
  readonly usdPerHour: number;
  /** The aggregation's share: the tumbling-window function and its logs. */
  readonly aggregationUsdPerHour: number;
  /** Resources with no hourly charge at this workload, by type, with a count. */
  readonly noHourlyCharge: { type: string; count: number; why: string }[];
  /** Resource types the estimator has no rule for: shown, never silently dropped. */
  readonly notPriced: { type: string; count: number }[];
}

/** Resource types with no charge of their own while the workshop runs, and why. */
const NO_HOURLY_CHARGE: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'no charge',
  'AWS::IAM::Policy': 'no charge',
  'AWS::IAM::ManagedPolicy': 'no charge',
  'AWS::IAM::Group': 'no charge',
  'AWS::IAM::InstanceProfile': 'no charge',
  'AWS::Cognito::IdentityPool': 'identity pools are free',
  'AWS::Cognito::IdentityPoolRoleAttachment': 'no charge',
  'AWS::Glue::Database': 'first million catalog objects free',
  'AWS::Glue::Table': 'first million catalog objects free',
  'AWS::SQS::Queue': 'failure queues: requests only when a batch fails',
  'AWS::SQS::QueuePolicy': 'no charge',
  'AWS::SNS::Topic': 'alarm notifications only',
  'AWS::SNS::TopicPolicy': 'no charge',
  'AWS::S3::Bucket': 'storage priced with what Firehose writes',
  'AWS::S3::BucketPolicy': 'no charge',
  'AWS::Logs::LogGroup': 'ingestion priced with the functions that log',
  'AWS::Logs::LogStream': 'no charge',
  'AWS::Lambda::EventSourceMapping': 'priced with its function',
  'AWS::Lambda::LayerVersion': 'no charge',
  'AWS::Lambda::Permission': 'no charge',
  'AWS::CloudFront::OriginAccessControl': 'no charge',
  'AWS::EC2::VPC': 'no charge',
  'AWS::EC2::Subnet': 'no charge',
  'AWS::EC2::RouteTable': 'no charge',
  'AWS::EC2::SubnetRouteTableAssociation': 'no charge',
  'AWS::EC2::Route': 'no charge',
  'AWS::EC2::InternetGateway': 'no charge (no NAT gateway)',
  'AWS::EC2::VPCGatewayAttachment': 'no charge',
  'AWS::EC2::SecurityGroup': 'no charge',
  'AWS::EC2::SecurityGroupIngress': 'no charge',
  'AWS::EC2::LaunchTemplate': 'no charge',
  'AWS::EC2::FlowLog': 'rejected packets only: a few log lines',
  'AWS::CDK::Metadata': 'no charge',
};

const TYPES_WITH_RULES = new Set([
  'AWS::Kinesis::Stream',
  'AWS::Lambda::Function',
  'AWS::DynamoDB::Table',
  'AWS::KinesisFirehose::DeliveryStream',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::EC2::Instance',
  'AWS::CloudFront::Distribution',
  'AWS::Athena::WorkGroup',
]);

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function target(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

const num = (value: unknown, fallback: number): number =>
  typeof value === 'number'
    ? value
    : typeof value === 'string' && value !== '' && !Number.isNaN(Number(value))
      ? Number(value)
      : fallback;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n < 10 ? n.toPrecision(3) : n.toFixed(1));

/** Prices every resource of one deployment's templates (its main stack and optional weblogs stack). */
export function estimateDeployment(
  templates: readonly CfnTemplate[],
  prices: PriceTable,
  workload: Workload,
  hours: number,
): DeploymentEstimate {
  if (!(hours > 0))
    throw new CostError(`The workshop length must be a positive number of hours, got ${hours}`);
  const price = (key: string): number => {
    const entry = prices.prices[key];
    if (!entry)
      throw new CostError(`No price "${key}" in the price table (${prices.region}, ${prices.date})`);
    return entry.usd / entry.per;
  };
  const perMonth = (key: string) => price(key) / prices.hoursPerMonth;
  const lines: CostLine[] = [];
  const counts = new Map<string, number>();
  const idleFunctions: string[] = [];

  for (const template of templates) {
    const resources = template.Resources ?? {};
    const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
    const props = (r: CfnResource) => r.Properties ?? {};
    for (const r of Object.values(resources)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);

    // Streams: traffic from the workload, by which of the project's streams each one is.
    const streams = new Map<
      string,
      { name: string; role?: ResourceRole; traffic: Traffic; shards: number; onDemand: boolean }
    >();
    for (const [id, r] of of('AWS::Kinesis::Stream')) {
      const p = props(r);
      const name = typeof p.Name === 'string' ? p.Name : id;
      const onDemand =
        (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
      const shards = onDemand ? ON_DEMAND_SHARDS : num(p.ShardCount, 1);
      const role = roleOf(r);
      streams.set(id, { name, role, traffic: roleTraffic(role, workload), shards, onDemand });
    }
    const readers = new Map<string, number>();
    const addReader = (streamId: string | undefined) =>
      streamId && readers.set(streamId, (readers.get(streamId) ?? 0) + 1);

    // Lambda functions fed by Kinesis event source mappings.
    const invocations = new Map<string, { perHour: number; aggregation: boolean; source: string }>();
    for (const [, r] of of('AWS::Lambda::EventSourceMapping')) {
      const p = props(r);
      const streamId = target(p.EventSourceArn);
      const fnId = target(p.FunctionName);
      const stream = streamId ? streams.get(streamId) : undefined;
      if (!stream || !fnId) continue;
      addReader(streamId);
      const { recordsPerSecond: rate, keys } = stream.traffic;
      const activeShards = Math.min(stream.shards, keys);
      const batchingWindow = num(p.MaximumBatchingWindowInSeconds, 0);
      const tumbling = num(p.TumblingWindowInSeconds, 0);
      const perShard = rate > 0 && activeShards > 0 ? rate / activeShards : 0;
      const batchesPerSecond =
        perShard > 0
          ? activeShards * Math.min(perShard, batchingWindow > 0 ? 1 / batchingWindow : POLLS_PER_SECOND)
          : 0;
      // Lambda adds one final invocation per window and shard to hand over the state.
      const finals = tumbling > 0 && perShard > 0 ? activeShards / tumbling : 0;
      const previous = invocations.get(fnId);
      invocations.set(fnId, {
        perHour: (previous?.perHour ?? 0) + (batchesPerSecond + finals) * 3600,
        aggregation: (previous?.aggregation ?? false) || tumbling > 0,
        source: `${stream.name}${previous ? `, ${previous.source}` : ''}`,
      });
    }

    // Firehose delivery streams: ingestion in 5 KB steps, S3 objects per buffer interval.
    for (const [id, r] of of('AWS::KinesisFirehose::DeliveryStream')) {
      const p = props(r);
      const streamId = target(
        (p.KinesisStreamSourceConfiguration as { KinesisStreamARN?: unknown } | undefined)?.KinesisStreamARN,
      );
      const stream = streamId ? streams.get(streamId) : undefined;
      addReader(streamId);
      const s3 = (p.ExtendedS3DestinationConfiguration ?? p.S3DestinationConfiguration ?? {}) as {
        BufferingHints?: { IntervalInSeconds?: unknown };
        CompressionFormat?: string;
        ProcessingConfiguration?: {
          Enabled?: boolean;
          Processors?: { Type: string; Parameters?: { ParameterName: string; ParameterValue: unknown }[] }[];
        };
      };
      const rate = stream?.traffic.recordsPerSecond ?? 0;
      const recordBytes = stream?.traffic.recordBytes ?? 0;
      const billedBytes = Math.ceil(recordBytes / 5120) * 5120;
      const gbPerHour = (rate * billedBytes * 3600) / GB;
      lines.push({
        category: 'Firehose',
        item: id,
        quantity: `${fmt(rate * 3600)} records/h from ${stream?.name ?? 'no stream'}, billed at 5 KB each: ${fmt(gbPerHour)} GB/h`,
        usdPerHour: gbPerHour * price('firehose.ingestGb'),
        resources: [id],
      });
      const interval = num(s3.BufferingHints?.IntervalInSeconds, 300);
      const objectsPerHour = rate > 0 ? 3600 / interval : 0;
      const storedGbPerHour =
        ((rate * recordBytes * 3600) / GB) * (s3.CompressionFormat === 'GZIP' ? workload.gzipRatio : 1);
      // Objects written during the workshop stay for the rest of it: on average half its length.
      const storageUsd = storedGbPerHour * (hours / 2) * perMonth('s3.storageGbMonth');
      lines.push({
        category: 'S3',
        item: `${id} objects`,
        quantity: `${fmt(objectsPerHour)} PUTs/h (${interval} s buffer), ${fmt(storedGbPerHour * 1024)} MB/h stored`,
        usdPerHour: objectsPerHour * price('s3.putRequest') + storageUsd,
        resources: [id],
      });
      if (s3.ProcessingConfiguration?.Enabled !== false) {
        for (const processor of s3.ProcessingConfiguration?.Processors ?? []) {
          if (processor.Type !== 'Lambda') continue;
          const param = (name: string) =>
            processor.Parameters?.find((x) => x.ParameterName === name)?.ParameterValue;
          const fnId = target(param('LambdaArn'));
          if (!fnId) continue;
          const perHour = rate > 0 ? 3600 / num(param('BufferIntervalInSeconds'), 60) : 0;
          const previous = invocations.get(fnId);
          invocations.set(fnId, {
            perHour: (previous?.perHour ?? 0) + perHour,
            aggregation: previous?.aggregation ?? false,
            source: `${id} (record transformation)`,
          });
        }
      }
    }

    for (const [id, r] of of('AWS::Lambda::Function')) {
      const use = invocations.get(id);
      if (!use) {
        idleFunctions.push(id);
        continue;
      }
      const p = props(r);
      const memoryMb = num(p.MemorySize, 128);
      const arm = Array.isArray(p.Architectures) && p.Architectures.includes('arm64');
      const gbSeconds = use.perHour * (workload.lambdaMsPerInvocation / 1000) * (memoryMb / 1024);
      lines.push({
        category: 'Lambda',
        item: id,
        quantity: `${fmt(use.perHour)} invocations/h × ${workload.lambdaMsPerInvocation} ms × ${memoryMb} MB ${arm ? 'arm64' : 'x86_64'}, from ${use.source}`,
        usdPerHour:
          use.perHour * price('lambda.request') +
          gbSeconds * price(arm ? 'lambda.arm64GbSecond' : 'lambda.x86GbSecond'),
        resources: [id],
        aggregation: use.aggregation,
      });
      const logGb = (use.perHour * workload.logBytesPerInvocation) / GB;
      lines.push({
        category: 'CloudWatch Logs',
        item: `${id} logs`,
        quantity: `${fmt(use.perHour)} × ${workload.logBytesPerInvocation} B`,
        usdPerHour: logGb * price('cloudwatch.logsIngestGb'),
        resources: [id],
        aggregation: use.aggregation,
      });
    }

    // Streams, now that their readers are known.
    for (const [id, stream] of streams) {
      const { recordsPerSecond: rate, recordBytes } = stream.traffic;
      const { role } = stream;
      if (stream.onDemand) {
        lines.push({
          category: 'Kinesis on-demand streams',
          item: stream.name,
          quantity: '1 stream-hour',
          usdPerHour: price('kinesis.onDemandStreamHour'),
          resources: [id],
        });
        const inGb = (rate * Math.ceil(recordBytes / 1024) * 1024 * 3600) / GB;
        const viewers = role === 'telemetryStream' ? workload.dashboardViewers : 0;
        const outGb = (rate * recordBytes * 3600 * ((readers.get(id) ?? 0) + viewers)) / GB;
        lines.push({
          category: 'Kinesis on-demand data',
          item: stream.name,
          quantity: `${fmt(inGb * 1024)} MB in (1 KB steps), ${fmt(outGb * 1024)} MB out to ${plural((readers.get(id) ?? 0) + viewers, 'reader')}`,
          usdPerHour: inGb * price('kinesis.onDemandIngestGb') + outGb * price('kinesis.onDemandRetrievalGb'),
          resources: [id],
        });
      } else {
        lines.push({
          category: 'Kinesis shard-hours',
          item: stream.name,
          quantity: plural(stream.shards, 'shard'),
          usdPerHour: stream.shards * price('kinesis.shardHour'),
          resources: [id],
        });
        const units = rate * Math.ceil(recordBytes / (25 * 1024)) * 3600;
        lines.push({
          category: 'Kinesis PUT payload units',
          item: stream.name,
          quantity: `${fmt(units)} units/h`,
          usdPerHour: units * price('kinesis.putPayloadUnit'),
          resources: [id],
        });
      }
    }

    // Tables: requests from the handlers that use them (found by the environment variable
    // that names each table), on-demand or provisioned as the template says.
    const tableUse = new Map<string, string>();
    for (const [, r] of of('AWS::Lambda::Function')) {
      const variables =
        (props(r).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      for (const [key, value] of Object.entries(variables)) {
        const tableId = target(value);
        if (tableId && resources[tableId]?.Type === 'AWS::DynamoDB::Table') tableUse.set(tableId, key);
      }
    }
    const summaries = roleTraffic('summaryStream' satisfies StreamRole, workload).recordsPerSecond;
    const sensorRate = workload.sensorRecordsPerSecond;
    for (const [id, r] of of('AWS::DynamoDB::Table')) {
      const p = props(r);
      let reads = 0;
      let writes = 0;
      let why = 'not used by any handler';
      switch (tableUse.get(id)) {
        case ENV.summaryTableName:
          // Read-merge-write: one strongly consistent read and one write per summary.
          reads = summaries;
          writes = summaries;
          why = '1 read + 1 write per summary';
          break;
        case SENSOR_ENV.dedupTableName:
          reads = sensorRate;
          writes = sensorRate;
          why = '1 read + 1 write per reading';
          break;
        case SENSOR_ENV.aggregateTableName:
          writes =
            Math.min(workload.sensors, sensorRate * SENSOR_SETTINGS.windowSeconds) /
            SENSOR_SETTINGS.windowSeconds;
          why = `1 write per sensor per ${SENSOR_SETTINGS.windowSeconds} s window`;
          break;
      }
      const name = typeof p.TableName === 'string' ? p.TableName : id;
      if (p.BillingMode === 'PAY_PER_REQUEST') {
        lines.push({
          category: 'DynamoDB',
          item: `${name} (on-demand)`,
          quantity: `${fmt(reads * 3600)} reads + ${fmt(writes * 3600)} writes/h (${why})`,
          usdPerHour:
            reads * 3600 * price('dynamodb.onDemandRead') + writes * 3600 * price('dynamodb.onDemandWrite'),
          resources: [id],
        });
      } else {
        const throughput = (p.ProvisionedThroughput ?? {}) as {
          ReadCapacityUnits?: unknown;
          WriteCapacityUnits?: unknown;
        };
        const rcu = num(throughput.ReadCapacityUnits, 0);
        const wcu = num(throughput.WriteCapacityUnits, 0);
        lines.push({
          category: 'DynamoDB',
          item: `${name} (provisioned)`,
          quantity: `${rcu} RCU + ${wcu} WCU`,
          usdPerHour: rcu * price('dynamodb.provisionedRcuHour') + wcu * price('dynamodb.provisionedWcuHour'),
          resources: [id],
        });
      }
    }

    const alarms = of('AWS::CloudWatch::Alarm');
    if (alarms.length > 0) {
      lines.push({
        category: 'CloudWatch alarms',
        item: plural(alarms.length, 'alarm'),
        quantity: `${alarms.length} × $${price('cloudwatch.alarmMonth').toFixed(2)}/month`,
        usdPerHour: alarms.length * perMonth('cloudwatch.alarmMonth'),
        resources: alarms.map(([id]) => id),
      });
    }
    for (const [id, r] of of('AWS::CloudWatch::Dashboard')) {
      lines.push({
        category: 'CloudWatch dashboards',
        item: typeof props(r).DashboardName === 'string' ? (props(r).DashboardName as string) : id,
        quantity: `$${price('cloudwatch.dashboardMonth').toFixed(2)}/month`,
        usdPerHour: perMonth('cloudwatch.dashboardMonth'),
        resources: [id],
      });
    }

    for (const [id, r] of of('AWS::EC2::Instance')) {
      const p = props(r);
      const type = typeof p.InstanceType === 'string' ? p.InstanceType : 'm1.small';
      if (!prices.prices[`ec2.${type}`]) {
        throw new CostError(`No price for EC2 instance type ${type} in the price table: add "ec2.${type}"`);
      }
      lines.push({
        category: 'EC2 instances',
        item: `${id} (${type})`,
        quantity: '1 instance-hour',
        usdPerHour: price(`ec2.${type}`),
        resources: [id],
      });
      const subnet = resources[target(p.SubnetId) ?? ''];
      const publicIp =
        (subnet?.Properties as { MapPublicIpOnLaunch?: unknown } | undefined)?.MapPublicIpOnLaunch === true ||
        (Array.isArray(p.NetworkInterfaces) &&
          p.NetworkInterfaces.some(
            (n: { AssociatePublicIpAddress?: unknown }) => n.AssociatePublicIpAddress === true,
          ));
      if (publicIp) {
        lines.push({
          category: 'Public IPv4',
          item: `${id} public address`,
          quantity: '1 address-hour',
          usdPerHour: price('ec2.publicIpv4Hour'),
          resources: [id],
        });
      }
      for (const mapping of (p.BlockDeviceMappings ?? []) as {
        Ebs?: { VolumeSize?: unknown; VolumeType?: string };
      }[]) {
        if (!mapping.Ebs) continue;
        const volumeType = mapping.Ebs.VolumeType ?? 'gp2';
        const size = num(mapping.Ebs.VolumeSize, 8);
        const key = `ebs.${volumeType}GbMonth`;
        if (!prices.prices[key])
          throw new CostError(`No price for EBS ${volumeType} volumes in the price table: add "${key}"`);
        lines.push({
          category: 'EBS',
          item: `${id} ${volumeType} volume`,
          quantity: `${size} GB`,
          usdPerHour: size * perMonth(key),
          resources: [id],
        });
      }
    }

    for (const [id] of of('AWS::CloudFront::Distribution')) {
      const loads = workload.dashboardViewers * workload.dashboardLoadsPerHour;
      lines.push({
        category: 'CloudFront',
        item: id,
        quantity: `${fmt(loads)} page loads/h × ${DASHBOARD_REQUESTS_PER_LOAD} requests, ${DASHBOARD_BYTES_PER_LOAD / 1024} KB`,
        usdPerHour:
          loads * DASHBOARD_REQUESTS_PER_LOAD * price('cloudfront.httpsRequest') +
          ((loads * DASHBOARD_BYTES_PER_LOAD) / GB) * price('cloudfront.dataOutGb'),
        resources: [id],
      });
    }

    for (const [id, r] of of('AWS::Athena::WorkGroup')) {
      const name = typeof props(r).Name === 'string' ? (props(r).Name as string) : id;
      lines.push({
        category: 'Athena',
        item: name,
        quantity: `${workload.athenaQueriesPerHour} queries/h at the 10 MB minimum`,
        usdPerHour: ((workload.athenaQueriesPerHour * ATHENA_MINIMUM_BYTES) / TB) * price('athena.scannedTb'),
        resources: [id],
      });
    }
  }

  const noHourlyCharge: DeploymentEstimate['noHourlyCharge'] = [];
  const notPriced: DeploymentEstimate['notPriced'] = [];
  for (const [type, count] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (NO_HOURLY_CHARGE[type]) noHourlyCharge.push({ type, count, why: NO_HOURLY_CHARGE[type] });
    else if (type.startsWith('Custom::'))
      noHourlyCharge.push({ type, count, why: 'runs only while deploying' });
    else if (!TYPES_WITH_RULES.has(type)) notPriced.push({ type, count });
  }
  if (idleFunctions.length > 0) {
    noHourlyCharge.push({
      type: 'AWS::Lambda::Function (CDK custom resource handlers)',
      count: idleFunctions.length,
      why: 'run only while deploying',
    });
  }

  const sum = (xs: readonly CostLine[]) => xs.reduce((total, line) => total + line.usdPerHour, 0);
  return {
    lines,
    usdPerHour: sum(lines),
    aggregationUsdPerHour: sum(lines.filter((l) => l.aggregation)),
    noHourlyCharge,
    notPriced,
  };
}

/** Categories by their share of the hourly cost, largest first. */
export function dominantCategories(
  estimate: DeploymentEstimate,
): { category: string; usdPerHour: number; share: number }[] {
  const byCategory = new Map<string, number>();
  for (const line of estimate.lines)
    byCategory.set(line.category, (byCategory.get(line.category) ?? 0) + line.usdPerHour);
  return [...byCategory.entries()]
    .map(([category, usdPerHour]) => ({
      category,
      usdPerHour,
      share: estimate.usdPerHour > 0 ? usdPerHour / estimate.usdPerHour : 0,
    }))
    .sort((a, b) => b.usdPerHour - a.usdPerHour || a.category.localeCompare(b.category));
}

/**
 * The seed workshop ran the per-minute aggregation as SQL in a Managed Service for Apache
 * Flink Studio notebook. Studio bills the notebook's KPUs (Parallelism / ParallelismPerKPU, at
 * least one) plus two more per Studio application (pricing page), and 50 GB of running
 * application storage per KPU; the rest of the pipeline is the same.
 */
export interface SeedComparison {
  readonly computeKpus: number;
  readonly studioKpus: number;
  readonly studioUsdPerHour: number;
  /** The aggregation Lambda (and its logs) the notebook replaces. */
  readonly replacedUsdPerHour: number;
  readonly usdPerHour: number;
}

export const STUDIO_EXTRA_KPUS = 2;
export const KPU_STORAGE_GB = 50;

export function seedComparison(
  estimate: DeploymentEstimate,
  prices: PriceTable,
  computeKpus = 1,
): SeedComparison {
  const kpuHour = prices.prices['flink.kpuHour'];
  const storage = prices.prices['flink.runningStorageGbMonth'];
  const studioKpus = computeKpus + STUDIO_EXTRA_KPUS;
  const studioUsdPerHour =
    studioKpus * (kpuHour.usd / kpuHour.per) +
    (computeKpus * KPU_STORAGE_GB * (storage.usd / storage.per)) / prices.hoursPerMonth;
  return {
    computeKpus,
    studioKpus,
    studioUsdPerHour,
    replacedUsdPerHour: estimate.aggregationUsdPerHour,
    usdPerHour: estimate.usdPerHour - estimate.aggregationUsdPerHour + studioUsdPerHour,
  };
}

/** One attendee's deployment: the stacks of their Stage (or the single deployment). */
export interface AttendeeTemplates {
  readonly id: string;
  readonly region?: string;
  readonly stacks: readonly { readonly stackName: string; readonly template: CfnTemplate }[];
}

export interface WorkshopEstimate {
  readonly hours: number;
  readonly workload: Workload;
  readonly attendees: { id: string; region?: string; stacks: string[]; estimate: DeploymentEstimate }[];
  /** Mean over the attendees. */
  readonly usdPerAttendeeHour: number;
  readonly usdPerAttendeeWorkshop: number;
  readonly usdTotal: number;
  readonly seed: SeedComparison;
}

export function estimateWorkshop(
  groups: readonly AttendeeTemplates[],
  prices: PriceTable,
  workload: Workload,
  hours: number,
): WorkshopEstimate {
  if (groups.length === 0) throw new CostError('No stacks to estimate: the assembly is empty');
  const attendees = groups.map((g) => ({
    id: g.id,
    ...(g.region ? { region: g.region } : {}),
    stacks: g.stacks.map((s) => s.stackName),
    estimate: estimateDeployment(
      g.stacks.map((s) => s.template),
      prices,
      workload,
      hours,
    ),
  }));
  const total = attendees.reduce((sum, a) => sum + a.estimate.usdPerHour, 0);
  const mean = total / attendees.length;
  return {
    hours,
    workload,
    attendees,
    usdPerAttendeeHour: mean,
    usdPerAttendeeWorkshop: mean * hours,
    usdTotal: total * hours,
    seed: seedComparison(attendees[0].estimate, prices),
  };
}

/** `$0.04` for the headline; small amounts keep two significant digits. */
export function dollars(usd: number): string {
  return `$${usd.toFixed(2)}`;
}
const precise = (usd: number) => `$${usd.toFixed(4)}`;
const percent = (share: number) => `${Math.round(share * 100)}%`;

export function workloadSummary(w: Workload): string[] {
  const lines = [
    `${w.unicorns} unicorns × ${w.recordsPerSecondPerUnicorn} record/s = ${fmt(w.unicorns * w.recordsPerSecondPerUnicorn)} records/s of ${telemetryRecordBytes()} B on the telemetry stream; one ${summaryRecordBytes()} B summary per unicorn-minute`,
    w.sensorRecordsPerSecond > 0
      ? `sensor generator at ${fmt(w.sensorRecordsPerSecond)} readings/s from ${w.sensors} sensors, ${Math.round(w.sensorAlertShare * 100)}% of them alerts`
      : 'sensor generator off (the sensor lab: -sensor-rate 100, datagen’s default)',
    `${w.dashboardViewers} dashboard viewer(s), ${w.dashboardLoadsPerHour} page load(s)/h; ${w.athenaQueriesPerHour} Athena queries/h`,
    `every Lambda invocation ${w.lambdaMsPerInvocation} ms with ${w.logBytesPerInvocation} B of logs; web server (when deployed) ${fmt(w.weblogRequestsPerSecond)} requests/s`,
  ];
  return lines;
}

/** The estimate as text: the headline first, then where the money goes, the seed comparison and what is not priced. */
export function formatEstimate(estimate: WorkshopEstimate, prices: PriceTable, priceFile: string): string {
  const out: string[] = [];
  const first = estimate.attendees[0];
  out.push(dollars(estimate.usdPerAttendeeHour) + ' per attendee-hour');
  out.push(
    `${dollars(estimate.usdPerAttendeeWorkshop)} per attendee for a ${fmt(estimate.hours)}-hour workshop; ${plural(estimate.attendees.length, 'attendee')}: ${dollars(estimate.usdTotal)}`,
  );
  out.push('');
  out.push(
    `Prices: ${prices.region} list prices of ${prices.date} (${priceFile}); no free tier, discounts or tax.`,
  );
  const elsewhere = [
    ...new Set(estimate.attendees.map((a) => a.region).filter((r) => r && r !== prices.region)),
  ];
  if (elsewhere.length > 0) {
    out.push(`Attendees in ${elsewhere.join(', ')} pay those regions' prices, which differ somewhat.`);
  }
  out.push('Workload per attendee (assumed):');
  for (const line of workloadSummary(estimate.workload)) out.push(`  - ${line}`);
  out.push('');

  out.push(`Per attendee-hour (${first.id}: ${first.stacks.join(', ')}):`);
  const rows = first.estimate.lines
    .filter((l) => l.usdPerHour > 0)
    .sort((a, b) => b.usdPerHour - a.usdPerHour);
  const idle = first.estimate.lines.filter((l) => l.usdPerHour === 0);
  const width = Math.max(...rows.map((r) => r.category.length));
  const itemWidth = Math.min(44, Math.max(...rows.map((r) => r.item.length)));
  for (const row of rows) {
    out.push(
      `  ${row.category.padEnd(width)}  ${row.item.slice(0, itemWidth).padEnd(itemWidth)}  ${precise(row.usdPerHour).padStart(8)}  ${row.quantity}`,
    );
  }
  out.push(
    `  ${'Total'.padEnd(width)}  ${''.padEnd(itemWidth)}  ${precise(first.estimate.usdPerHour).padStart(8)}`,
  );
  if (idle.length > 0) {
    out.push(
      `  No traffic at this workload, so $0: ${idle.map((l) => `${l.category} ${l.item}`).join('; ')}.`,
    );
  }
  const top = dominantCategories(first.estimate).filter((c) => c.usdPerHour > 0);
  out.push('');
  out.push(
    `Dominated by ${top
      .slice(0, 3)
      .map((c) => `${c.category} (${percent(c.share)})`)
      .join(', ')}.`,
  );

  if (estimate.attendees.length > 1) {
    out.push('');
    out.push('Per attendee:');
    for (const a of estimate.attendees) {
      out.push(
        `  ${a.id.padEnd(20)} ${(a.region ?? '(default region)').padEnd(16)} ${precise(a.estimate.usdPerHour)}/h  ${dollars(a.estimate.usdPerHour * estimate.hours)} per workshop`,
      );
    }
  }

  const seed = estimate.seed;
  out.push('');
  out.push(
    `Seed architecture (the aggregation as SQL in a Managed Service for Apache Flink Studio notebook: ${seed.computeKpus} KPU + ${STUDIO_EXTRA_KPUS} Studio KPUs = ${seed.studioKpus} KPUs, ${dollars(seed.studioUsdPerHour)}/h, instead of the aggregation Lambda at ${precise(seed.replacedUsdPerHour)}/h): ${dollars(seed.usdPerHour)} per attendee-hour, ${(seed.usdPerHour / first.estimate.usdPerHour).toFixed(1)}× this stack; ${dollars(seed.usdPerHour * estimate.hours)} per attendee for the workshop.`,
  );

  out.push('');
  out.push(
    `No hourly charge at this workload: ${first.estimate.noHourlyCharge.map((n) => `${n.type.replace(/^AWS::/, '')} ×${n.count} (${n.why})`).join('; ')}.`,
  );
  if (first.estimate.notPriced.length > 0) {
    out.push(
      `Not priced (no rule for these types): ${first.estimate.notPriced.map((n) => `${n.type} ×${n.count}`).join(', ')}.`,
    );
  }
  out.push(
    'Also not counted: AWS-managed KMS key requests (stream encryption), Powertools custom metrics, data transfer within the region.',
  );
  return `${out.join('\n')}\n`;
}
