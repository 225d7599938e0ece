import type { Datapoint, MetricId, StandardUnit } from './store';

/**
 * The metrics AWS services publish for what the local run does, as pure functions from an
 * observed call to datapoints, under AWS's own namespaces, names, dimensions and units:
 * - AWS/Kinesis (StreamName): the stream-level metrics of PutRecord, PutRecords and GetRecords
 *   (Kinesis Data Streams Developer Guide, "Monitoring with CloudWatch");
 * - AWS/Lambda (FunctionName): Invocations, Errors, Duration, Throttles and, for stream event
 *   sources, IteratorAge, the age of the batch's last record when the function receives it;
 * - AWS/Firehose (DeliveryStreamName): DeliveryToS3.Records, .Success and .DataFreshness;
 * - AWS/SQS (QueueName): ApproximateNumberOfMessagesVisible, sampled once a minute;
 * - the handlers' own metrics, from the CloudWatch embedded metric format lines in their logs.
 */

export interface MetricDatum {
  readonly id: MetricId;
  readonly point: Datapoint;
}

type Json = Record<string, unknown>;

/** A datapoint maker: metric name, value and unit (Count unless said) of one resource at one time. */
type Metric = (name: string, n: number, unit?: StandardUnit) => MetricDatum;

/** The datapoints of the resource a service names by `dimension` = `value`, at `timestamp`. */
const metricsOf =
  (namespace: string, dimension: string, value: string, timestamp: number): Metric =>
  (metricName, n, unit = 'Count') => ({
    id: { namespace, metricName, dimensions: [{ name: dimension, value }] },
    point: { timestamp, values: [{ value: n, count: 1 }], unit },
  });

/** One Kinesis API call as the endpoint saw it. */
export interface KinesisCall {
  readonly operation: string;
  readonly streamName: string;
  /** The request's JSON body. */
  readonly input: Json;
  /** The response's JSON body (an error's for a failed call). */
  readonly output: Json;
  readonly status: number;
  readonly latencyMs: number;
  /** When it was answered, ms. */
  readonly now: number;
  /**
   * What a successful GetRecords returned, summed without decoding its records (the endpoint
   * counts them in the answer as it relays it); read from `output.Records` when absent.
   */
  readonly recordsRead?: RecordsRead;
}

/** The records a GetRecords call returned, as its metrics count them. */
export interface RecordsRead {
  readonly count: number;
  /** Their data's bytes (decoded). */
  readonly dataBytes: number;
  /** The last record's ApproximateArrivalTimestamp, epoch seconds. */
  readonly lastArrival?: number;
}

const THROTTLED = 'ProvisionedThroughputExceededException';

const errorCode = (output: Json) => String(output.__type ?? '').replace(/^.*#/, '');

const dataBytes = (data: unknown) => (typeof data === 'string' ? Buffer.byteLength(data, 'base64') : 0);

/** A record's size as Kinesis counts it: data plus partition key. */
const recordBytes = (record: Json) =>
  dataBytes(record.Data) + Buffer.byteLength(String(record.PartitionKey ?? ''), 'utf8');

/** One call's outcome, as each operation's metrics read it. */
interface CallOutcome {
  readonly call: KinesisCall;
  /** A datapoint of the call's stream, at the call's time. */
  readonly m: Metric;
  readonly ok: boolean;
  /** Refused for the shard's throughput. */
  readonly throttled: boolean;
}

const jsonList = (value: unknown) => (Array.isArray(value) ? value : []) as Json[];

function putRecordMetrics({ call, m, ok, throttled }: CallOutcome): MetricDatum[] {
  const bytes = recordBytes(call.input);
  return [
    m('PutRecord.Success', ok ? 1 : 0),
    m('WriteProvisionedThroughputExceeded', throttled ? 1 : 0),
    ...(ok
      ? [
          m('PutRecord.Bytes', bytes, 'Bytes'),
          m('PutRecord.Latency', call.latencyMs, 'Milliseconds'),
          m('IncomingRecords', 1),
          m('IncomingBytes', bytes, 'Bytes'),
        ]
      : []),
  ];
}

/** PutRecords' per-record results, counted: taken (and their bytes), throttled, failed otherwise. */
function putRecordsTally(sent: readonly Json[], results: readonly Json[]) {
  let succeeded = 0;
  let throttledRecords = 0;
  let failed = 0;
  let bytes = 0;
  results.forEach((result, i) => {
    if (result.ErrorCode === undefined) {
      succeeded += 1;
      bytes += recordBytes(sent[i] ?? {});
    } else if (result.ErrorCode === THROTTLED) throttledRecords += 1;
    else failed += 1;
  });
  return { succeeded, throttledRecords, failed, bytes };
}

function putRecordsMetrics({ call, m, ok, throttled }: CallOutcome): MetricDatum[] {
  const sent = jsonList(call.input.Records);
  if (!ok) {
    return [m('PutRecords.Success', 0), m('WriteProvisionedThroughputExceeded', throttled ? sent.length : 0)];
  }
  const { succeeded, throttledRecords, failed, bytes } = putRecordsTally(sent, jsonList(call.output.Records));
  return [
    m('PutRecords.Success', succeeded > 0 ? 1 : 0),
    m('PutRecords.TotalRecords', sent.length),
    m('PutRecords.SuccessfulRecords', succeeded),
    m('PutRecords.FailedRecords', failed),
    m('PutRecords.ThrottledRecords', throttledRecords),
    m('PutRecords.Bytes', bytes, 'Bytes'),
    m('PutRecords.Latency', call.latencyMs, 'Milliseconds'),
    m('WriteProvisionedThroughputExceeded', throttledRecords),
    m('IncomingRecords', succeeded),
    m('IncomingBytes', bytes, 'Bytes'),
  ];
}

/** The records of a GetRecords answer, summed from its decoded JSON. */
export function recordsReadOf(output: Json): RecordsRead {
  const records = jsonList(output.Records);
  const last = records[records.length - 1];
  return {
    count: records.length,
    dataBytes: records.reduce((n, r) => n + dataBytes(r.Data), 0),
    lastArrival:
      typeof last?.ApproximateArrivalTimestamp === 'number' ? last.ApproximateArrivalTimestamp : undefined,
  };
}

/** The age of the last record returned; a reader that is caught up is 0 ms behind. */
function iteratorAge(read: RecordsRead, output: Json, now: number): number {
  if (read.lastArrival !== undefined) return Math.max(0, now - read.lastArrival * 1000);
  return typeof output.MillisBehindLatest === 'number' ? output.MillisBehindLatest : 0;
}

function getRecordsMetrics({ call, m, ok, throttled }: CallOutcome): MetricDatum[] {
  if (!ok) return [m('GetRecords.Success', 0), m('ReadProvisionedThroughputExceeded', throttled ? 1 : 0)];
  const read = call.recordsRead ?? recordsReadOf(call.output);
  return [
    m('GetRecords.Success', 1),
    m('GetRecords.Records', read.count),
    m('GetRecords.Bytes', read.dataBytes, 'Bytes'),
    m('GetRecords.Latency', call.latencyMs, 'Milliseconds'),
    m('GetRecords.IteratorAgeMilliseconds', iteratorAge(read, call.output, call.now), 'Milliseconds'),
    m('ReadProvisionedThroughputExceeded', 0),
  ];
}

/** The operations with stream-level metrics, each with its own. */
const KINESIS_CALL_METRICS: Readonly<Record<string, (outcome: CallOutcome) => MetricDatum[]>> = {
  PutRecord: putRecordMetrics,
  PutRecords: putRecordsMetrics,
  GetRecords: getRecordsMetrics,
};

/** The stream-level metrics Kinesis publishes for one PutRecord, PutRecords or GetRecords call. */
export function kinesisCallMetrics(call: KinesisCall): MetricDatum[] {
  if (!Object.hasOwn(KINESIS_CALL_METRICS, call.operation)) return [];
  const m = metricsOf('AWS/Kinesis', 'StreamName', call.streamName, call.now);
  const ok = call.status < 400;
  const throttled = !ok && errorCode(call.output) === THROTTLED;
  return KINESIS_CALL_METRICS[call.operation]({ call, m, ok, throttled });
}

/** One invocation of a function, as Lambda counts it. */
export interface Invocation {
  readonly functionName: string;
  readonly durationMs: number;
  readonly failed: boolean;
  /** The event it was given (a Kinesis event gives IteratorAge). */
  readonly event: unknown;
  /** When it ended, ms. */
  readonly now: number;
}

/**
 * Lambda's metrics for one invocation. Errors is 0 or 1 for every invocation (its Sum counts
 * the failed ones); the local run has no concurrency limit, so Throttles is always 0.
 */
export function lambdaInvocationMetrics({
  functionName,
  durationMs,
  failed,
  event,
  now,
}: Invocation): MetricDatum[] {
  const m = metricsOf('AWS/Lambda', 'FunctionName', functionName, now);
  const out = [
    m('Invocations', 1),
    m('Errors', failed ? 1 : 0),
    m('Throttles', 0),
    m('Duration', durationMs, 'Milliseconds'),
  ];
  const records = (event as { Records?: { kinesis?: { approximateArrivalTimestamp?: unknown } }[] } | null)
    ?.Records;
  const arrival = Array.isArray(records)
    ? records[records.length - 1]?.kinesis?.approximateArrivalTimestamp
    : undefined;
  if (typeof arrival === 'number')
    out.push(m('IteratorAge', Math.max(0, now - arrival * 1000), 'Milliseconds'));
  return out;
}

/** One attempt to write a delivery stream's buffer to its bucket. */
export interface Delivery {
  readonly deliveryStreamName: string;
  readonly records: number;
  readonly succeeded: boolean;
  /** When the oldest record delivered entered the delivery stream, ms. */
  readonly oldestArrival: number;
  readonly now: number;
}

/** Firehose's S3 delivery metrics for one attempt. */
export function firehoseDeliveryMetrics({
  deliveryStreamName,
  records,
  succeeded,
  oldestArrival,
  now,
}: Delivery): MetricDatum[] {
  const m = metricsOf('AWS/Firehose', 'DeliveryStreamName', deliveryStreamName, now);
  return [
    m('DeliveryToS3.Success', succeeded ? 1 : 0),
    ...(succeeded
      ? [
          m('DeliveryToS3.Records', records),
          m('DeliveryToS3.DataFreshness', Math.max(0, (now - oldestArrival) / 1000), 'Seconds'),
        ]
      : []),
  ];
}

/** SQS's queue depth, as sampled once a minute. */
export function sqsQueueMetrics(queueName: string, visible: number, now: number): MetricDatum[] {
  return [metricsOf('AWS/SQS', 'QueueName', queueName, now)('ApproximateNumberOfMessagesVisible', visible)];
}

/** The embedded metric format's directive: `_aws.CloudWatchMetrics`. */
interface MetricDirective {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

const asUnit = (unit: unknown): StandardUnit | undefined =>
  typeof unit === 'string' && unit !== '' ? (unit as StandardUnit) : undefined;

/**
 * The metrics in one log line in CloudWatch's embedded metric format (what Powertools' Metrics
 * prints): for each directive, each metric (a number or an array of numbers in the root
 * member of its name) under each dimension set (the root members named), at `_aws.Timestamp`.
 * Any other line gives none.
 */
export function embeddedMetrics(line: string): MetricDatum[] {
  const start = line.indexOf('{"');
  if (start < 0 || !line.includes('"_aws"')) return [];
  let root: Json;
  try {
    root = JSON.parse(line.slice(start)) as Json;
  } catch {
    return [];
  }
  const aws = root._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || typeof aws.Timestamp !== 'number' || !Array.isArray(aws.CloudWatchMetrics)) return [];
  const timestamp = aws.Timestamp;
  const out: MetricDatum[] = [];
  for (const directive of aws.CloudWatchMetrics as MetricDirective[]) {
    if (typeof directive?.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const sets = Array.isArray(directive.Dimensions) ? (directive.Dimensions as unknown[]) : [[]];
    for (const set of sets.length > 0 ? sets : [[]]) {
      if (!Array.isArray(set)) continue;
      const names = set.filter((n): n is string => typeof n === 'string');
      if (names.some((n) => typeof root[n] !== 'string')) continue;
      const dimensions = names.map((name) => ({ name, value: root[name] as string }));
      for (const metric of directive.Metrics as {
        Name?: unknown;
        Unit?: unknown;
        StorageResolution?: unknown;
      }[]) {
        if (typeof metric?.Name !== 'string') continue;
        const raw = root[metric.Name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        if (values.length === 0) continue;
        out.push({
          id: { namespace: directive.Namespace, metricName: metric.Name, dimensions },
          point: {
            timestamp,
            values: values.map((value) => ({ value, count: 1 })),
            unit: asUnit(metric.Unit) ?? 'None',
            storageResolution: metric.StorageResolution === 1 ? 1 : 60,
          },
        });
      }
    }
  }
  return out;
}
