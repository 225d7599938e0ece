/** Settings shared by the CDK app, the handlers and the tools. */

/** Environment variables the stack sets on the handlers and the handlers read. */
export const ENV = {
  summaryStreamName: 'SUMMARY_STREAM_NAME',
  summaryTableName: 'SUMMARY_TABLE_NAME',
  failureQueueUrl: 'FAILURE_QUEUE_URL',
} as const;

/** The CloudWatch namespace of the handlers' own metrics (Powertools' EMF), one for the app. */
export const METRICS_NAMESPACE = 'WildRydes';

/** Length of the per-unicorn aggregation window: the workshop's one-minute summaries. */
export const SUMMARY_WINDOW_SECONDS = 60;

/**
 * How long a Firehose delivery gathers records before writing an S3 object, unless told
 * otherwise: a workshop sees its data in S3 within a minute or two.
 */
export const DELIVERY_BUFFERING_SECONDS = 60;

/** How long both streams keep records: Kinesis' minimum and cheapest retention. */
export const STREAM_RETENTION_HOURS = 24;

/** Kinesis PutRecords limits (Kinesis Data Streams quotas). */
export const PUT_RECORDS_LIMITS = {
  maxRecords: 500,
  maxRequestBytes: 5 * 1024 * 1024,
  /** Data blob plus partition key. */
  maxRecordBytes: 1024 * 1024,
  maxPartitionKeyLength: 256,
} as const;

/** The IoT sensor pipeline: environment variables its handlers read. */
export const SENSOR_ENV = {
  alertStreamName: 'SENSOR_ALERT_STREAM_NAME',
  dedupTableName: 'SENSOR_DEDUP_TABLE_NAME',
  aggregateTableName: 'SENSOR_AGGREGATE_TABLE_NAME',
  failureQueueUrl: 'FAILURE_QUEUE_URL',
} as const;

/** The sensor pipeline's rules, in one place for the handlers, the stack and the tests. */
export const SENSOR_SETTINGS = {
  /** Length of the per-sensor tumbling window for averages and counts. */
  windowSeconds: 10,
  /**
   * Two identical readings (sensor, event time, values) that arrive at most this far apart are
   * one reading sent twice: producers that retry a PutRecords send the same record again
   * within their back-off, well under a second.
   */
  dedupWindowMs: 1_000,
  /**
   * How long a reading's fingerprint is kept. Only the last second matters; an hour leaves
   * room for a Lambda retry of the same batch, and DynamoDB's TTL sweeps the rest for free.
   */
  dedupRetentionSeconds: 3_600,
  /** A reading is an alert when the measured and ambient temperatures differ by more than this (°C). */
  alertThreshold: 20,
} as const;
