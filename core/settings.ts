/** Settings shared by the CDK app, the handlers and the tools. */

/** Environment variables the stack sets on the handlers and the handlers read. */
export const ENV = {
  summaryStreamName: 'SUMMARY_STREAM_NAME',
  summaryTableName: 'SUMMARY_TABLE_NAME',
  failureQueueUrl: 'FAILURE_QUEUE_URL',
} as const;

/** Length of the per-unicorn aggregation window: the workshop's one-minute summaries. */
export const SUMMARY_WINDOW_SECONDS = 60;

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
