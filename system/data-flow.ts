import { fixedPrefix } from '#core/firehose-prefix';
import { ROLE_METADATA, type SystemPart } from '#core/names';
import type { CfnResource, CfnTemplate } from './cloud-assembly';
import type { EvaluationRequest, Principal } from './iam-evaluator';
import type { Resolver } from './iam-model';

/**
 * Every data-flow edge of the system in one table: who (a producers' group, a function's
 * execution role, a delivery stream's source or destination role, the dashboard's guests, the
 * web server, CloudWatch itself) does what (the API actions the code really calls) to which
 * resource, and the accesses the system must NOT have (a guest writing, a function writing what
 * it only reads, a delivery stream touching another pipeline's objects). Parts are found by the
 * role marked in their template metadata (`WildRydes::Role`, lib/roles.ts), so the table holds
 * for any synthesized app: one deployment, a prefixed one, or a workshop's attendees.
 */

/** Who acts. */
export type Actor =
  /** A producers' group, a role, or the execution role of a function marked with `part`. */
  | { readonly part: SystemPart }
  /** A delivery stream's role: `source` reads its stream, `destination` writes its bucket. */
  | { readonly part: SystemPart; readonly side: 'source' | 'destination' }
  /** CloudWatch, for the account's alarms that notify the topic marked `topic`. */
  | { readonly service: 'cloudwatch.amazonaws.com'; readonly alarmsOf: SystemPart };

/** What is acted on. */
export type Target =
  /** The marked resource itself (its ARN). */
  | { readonly part: SystemPart }
  /** The on-failure queue of the function marked `part` (its event source mapping's destination). */
  | { readonly failureQueueOf: SystemPart }
  /** An object a delivery stream writes: in its bucket, under its data or error prefix. */
  | { readonly objectsOf: SystemPart; readonly under: 'data' | 'errors' }
  /** A delivery stream's bucket, listed under its data or error prefix (or with `prefix` given). */
  | { readonly bucketOf: SystemPart; readonly listing?: 'data' | 'errors' | 'none' }
  /** An object of the Athena workgroup's query results. */
  | { readonly queryResultsOf: SystemPart }
  /** Actions without resource-level permissions. */
  | { readonly everything: true };

export interface DataFlowEdge {
  /** `aggregation → wildrydes-summary`. */
  readonly name: string;
  readonly from: Actor;
  readonly actions: readonly string[];
  readonly to: Target;
  /** More request context (a condition key the action carries). */
  readonly context?: Readonly<Record<string, string>>;
  /** Where the system does it: the code or AWS service behaviour the actions come from. */
  readonly because: string;
}

/** What Lambda's Kinesis event source mapping calls with the function's execution role. */
export const EVENT_SOURCE_READ = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:ListShards',
  'kinesis:GetShardIterator',
  'kinesis:GetRecords',
];
/** What Firehose calls on a Kinesis source, with the delivery stream's source role (Firehose docs). */
export const FIREHOSE_SOURCE_READ = [
  'kinesis:DescribeStream',
  'kinesis:ListShards',
  'kinesis:GetShardIterator',
  'kinesis:GetRecords',
];
/** What Firehose does to the objects it writes to S3 (Firehose docs, S3 destination). */
export const FIREHOSE_OBJECT_ACTIONS = ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'];
/** What Firehose does on the bucket itself (Firehose docs, S3 destination). */
export const FIREHOSE_BUCKET_ACTIONS = ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'];

/** A delivery stream's edges: reading its Kinesis source (none for Direct PUT), writing its prefixes. */
const deliveryEdges = (
  label: string,
  part: SystemPart,
  source: SystemPart | 'DirectPut',
  code: string,
): DataFlowEdge[] => [
  ...(source === 'DirectPut'
    ? []
    : [
        {
          name: `${label} reads ${source}`,
          from: { part, side: 'source' as const },
          actions: FIREHOSE_SOURCE_READ,
          to: { part: source },
          because: `Firehose reads its Kinesis source (${code})`,
        },
      ]),
  ...(['data', 'errors'] as const).flatMap((under): DataFlowEdge[] => [
    {
      name: `${label} writes its ${under} prefix`,
      from: { part, side: 'destination' },
      actions: FIREHOSE_OBJECT_ACTIONS,
      to: { objectsOf: part, under },
      because: `Firehose delivers objects, and failed records, under its own prefixes (${code})`,
    },
    {
      name: `${label} lists its ${under} prefix`,
      from: { part, side: 'destination' },
      actions: ['s3:ListBucket'],
      to: { bucketOf: part, listing: under },
      because: 'Firehose lists its own prefix of the destination bucket',
    },
  ]),
  {
    name: `${label} finds its bucket and its uploads`,
    from: { part, side: 'destination' },
    actions: FIREHOSE_BUCKET_ACTIONS,
    to: { bucketOf: part },
    because: 'Firehose looks up the bucket region and its unfinished multipart uploads',
  },
];

/** Every access the system relies on. */
export const DATA_FLOW_EDGES: readonly DataFlowEdge[] = [
  {
    name: 'producers → wildrydes',
    from: { part: 'telemetryProducers' },
    actions: [
      'kinesis:PutRecord',
      'kinesis:PutRecords',
      'kinesis:DescribeStreamSummary',
      'kinesis:ListShards',
    ],
    to: { part: 'telemetryStream' },
    because: 'commands/producer.ts (DescribeStreamSummary, then PutRecords via core/put-records.ts)',
  },
  {
    name: 'sensor producers → sensor-data',
    from: { part: 'sensorProducers' },
    actions: [
      'kinesis:PutRecord',
      'kinesis:PutRecords',
      'kinesis:DescribeStreamSummary',
      'kinesis:ListShards',
    ],
    to: { part: 'sensorStream' },
    because: 'commands/datagen.ts (PutRecords via core/put-records.ts)',
  },
  {
    name: 'aggregation event source reads wildrydes',
    from: { part: 'aggregationFunction' },
    actions: EVENT_SOURCE_READ,
    to: { part: 'telemetryStream' },
    because: "Lambda's Kinesis event source mapping reads with the execution role",
  },
  {
    name: 'aggregation → wildrydes-summary',
    from: { part: 'aggregationFunction' },
    actions: ['kinesis:PutRecords'],
    to: { part: 'summaryStream' },
    because: 'lambda/aggregate-summaries (core/put-records.ts PutRecords)',
  },
  {
    name: 'aggregation → its failure queue',
    from: { part: 'aggregationFunction' },
    actions: ['sqs:SendMessage'],
    to: { failureQueueOf: 'aggregationFunction' },
    because: "lambda/shared/failure-queue.ts (SendMessageBatch) and Lambda's on-failure destination",
  },
  {
    name: 'persistence event source reads wildrydes-summary',
    from: { part: 'persistenceFunction' },
    actions: EVENT_SOURCE_READ,
    to: { part: 'summaryStream' },
    because: "Lambda's Kinesis event source mapping reads with the execution role",
  },
  {
    name: 'persistence → summary table',
    from: { part: 'persistenceFunction' },
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    to: { part: 'summaryTable' },
    because: 'lambda/persist-summaries/summary-store.ts (GetCommand, conditional PutCommand)',
  },
  {
    name: 'persistence → its failure queue',
    from: { part: 'persistenceFunction' },
    actions: ['sqs:SendMessage'],
    to: { failureQueueOf: 'persistenceFunction' },
    because: "lambda/shared/failure-queue.ts (SendMessageBatch) and Lambda's on-failure destination",
  },
  {
    name: 'sensor processing event source reads sensor-data',
    from: { part: 'sensorProcessingFunction' },
    actions: EVENT_SOURCE_READ,
    to: { part: 'sensorStream' },
    because: "Lambda's Kinesis event source mapping reads with the execution role",
  },
  {
    name: 'sensor processing → sensor-alerts',
    from: { part: 'sensorProcessingFunction' },
    actions: ['kinesis:PutRecords'],
    to: { part: 'sensorAlertStream' },
    because: 'lambda/sensor-processing (core/put-records.ts PutRecords)',
  },
  {
    name: 'sensor processing → dedup table',
    from: { part: 'sensorProcessingFunction' },
    actions: ['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem'],
    to: { part: 'sensorDedupTable' },
    because: 'lambda/sensor-processing/dedup-store.ts (BatchGetCommand, BatchWriteCommand)',
  },
  {
    name: 'sensor processing → aggregate table',
    from: { part: 'sensorProcessingFunction' },
    actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
    to: { part: 'sensorAggregateTable' },
    because: 'lambda/sensor-processing/aggregate-store.ts (UpdateCommand, GetCommand)',
  },
  {
    name: 'sensor processing → its failure queue',
    from: { part: 'sensorProcessingFunction' },
    actions: ['sqs:SendMessage'],
    to: { failureQueueOf: 'sensorProcessingFunction' },
    because: "lambda/shared/failure-queue.ts (SendMessageBatch) and Lambda's on-failure destination",
  },
  ...deliveryEdges(
    'data lake delivery',
    'dataLakeDelivery',
    'telemetryStream',
    'lib/constructs/data-lake.ts',
  ),
  ...deliveryEdges(
    'sensor delivery',
    'sensorDelivery',
    'sensorAlertStream',
    'lib/constructs/sensor-delivery.ts',
  ),
  {
    name: 'sensor delivery invokes the CSV function',
    from: { part: 'sensorDelivery', side: 'destination' },
    actions: ['lambda:InvokeFunction'],
    to: { part: 'sensorCsvFunction' },
    because: 'Firehose invokes its Lambda processor (lambda/sensor-csv) with the destination role',
  },
  {
    name: 'CloudWatch alarms → alarm topic',
    from: { service: 'cloudwatch.amazonaws.com', alarmsOf: 'alarmTopic' },
    actions: ['sns:Publish'],
    to: { part: 'alarmTopic' },
    because: "every alarm's alarm and OK actions (lib/constructs/pipeline-monitoring.ts)",
  },
  {
    name: 'dashboard guests read wildrydes',
    from: { part: 'dashboardGuestRole' },
    actions: ['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'],
    to: { part: 'telemetryStream' },
    because: 'dashboard/src/stream-reader.ts (core/shard-follower.ts)',
  },
  {
    name: 'web server log agent → weblogs',
    from: { part: 'webServerRole' },
    actions: ['kinesis:ListShards', 'kinesis:PutRecords'],
    to: { part: 'weblogStream' },
    because:
      'agent/sinks.ts (PutRecords), as the Kinesis Agent does on the instance; bin/log-agent.ts checks the stream with ListShards first',
  },
  {
    name: 'web server log agent → its metrics',
    from: { part: 'webServerRole' },
    actions: ['cloudwatch:PutMetricData'],
    to: { everything: true },
    context: { 'cloudwatch:namespace': 'AWSKinesisAgent' },
    because: 'agent/metrics.ts (PutMetricData in the agent namespace)',
  },
  ...deliveryEdges('weblog delivery', 'weblogDelivery', 'weblogStream', 'lib/constructs/weblog-delivery.ts'),
  {
    name: 'web server log agent → weblogs-direct',
    from: { part: 'webServerRole' },
    actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
    to: { part: 'weblogDirectDelivery' },
    because: "agent/sinks.ts (PutRecordBatch), the agent's deliveryStream flows",
  },
  ...deliveryEdges(
    'weblog direct delivery',
    'weblogDirectDelivery',
    'DirectPut',
    'lib/constructs/weblog-delivery.ts',
  ),
];

/** Accesses the system must not have: each is denied. */
export const NON_EDGES: readonly DataFlowEdge[] = [
  {
    name: 'guests cannot write wildrydes',
    from: { part: 'dashboardGuestRole' },
    actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
    to: { part: 'telemetryStream' },
    because: 'the public dashboard only reads',
  },
  {
    name: 'guests cannot read wildrydes-summary',
    from: { part: 'dashboardGuestRole' },
    actions: EVENT_SOURCE_READ,
    to: { part: 'summaryStream' },
    because: 'guests read the one telemetry stream',
  },
  {
    name: 'guests cannot read the summary table',
    from: { part: 'dashboardGuestRole' },
    actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
    to: { part: 'summaryTable' },
    because: 'guests read the one telemetry stream',
  },
  {
    name: 'aggregation cannot write what it reads',
    from: { part: 'aggregationFunction' },
    actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
    to: { part: 'telemetryStream' },
    because: 'it reads wildrydes and writes wildrydes-summary',
  },
  ...(['telemetryStream', 'summaryStream', 'sensorStream', 'sensorAlertStream'] as const).map(
    (stream): DataFlowEdge => ({
      name: `persistence cannot put records on ${stream}`,
      from: { part: 'persistenceFunction' },
      actions: ['kinesis:PutRecord', 'kinesis:PutRecords'],
      to: { part: stream },
      because: 'it writes only DynamoDB',
    }),
  ),
  {
    name: 'persistence cannot write the sensor tables',
    from: { part: 'persistenceFunction' },
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
    to: { part: 'sensorAggregateTable' },
    because: 'it writes only the summary table',
  },
  {
    name: 'sensor processing cannot write what it reads',
    from: { part: 'sensorProcessingFunction' },
    actions: ['kinesis:PutRecords'],
    to: { part: 'sensorStream' },
    because: 'it reads sensor-data and writes sensor-alerts',
  },
  {
    name: 'producers cannot read',
    from: { part: 'telemetryProducers' },
    actions: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
    to: { part: 'telemetryStream' },
    because: 'producers only put records',
  },
  {
    name: 'a delivery source role cannot write its stream',
    from: { part: 'dataLakeDelivery', side: 'source' },
    actions: ['kinesis:PutRecords'],
    to: { part: 'telemetryStream' },
    because: 'Firehose only reads its source',
  },
  ...(
    [
      ['data lake delivery', 'dataLakeDelivery', 'sensorDelivery'],
      ['sensor delivery', 'sensorDelivery', 'dataLakeDelivery'],
    ] as const
  ).flatMap(([label, part, other]): DataFlowEdge[] => [
    ...(['data', 'errors'] as const).map((under): DataFlowEdge => ({
      name: `${label} cannot touch the other pipeline's ${under} prefix`,
      from: { part, side: 'destination' },
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      to: { objectsOf: other, under },
      because: 'the bucket is shared; each delivery stream owns its prefixes',
    })),
    {
      name: `${label} cannot list the other pipeline's prefix`,
      from: { part, side: 'destination' },
      actions: ['s3:ListBucket'],
      to: { bucketOf: other, listing: 'data' },
      because: 'the bucket is shared; each delivery stream owns its prefixes',
    },
    {
      name: `${label} cannot list the whole bucket`,
      from: { part, side: 'destination' },
      actions: ['s3:ListBucket'],
      to: { bucketOf: part, listing: 'none' },
      because: 'the bucket is shared; each delivery stream owns its prefixes',
    },
    {
      name: `${label} cannot touch Athena's query results`,
      from: { part, side: 'destination' },
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      to: { queryResultsOf: 'athenaWorkGroup' },
      because: 'query results belong to the people querying',
    },
    {
      name: `${label} cannot delete what it delivered`,
      from: { part, side: 'destination' },
      actions: ['s3:DeleteObject'],
      to: { objectsOf: part, under: 'data' },
      because: 'Firehose never deletes; the data lake keeps every object',
    },
  ]),
  {
    name: 'the web server cannot write other streams',
    from: { part: 'webServerRole' },
    actions: ['kinesis:PutRecords'],
    to: { part: 'telemetryStream' },
    because: 'its agent ships access logs to weblogs only',
  },
  {
    name: 'the web server cannot put to other delivery streams',
    from: { part: 'webServerRole' },
    actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
    to: { part: 'weblogDelivery' },
    because: 'its deliveryStream flows go to weblogs-direct only',
  },
  ...(['data', 'errors'] as const).map((under): DataFlowEdge => ({
    name: `weblog direct delivery cannot touch the stream delivery's ${under} prefix`,
    from: { part: 'weblogDirectDelivery', side: 'destination' },
    actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
    to: { objectsOf: 'weblogDelivery', under },
    because: 'the bucket is shared; each delivery stream owns its prefixes',
  })),
  ...(['data', 'errors'] as const).map((under): DataFlowEdge => ({
    name: `weblog delivery cannot touch the direct delivery's ${under} prefix`,
    from: { part: 'weblogDelivery', side: 'destination' },
    actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
    to: { objectsOf: 'weblogDirectDelivery', under },
    because: 'the bucket is shared; each delivery stream owns its prefixes',
  })),
  {
    name: 'the web server cannot put metrics in other namespaces',
    from: { part: 'webServerRole' },
    actions: ['cloudwatch:PutMetricData'],
    to: { everything: true },
    context: { 'cloudwatch:namespace': 'AWS/Kinesis' },
    because: 'its metrics are the agent’s own',
  },
];

/** One stack of a synthesized system, as its template and the resolution of its intrinsics. */
export interface FlowStack {
  readonly template: CfnTemplate;
  readonly region: string;
  readonly resolver: Resolver;
}

export class DataFlowError extends Error {}

/** Sample values for a Firehose prefix expression's `!{…}` parts. */
const SAMPLE_EXPRESSIONS: Record<string, string> = {
  'timestamp:yyyy': '2026',
  'timestamp:MM': '11',
  'timestamp:dd': '30',
  'timestamp:HH': '12',
  'firehose:error-output-type': 'processing-failed',
};

/** A key Firehose could write under a prefix expression. */
export function sampleKey(expression: string): string {
  return `${expression.replace(/!\{([^}]+)\}/g, (_, name: string) => SAMPLE_EXPRESSIONS[name] ?? 'x')}sample-object`;
}

interface Found {
  readonly stack: FlowStack;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

/** The system's marked parts, resolved: where each edge's principal and resource are. */
export class SystemMap {
  constructor(private readonly stacks: readonly FlowStack[]) {}

  get accountId(): string {
    return this.stacks[0].resolver.accountId;
  }

  /** Whether the system has `part` (the weblogs stack is optional). */
  has(part: SystemPart): boolean {
    return this.all(part).length > 0;
  }

  private all(part: SystemPart): Found[] {
    return this.stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources ?? {})
        .filter(([, r]) => r.Metadata?.[ROLE_METADATA] === part)
        .map(([logicalId, resource]) => ({ stack, logicalId, resource })),
    );
  }

  private one(part: SystemPart): Found {
    const found = this.all(part);
    if (found.length !== 1) {
      throw new DataFlowError(`Expected one resource marked ${part}, found ${found.length}`);
    }
    return found[0];
  }

  private str(found: Found, value: unknown, where: string): string {
    return found.stack.resolver.string(value, `${found.logicalId}.${where}`);
  }

  /** What `Ref` or `Fn::GetAtt Arn` give for the marked resource. */
  arn(part: SystemPart): string {
    const found = this.one(part);
    const identity = found.stack.resolver.identity(found.logicalId);
    return identity.attributes.Arn ?? identity.attributes.TopicArn ?? identity.ref;
  }

  private s3Destination(part: SystemPart) {
    const found = this.one(part);
    const s3 = found.resource.Properties?.ExtendedS3DestinationConfiguration as Record<string, unknown>;
    if (!s3) throw new DataFlowError(`${part} has no S3 destination`);
    return { found, s3 };
  }

  principal(actor: Actor): Principal {
    if ('service' in actor) return { kind: 'service', service: actor.service };
    const found = this.one(actor.part);
    const p = found.resource.Properties ?? {};
    switch (found.resource.Type) {
      case 'AWS::IAM::Group':
        return { kind: 'group', groupArn: found.stack.resolver.identity(found.logicalId).attributes.Arn };
      case 'AWS::IAM::Role':
        return { kind: 'role', roleArn: found.stack.resolver.identity(found.logicalId).attributes.Arn };
      case 'AWS::Lambda::Function':
        return { kind: 'role', roleArn: this.str(found, p.Role, 'Role') };
      case 'AWS::KinesisFirehose::DeliveryStream': {
        const side = 'side' in actor ? actor.side : 'destination';
        const value =
          side === 'source'
            ? (p.KinesisStreamSourceConfiguration as { RoleARN?: unknown } | undefined)?.RoleARN
            : (p.ExtendedS3DestinationConfiguration as { RoleARN?: unknown } | undefined)?.RoleARN;
        return { kind: 'role', roleArn: this.str(found, value, `${side} RoleARN`) };
      }
      default:
        throw new DataFlowError(`${actor.part} (${found.resource.Type}) does not act`);
    }
  }

  /** The resources (with their context) `target` names. */
  resources(target: Target): { resource: string; context?: Record<string, string> }[] {
    if ('everything' in target) return [{ resource: '*' }];
    if ('part' in target) return [{ resource: this.arn(target.part) }];
    if ('failureQueueOf' in target) {
      const fn = this.one(target.failureQueueOf);
      const mappings = Object.entries(fn.stack.template.Resources ?? {}).filter(
        ([, r]) =>
          r.Type === 'AWS::Lambda::EventSourceMapping' &&
          JSON.stringify(r.Properties?.FunctionName ?? '').includes(`"${fn.logicalId}"`),
      );
      return mappings.map(([id, r]) => {
        const destination = (r.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } })
          ?.OnFailure?.Destination;
        if (destination === undefined) throw new DataFlowError(`${id} has no on-failure destination`);
        return { resource: fn.stack.resolver.string(destination, `${id}.DestinationConfig`) };
      });
    }
    if ('queryResultsOf' in target) {
      const found = this.one(target.queryResultsOf);
      const location = this.str(
        found,
        (
          found.resource.Properties?.WorkGroupConfiguration as {
            ResultConfiguration?: { OutputLocation?: unknown };
          }
        )?.ResultConfiguration?.OutputLocation,
        'OutputLocation',
      );
      return [{ resource: `arn:aws:s3:::${location.replace(/^s3:\/\//, '')}sample-query.csv` }];
    }
    const part = 'objectsOf' in target ? target.objectsOf : target.bucketOf;
    const { found, s3 } = this.s3Destination(part);
    const bucketArn = this.str(found, s3.BucketARN, 'BucketARN');
    const expression = (under: 'data' | 'errors') =>
      this.str(
        found,
        under === 'data' ? s3.Prefix : s3.ErrorOutputPrefix,
        under === 'data' ? 'Prefix' : 'ErrorOutputPrefix',
      );
    if ('objectsOf' in target) return [{ resource: `${bucketArn}/${sampleKey(expression(target.under))}` }];
    if (target.listing === undefined || target.listing === 'none') return [{ resource: bucketArn }];
    return [{ resource: bucketArn, context: { 's3:prefix': fixedPrefix(expression(target.listing)) } }];
  }

  /** The request context of `actor`: CloudWatch publishes for one of the topic's alarms. */
  private actorContexts(actor: Actor): Record<string, string>[] {
    if (!('service' in actor)) return [{}];
    const topic = this.one(actor.alarmsOf);
    const alarms = Object.entries(topic.stack.template.Resources ?? {}).filter(
      ([, r]) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(r.Properties?.AlarmActions ?? []).includes(`"${topic.logicalId}"`),
    );
    if (alarms.length === 0) throw new DataFlowError(`No alarm notifies ${actor.alarmsOf}`);
    return alarms.map(([id]) => ({
      'aws:SourceAccount': topic.stack.resolver.accountId,
      'aws:SourceArn': `arn:aws:cloudwatch:${topic.stack.region}:${topic.stack.resolver.accountId}:alarm:${
        topic.stack.resolver.identity(id).ref
      }`,
    }));
  }

  /**
   * The requests an edge makes: one per action, resource and context. `targets` names the
   * resources (another attendee's, for a cross-attendee check); `actors` the principal.
   */
  requests(edge: DataFlowEdge, targets: SystemMap = this): EvaluationRequest[] {
    const principal = this.principal(edge.from);
    const contexts = this.actorContexts(edge.from);
    return targets.resources(edge.to).flatMap(({ resource, context }) =>
      edge.actions.flatMap((action) =>
        contexts.map((actorContext) => ({
          principal,
          action,
          resource,
          context: { ...actorContext, ...edge.context, ...context },
        })),
      ),
    );
  }

  /** Whether every part `edge` names is in the system (the weblogs stack is optional). */
  covers(edge: DataFlowEdge): boolean {
    const parts: SystemPart[] = [];
    const from = edge.from;
    parts.push('service' in from ? from.alarmsOf : from.part);
    const to = edge.to;
    if ('part' in to) parts.push(to.part);
    if ('failureQueueOf' in to) parts.push(to.failureQueueOf);
    if ('objectsOf' in to) parts.push(to.objectsOf);
    if ('bucketOf' in to) parts.push(to.bucketOf);
    if ('queryResultsOf' in to) parts.push(to.queryResultsOf);
    return parts.every((part) => this.has(part));
  }
}
