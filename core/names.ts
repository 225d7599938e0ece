/**
 * Physical names of the resources other programs address by name: the producer and consumer
 * CLIs, the dashboard and the local runtime. Defined once here; the CDK app, handlers and CLIs
 * import them. With no prefix they are the workshop's own names.
 */

/** The workshop's stream and table names, used verbatim when no prefix is set. */
export const DEFAULT_NAMES = {
  telemetryStream: 'wildrydes',
  summaryStream: 'wildrydes-summary',
  summaryTable: 'UnicornSensorData',
  identityPool: 'wildrydes_dashboard',
  athenaWorkGroup: 'wildrydes',
  glueDatabase: 'wildrydes',
  glueTable: 'unicorn_status',
  /** Web-server access logs shipped by the log agent (optional stack). */
  weblogStream: 'weblogs',
  /**
   * A Firehose delivery stream (Direct PUT) beside it, for the agent's `deliveryStream` flows:
   * PutRecordBatch straight to S3, under a prefix of its own in the weblogs bucket.
   */
  weblogDirectDelivery: 'weblogs-direct',
  /** IoT sensor readings from the data generator. */
  sensorStream: 'sensor-data',
  /** Sensor readings that passed the temperature filter, delivered to S3 as CSV. */
  sensorAlertStream: 'sensor-alerts',
  /** Ten-second averages and counts per sensor. */
  sensorAggregateTable: 'SensorAggregates',
} as const;

export type ResourceNames = { readonly [K in keyof typeof DEFAULT_NAMES]: string };

/** Prefixes are short lowercase words so that every derived name stays valid for every service. */
const PREFIX_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

export function validatePrefix(prefix: string): void {
  if (prefix !== '' && (!PREFIX_PATTERN.test(prefix) || prefix.endsWith('-'))) {
    throw new Error(
      `Invalid name prefix "${prefix}": use 1-20 lowercase letters, digits or hyphens, starting with a letter.`,
    );
  }
}

/**
 * Names for one deployment. `prefix` keeps attendees who share an account apart
 * (`alice` gives `alice-wildrydes`); Glue, Athena and Cognito names allow no hyphen, so
 * those use an underscore.
 */
export function resourceNames(prefix = ''): ResourceNames {
  validatePrefix(prefix);
  if (prefix === '') return DEFAULT_NAMES;
  const underscored = prefix.replace(/-/g, '_');
  return {
    telemetryStream: `${prefix}-${DEFAULT_NAMES.telemetryStream}`,
    summaryStream: `${prefix}-${DEFAULT_NAMES.summaryStream}`,
    summaryTable: `${prefix}-${DEFAULT_NAMES.summaryTable}`,
    identityPool: `${underscored}_${DEFAULT_NAMES.identityPool}`,
    athenaWorkGroup: `${prefix}-${DEFAULT_NAMES.athenaWorkGroup}`,
    glueDatabase: `${underscored}_${DEFAULT_NAMES.glueDatabase}`,
    glueTable: DEFAULT_NAMES.glueTable,
    weblogStream: `${prefix}-${DEFAULT_NAMES.weblogStream}`,
    weblogDirectDelivery: `${prefix}-${DEFAULT_NAMES.weblogDirectDelivery}`,
    sensorStream: `${prefix}-${DEFAULT_NAMES.sensorStream}`,
    sensorAlertStream: `${prefix}-${DEFAULT_NAMES.sensorAlertStream}`,
    sensorAggregateTable: `${prefix}-${DEFAULT_NAMES.sensorAggregateTable}`,
  };
}

/** What a named resource is for: the keys of DEFAULT_NAMES. */
export type ResourceRole = keyof typeof DEFAULT_NAMES;

/**
 * The parts of the data flow that are found by what they do rather than by a name: the producers'
 * groups, the functions and delivery streams (whose roles act), the guest and web-server roles,
 * the alarm topic, the buckets. Marked in template metadata like the named resources, so the
 * data-flow table (system/data-flow.ts) finds each in any synthesized app.
 */
export const FLOW_PARTS = [
  'telemetryProducers',
  'sensorProducers',
  'aggregationFunction',
  'persistenceFunction',
  'sensorProcessingFunction',
  'sensorCsvFunction',
  'sensorDedupTable',
  'dataLakeDelivery',
  'sensorDelivery',
  'weblogDelivery',
  'dataLakeBucket',
  'weblogBucket',
  'dashboardGuestRole',
  'webServerRole',
  'alarmTopic',
] as const;
export type FlowPart = (typeof FLOW_PARTS)[number];

/** What a resource is in the system: a named resource's role, or a part of the data flow. */
export type SystemPart = ResourceRole | FlowPart;

/** The template metadata key that carries a resource's role (see `lib/roles.ts`). */
export const ROLE_METADATA = 'WildRydes::Role';

/**
 * The names `npm run verify` gives its probe records: a unicorn (and a sensor) no producer can
 * mistake for its own, since no real unicorn's name starts with this. The probes' DynamoDB
 * items are deleted once seen; the raw records stay in the data lake (objects hold real records
 * too), so queries that must not count them filter on this prefix:
 * `WHERE name NOT LIKE 'VerifyProbe-%'`.
 */
export const PROBE_NAME_PREFIX = 'VerifyProbe-';

/** A probe's name: the prefix and a run id. */
export const probeName = (runId: string): string => `${PROBE_NAME_PREFIX}${runId}`;

export const isProbeName = (name: string): boolean => name.startsWith(PROBE_NAME_PREFIX);
