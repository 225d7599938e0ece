/**
 * The shape of a Kinesis Agent configuration (`/etc/aws-kinesis/agent.json`) as zod schemas:
 * every key the Java agent documents or reads, with its type and range. Which keys have no
 * effect here, and why, is listed apart (NO_EFFECT), so the schema is the one list of keys.
 * Settings that depend on one another are checked in config.ts.
 */
import { z } from 'zod';
import { PUT_RECORD_BATCH_LIMITS } from '#core/put-record-batch';
import { PUT_RECORDS_LIMITS } from '#core/settings';

/** The log formats of the LOGTOJSON option (ProcessingUtilsFactory.LogFormat). */
export const LOG_FORMATS = [
  'COMMONAPACHELOG',
  'COMBINEDAPACHELOG',
  'APACHEERRORLOG',
  'SYSLOG',
  'RFC3339SYSLOG',
] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The agent's data processing options (ProcessingUtilsFactory.DataConversionOption, plus ADDEC2METADATA). */
export const OPTION_NAMES = [
  'SINGLELINE',
  'CSVTOJSON',
  'LOGTOJSON',
  'ADDMETADATA',
  'ADDEC2METADATA',
  'ADDBRACKETS',
] as const;

/** What ADDEC2METADATA can add (AddEC2MetadataConverter's metadataFields). */
export const EC2_METADATA_FIELDS = [
  'privateIp',
  'availabilityZone',
  'availabilityZoneInitial',
  'instanceId',
  'instanceName',
  'instanceType',
  'accountId',
  'amiId',
  'region',
  'metadataTimestamp',
  'tags',
] as const;

/** Kinesis PutRecords and Firehose PutRecordBatch limits that bound a flow's settings. */
export const DESTINATION_LIMITS = {
  kinesis: PUT_RECORDS_LIMITS,
  firehose: PUT_RECORD_BATCH_LIMITS,
} as const;

const MAX_INT = 2 ** 31 - 1;
const MAX_MILLIS = 3_600_000;

/** Values that mean "not set" in agent configurations (the shipped one has `"kinesis.endpoint": ""`). */
export const isUnset = (value: unknown) => value === undefined || value === null || value === '';

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (isUnset(value) ? undefined : value), schema.optional());

const text = (what = 'a string') =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`) });

/** A whole number in range; like the Java agent, numbers written as strings are read too. */
export const wholeNumber = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
};

/** true or false, also written as a string (the Java agent's BooleanConverter). */
const flag = () =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^(true|false)$/i.test(value) ? /^true$/i.test(value) : value),
    z.boolean({ error: 'must be true or false' }),
  );

const orList = (values: readonly string[]) =>
  values.length <= 2 ? values.join(' or ') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;

/** One of `values`, in any letter case. */
const choice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.toUpperCase() : value),
    z.enum(values, {
      error: (issue) =>
        issue.input === undefined ? `is required (${orList(values)})` : `must be ${orList(values)}`,
    }),
  );

const fieldNames = () =>
  z
    .array(z.string().min(1), {
      error: (issue) =>
        issue.input === undefined
          ? 'is required (the field names, in order)'
          : 'must be a list of field names',
    })
    .min(1, { error: 'must be a list of field names' });

const jsonFormat = optional(choice(['COMPACT', 'PRETTYPRINT']));
const logParser = {
  matchPattern: optional(text()),
  customFieldNames: optional(fieldNames()),
  jsonFormat,
};

export const OPTION_SCHEMAS = {
  SINGLELINE: z.strictObject({ optionName: z.literal('SINGLELINE') }),
  ADDBRACKETS: z.strictObject({ optionName: z.literal('ADDBRACKETS') }),
  CSVTOJSON: z.strictObject({
    optionName: z.literal('CSVTOJSON'),
    customFieldNames: fieldNames(),
    delimiter: optional(text()),
    jsonFormat,
  }),
  LOGTOJSON: z.strictObject({
    optionName: z.literal('LOGTOJSON'),
    logFormat: choice(LOG_FORMATS),
    ...logParser,
    /** log-agent's own: what to do with a line the format does not match (the Java agent skips it). */
    malformedLines: optional(choice(['SKIP', 'SEND_RAW'])),
  }),
  ADDMETADATA: z.strictObject({
    optionName: z.literal('ADDMETADATA'),
    metadata: z.unknown().optional(),
    timestamp: optional(flag()),
    jsonFormat,
  }),
  ADDEC2METADATA: z.strictObject({
    optionName: z.literal('ADDEC2METADATA'),
    logFormat: optional(choice(LOG_FORMATS)),
    ...logParser,
    metadataTTL: optional(wholeNumber(1, MAX_INT)),
    metadataFields: optional(
      z.array(z.enum(EC2_METADATA_FIELDS, { error: `must list ${orList(EC2_METADATA_FIELDS)}` })),
    ),
    metadataPrefix: optional(z.string({ error: 'must be a string' })),
  }),
} as const;

const processingOption = z.preprocess(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { optionName?: unknown }).optionName === 'string'
      ? { ...value, optionName: (value as { optionName: string }).optionName.toUpperCase() }
      : value,
  z.discriminatedUnion(
    'optionName',
    Object.values(OPTION_SCHEMAS) as never,
  ) as unknown as z.ZodType<ProcessingOptionInput>,
);

export type ProcessingOptionInput = {
  [K in keyof typeof OPTION_SCHEMAS]: z.output<(typeof OPTION_SCHEMAS)[K]>;
}[keyof typeof OPTION_SCHEMAS];

export const FLOW_SCHEMA = z.strictObject({
  filePattern: text(),
  kinesisStream: optional(text()),
  deliveryStream: optional(text()),
  partitionKeyOption: optional(choice(['RANDOM', 'DETERMINISTIC'])),
  initialPosition: optional(choice(['START_OF_FILE', 'END_OF_FILE'])),
  maxBufferAgeMillis: optional(wholeNumber(1_000, 900_000)),
  maxBufferSizeRecords: optional(wholeNumber(1, DESTINATION_LIMITS.kinesis.maxRecords)),
  maxBufferSizeBytes: optional(wholeNumber(1, DESTINATION_LIMITS.kinesis.maxRequestBytes)),
  minTimeBetweenFilePollsMillis: optional(wholeNumber(1, MAX_MILLIS)),
  retryInitialBackoffMillis: optional(wholeNumber(0, MAX_MILLIS)),
  retryMaxBackoffMillis: optional(wholeNumber(0, MAX_MILLIS)),
  // An empty terminator is a choice (none), not "unset".
  truncatedRecordTerminator: z.preprocess((v) => (v === null ? undefined : v), text().optional()),
  maxRecordSizeBytes: optional(wholeNumber(1, DESTINATION_LIMITS.kinesis.maxRecordBytes)),
  aggregatedRecordSizeBytes: optional(wholeNumber(0, DESTINATION_LIMITS.kinesis.maxRecordBytes)),
  skipHeaderLines: optional(wholeNumber(0, MAX_INT)),
  multiLineStartPattern: optional(text()),
  fileFooterPattern: optional(text()),
  dataProcessingOptions: optional(z.array(processingOption, { error: 'must be a list of options' })),
  maxTimeBetweenFileTrackerRefreshMillis: optional(wholeNumber(0, MAX_INT)),
  publishQueueCapacity: optional(wholeNumber(1, MAX_INT)),
  waitOnFullPublishQueueMillis: optional(wholeNumber(0, MAX_INT)),
  waitOnEmptyPublishQueueMillis: optional(wholeNumber(0, MAX_INT)),
  waitOnFullRetryQueueMillis: optional(wholeNumber(0, MAX_INT)),
  'log.emitInternalMetrics': optional(flag()),
});
export type FlowInput = z.output<typeof FLOW_SCHEMA>;

export const AGENT_SCHEMA = z.strictObject({
  checkpointFile: optional(text()),
  checkpointTimeToLiveDays: optional(wholeNumber(1, 3_650)),
  shutdownTimeoutMillis: optional(wholeNumber(0, MAX_MILLIS)),
  'log.statusReportingPeriodSeconds': optional(wholeNumber(1, 86_400)),
  'kinesis.endpoint': optional(text()),
  'kinesis.region': optional(text()),
  'firehose.endpoint': optional(text()),
  'cloudwatch.endpoint': optional(text()),
  'sts.endpoint': optional(text()),
  awsAccessKeyId: optional(text()),
  awsSecretAccessKey: optional(text()),
  assumeRoleARN: optional(text()),
  assumeRoleExternalId: optional(text()),
  'userDefinedCredentialsProvider.classname': optional(text()),
  'userDefinedCredentialsProvider.location': optional(text()),
  'cloudwatch.emitMetrics': optional(flag()),
  'cloudwatch.namespace': optional(text()),
  'cloudwatch.metricsBufferTimeMillis': optional(wholeNumber(1_000, 86_400_000)),
  'cloudwatch.metricsQueueSize': optional(wholeNumber(1, MAX_INT)),
  'cloudwatch.tagInstance': optional(flag()),
  connectionTimeoutMillis: optional(wholeNumber(1, MAX_MILLIS)),
  socketTimeoutMillis: optional(wholeNumber(1, MAX_MILLIS)),
  userAgent: optional(text()),
  userAgentOverride: optional(text()),
  'log.level': optional(text()),
  'log.file': optional(text()),
  'log.maxBackupIndex': optional(wholeNumber(-1, MAX_INT)),
  'log.maxFileSize': optional(wholeNumber(-1, Number.MAX_SAFE_INTEGER)),
  'log.emitMetrics': optional(flag()),
  'log.emitInternalMetrics': optional(flag()),
  maxSendingThreads: optional(wholeNumber(1, MAX_INT)),
  maxSendingThreadsPerCore: optional(wholeNumber(1, MAX_INT)),
  sendingThreadsKeepAliveMillis: optional(wholeNumber(0, Number.MAX_SAFE_INTEGER)),
  sendingThreadsMaxQueueSize: optional(wholeNumber(1, MAX_INT)),
  maxConnections: optional(wholeNumber(1, MAX_INT)),
  connectionTTLMillis: optional(wholeNumber(-1, Number.MAX_SAFE_INTEGER)),
  useTcpKeepAlive: optional(flag()),
  useHttpGzip: optional(flag()),
  flows: z.array(FLOW_SCHEMA, {
    error: (i) => (i.input === undefined ? 'is required' : 'must be a list of flows'),
  }),
});
export type AgentInput = z.output<typeof AGENT_SCHEMA>;

const LOGGING = 'log-agent writes its log to stderr, for the shell or the service manager (journald) to keep';
const THREADS = 'log-agent sends from one event loop, one request per flow at a time';
const HTTP = 'the AWS SDK for JavaScript manages its own HTTP connections';
const QUEUES = 'log-agent reads a bounded number of buffers ahead instead of queueing them';
const INTERNAL_METRICS =
  'log-agent reports its figures in its status lines (log.statusReportingPeriodSeconds)';

/**
 * Keys the Java agent reads that mean nothing here, each with the reason; they are accepted
 * and reported once. Keys in the schema but not here are applied.
 */
export const NO_EFFECT: { readonly agent: Record<string, string>; readonly flow: Record<string, string> } = {
  agent: {
    'log.level': LOGGING,
    'log.file': LOGGING,
    'log.maxBackupIndex': LOGGING,
    'log.maxFileSize': LOGGING,
    'log.emitMetrics': INTERNAL_METRICS,
    'log.emitInternalMetrics': INTERNAL_METRICS,
    maxSendingThreads: THREADS,
    maxSendingThreadsPerCore: THREADS,
    sendingThreadsKeepAliveMillis: THREADS,
    sendingThreadsMaxQueueSize: THREADS,
    maxConnections: HTTP,
    connectionTTLMillis: HTTP,
    useTcpKeepAlive: HTTP,
    useHttpGzip: HTTP,
    userAgentOverride: 'the AWS SDK always sends its own user agent (userAgent is added to it)',
    'userDefinedCredentialsProvider.classname':
      'a Java class cannot be loaded here, so credentials come from awsAccessKeyId/awsSecretAccessKey or the default chain (environment, profile, instance role)',
    'userDefinedCredentialsProvider.location':
      'a Java class cannot be loaded here, so credentials come from awsAccessKeyId/awsSecretAccessKey or the default chain (environment, profile, instance role)',
    'cloudwatch.metricsQueueSize': 'log-agent keeps one running sum per metric, so there is no queue',
    'cloudwatch.tagInstance': 'log-agent adds no instance dimension to its metrics',
  },
  flow: {
    maxTimeBetweenFileTrackerRefreshMillis: 'log-agent looks at the directory on every poll',
    publishQueueCapacity: QUEUES,
    waitOnFullPublishQueueMillis: QUEUES,
    waitOnEmptyPublishQueueMillis: QUEUES,
    waitOnFullRetryQueueMillis: QUEUES,
    'log.emitInternalMetrics': INTERNAL_METRICS,
  },
};
