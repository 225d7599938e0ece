/**
 * The stacks' outputs: each key defined once, with its description. The stacks write them
 * through `lib/outputs.ts`; the local runtime, the workshop report, provisioning and the CLIs
 * read them by these keys, so renaming one is a type error everywhere it is used.
 */
export const STACK_OUTPUTS = {
  Region: 'Region of this deployment',
  StreamName: 'Unicorn telemetry stream (producers write here)',
  SummaryStreamName: 'Per-minute summaries stream',
  IdentityPoolId: 'Dashboard identity pool (guest access)',
  GuestRoleArn: 'Role the dashboard assumes as a guest',
  SummaryTableName: 'DynamoDB table of per-minute summaries',
  DataLakeBucketName: 'S3 bucket with the raw data',
  AthenaWorkGroup: 'Athena workgroup for querying the raw data',
  GlueTable: 'Glue table over the raw data',
  ProducerGroupName: 'IAM group allowed to run producers',
  SensorStreamName: 'IoT sensor readings (datagen writes here)',
  SensorAggregateTableName: '10-second per-sensor aggregates',
  SensorProducerGroupName: 'IAM group allowed to run sensor producers',
  AlarmTopicArn: 'Subscribe here for pipeline alarms',
  DashboardUrl: 'The Unicorn Dashboard (live map of the fleet)',
  WeblogStreamName: 'Stream the web server ships access logs to',
  WeblogBucketName: 'Bucket Firehose writes the access logs to',
  WeblogPrefix: 'Prefix of the access-log objects in the bucket',
  WeblogDirectDeliveryName: "Firehose delivery stream (Direct PUT) for the agent's deliveryStream flows",
  WeblogDirectPrefix: 'Prefix of the objects that delivery stream writes in the bucket',
  WebServerInstanceId: 'The web server (connect with Session Manager)',
  SessionCommand: 'A shell on the web server, without SSH',
  BrowseCommand: 'Then open http://localhost:8080/',
} as const;

export type OutputKey = keyof typeof STACK_OUTPUTS;

/** One stack's outputs as deployed (or as the local run resolved them). */
export type StackOutputs = Readonly<Partial<Record<OutputKey, string>>>;

/** Outputs of several stacks, by stack name (the CDK CLI's `--outputs-file` shape). */
export type OutputsByStack = Readonly<Record<string, StackOutputs>>;

export const isOutputKey = (key: string): key is OutputKey => Object.hasOwn(STACK_OUTPUTS, key);
