import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readStackIam, type Resolver, type StackIam } from '../system/iam-model';
import { isOutputKey, type OutputKey, type StackOutputs } from '#core/outputs';
import {
  readAssemblyStacks,
  type AssemblyStack,
  type CfnResource,
  type CfnTemplate,
} from '../system/cloud-assembly';
import * as path from 'node:path';
import { readAlarmDefinition } from './metrics/alarm-definition';
import type { AlarmDefinition } from './metrics/alarms';
import { resolve, resolveString, type IntrinsicContext, type ResolvedResource } from '../system/intrinsics';

/**
 * The parts of a synthesized CDK app that the local runtime runs, read from the cloud assembly
 * (manifest.json and the CloudFormation templates it lists): streams, tables, buckets, queues,
 * the Lambda functions with their bundles and environment, the Kinesis event source mappings
 * and the Firehose delivery streams. Names and settings come only from the templates, so the
 * local run follows whatever the stacks declare.
 */

export const LOCAL_ACCOUNT = '000000000000';
export const DEFAULT_LOCAL_REGION = 'us-east-1';

export interface LocalStream {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** Provisioned shard count; an on-demand stream starts with 4 shards, as Kinesis does. */
  readonly shards: number;
}

export interface KeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

export interface LocalTable {
  readonly logicalId: string;
  readonly name: string;
  readonly keySchema: KeyElement[];
  readonly attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
}

export interface LocalBucket {
  readonly logicalId: string;
  readonly name: string;
}

export interface LocalQueue {
  readonly logicalId: string;
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface LocalFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** `file.export`, relative to codeDir. */
  readonly handler: string;
  /** The bundle folder in the assembly, or undefined when the code is not a local asset. */
  readonly codeDir?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Its execution role: the function runs with that role's credentials. */
  readonly roleArn?: string;
}

export interface LocalEventSource {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly streamLogicalId: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  readonly startingTimestamp?: number;
  readonly tumblingWindowSeconds?: number;
  readonly bisectOnError: boolean;
  /** -1: retry until the records expire, as Lambda does. */
  readonly maxRetries: number;
  /** -1: no age limit. */
  readonly maxRecordAgeSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly onFailureQueueLogicalId?: string;
  readonly enabled: boolean;
}

/** A processor parameter as the template declares it (intrinsics resolved). */
export interface ProcessorParameter {
  readonly ParameterName: string;
  readonly ParameterValue: string;
}

export type FirehoseProcessor =
  | {
      readonly type: 'AppendDelimiterToRecord';
      readonly delimiter: string;
      readonly parameters: readonly ProcessorParameter[];
    }
  | {
      readonly type: 'Lambda';
      readonly functionLogicalId: string;
      readonly parameters: readonly ProcessorParameter[];
    };

/** Where a delivery stream's records come from. */
export type DeliveryStreamType = 'DirectPut' | 'KinesisStreamAsSource';

export interface LocalDeliveryStream {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** `DirectPut`: PutRecord/PutRecordBatch; `KinesisStreamAsSource`: read from a Kinesis stream. */
  readonly type: DeliveryStreamType;
  /** The source stream, for `KinesisStreamAsSource`. */
  readonly sourceStreamLogicalId?: string;
  /** The role Firehose reads the source stream as. */
  readonly sourceRoleArn?: string;
  readonly bucketLogicalId: string;
  /** The destination's role: Firehose writes the bucket with it (and the local run reads the source with it too). */
  readonly roleArn?: string;
  readonly prefix: string;
  readonly errorPrefix: string;
  readonly bufferIntervalSeconds: number;
  readonly bufferSizeBytes: number;
  readonly compression: 'UNCOMPRESSED' | 'GZIP';
  readonly fileExtension?: string;
  readonly processors: FirehoseProcessor[];
  /**
   * Server-side encryption (DeliveryStreamEncryptionConfigurationInput, Direct PUT only): the
   * key Firehose encrypts the records it holds with. @default none
   */
  readonly encryption?: { readonly keyType: string; readonly keyArn?: string };
  /** The destination's CloudWatchLoggingOptions. */
  readonly logging?: {
    readonly enabled: boolean;
    readonly logGroupName?: string;
    readonly logStreamName?: string;
  };
}

export interface LocalStack {
  readonly stackName: string;
  readonly region: string;
  readonly streams: LocalStream[];
  readonly tables: LocalTable[];
  readonly buckets: LocalBucket[];
  readonly queues: LocalQueue[];
  readonly functions: LocalFunction[];
  readonly eventSources: LocalEventSource[];
  readonly deliveryStreams: LocalDeliveryStream[];
  /** The CloudWatch alarms, read from their properties (intrinsics resolved). */
  readonly alarms: AlarmDefinition[];
  /** The CloudWatch dashboards, with their bodies resolved. */
  readonly dashboards: LocalDashboard[];
  /** The stack's outputs, resolved. */
  readonly outputs: StackOutputs;
  /** Roles, groups, resource policies and identity pools. */
  readonly iam: StackIam;
  /** How the stack's intrinsics and resources resolve locally (for readers of the template). */
  readonly resolver: Resolver;
}

export interface LocalDashboard {
  readonly logicalId: string;
  readonly name: string;
  /** The DashboardBody JSON, as CloudWatch receives it. */
  readonly body: string;
}

export interface LocalEndpointsForPlan {
  /** Base URL of the SQS stand-in, used in queue URLs. */
  readonly sqs: string;
}

/** A UUID-shaped id that stays the same for the same input, as identity pool ids look. */
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A generated physical name as CloudFormation would make one, minus its random suffix. */
function generatedName(stackName: string, logicalId: string, max: number, lower = false): string {
  const name = `${stackName}-${logicalId}`.slice(0, max);
  return lower ? name.toLowerCase().replace(/[^a-z0-9.-]/g, '-') : name;
}

const num = (value: unknown, fallback: number) =>
  value === undefined || value === null ? fallback : Number(value);

/** A resource being given its local identity: where it is, and the names it may have. */
interface ResourceSite {
  readonly logicalId: string;
  readonly stackName: string;
  readonly region: string;
  readonly endpoints: LocalEndpointsForPlan;
  /** The property's value when the template gives it literally. */
  literal(property: string): string | undefined;
  /** The name CloudFormation generates, cut to `max` characters (`lower` for S3's rules). */
  generated(max: number, lower?: boolean): string;
  /** The name the template gives in `property`, else the generated one. */
  name(property: string, max: number, lower?: boolean): string;
  arn(service: string, rest: string): string;
}

type IdentityRule = (site: ResourceSite) => ResolvedResource;

/** A resource whose Ref is its name and whose Arn is `arn:aws:SERVICE:REGION:ACCOUNT:PREFIX<name>`. */
const namedWithArn =
  (property: string, max: number, service: string, prefix: string): IdentityRule =>
  (site) => {
    const name = site.name(property, max);
    return { ref: name, attributes: { Arn: site.arn(service, `${prefix}${name}`) } };
  };

/** How each resource type answers `Ref` and `Fn::GetAtt` locally (maximum name lengths as CloudFormation's). */
const LOCAL_IDENTITIES: Readonly<Record<string, IdentityRule>> = {
  'AWS::Kinesis::Stream': namedWithArn('Name', 128, 'kinesis', 'stream/'),
  'AWS::DynamoDB::Table': (site) => {
    const name = site.name('TableName', 255);
    return {
      ref: name,
      attributes: {
        Arn: site.arn('dynamodb', `table/${name}`),
        StreamArn: site.arn('dynamodb', `table/${name}/stream/local`),
      },
    };
  },
  'AWS::S3::Bucket': (site) => {
    const name = site.name('BucketName', 63, true);
    const { region } = site;
    return {
      ref: name,
      attributes: {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
        WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
      },
    };
  },
  'AWS::SQS::Queue': (site) => {
    const name = site.name('QueueName', 80);
    const url = `${site.endpoints.sqs}/${LOCAL_ACCOUNT}/${name}`;
    return { ref: url, attributes: { Arn: site.arn('sqs', name), QueueName: name, QueueUrl: url } };
  },
  'AWS::Lambda::Function': namedWithArn('FunctionName', 64, 'lambda', 'function:'),
  'AWS::KinesisFirehose::DeliveryStream': namedWithArn(
    'DeliveryStreamName',
    64,
    'firehose',
    'deliverystream/',
  ),
  'AWS::IAM::Role': (site) => {
    const name = site.name('RoleName', 64);
    return { ref: name, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`, RoleId: name } };
  },
  'AWS::Logs::LogGroup': (site) => {
    const name = site.literal('LogGroupName') ?? `/local/${site.generated(200)}`;
    return { ref: name, attributes: { Arn: site.arn('logs', `log-group:${name}:*`) } };
  },
  'AWS::CloudWatch::Alarm': namedWithArn('AlarmName', 255, 'cloudwatch', 'alarm:'),
  'AWS::CloudWatch::Dashboard': (site) => ({ ref: site.name('DashboardName', 255), attributes: {} }),
  'AWS::SNS::Topic': (site) => {
    const name = site.name('TopicName', 256);
    return { ref: site.arn('sns', name), attributes: { TopicArn: site.arn('sns', name), TopicName: name } };
  },
  'AWS::Cognito::IdentityPool': ({ region, stackName, logicalId }) => ({
    ref: `${region}:${stableUuid(`${stackName}/${logicalId}`)}`,
    attributes: { Name: logicalId },
  }),
  'AWS::IAM::Group': (site) => {
    const name = site.name('GroupName', 128);
    return { ref: name, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:group/${name}` } };
  },
  'AWS::IAM::ManagedPolicy': (site) => {
    const policyArn = `arn:aws:iam::${LOCAL_ACCOUNT}:policy/${site.name('ManagedPolicyName', 128)}`;
    return { ref: policyArn, attributes: { PolicyArn: policyArn } };
  },
};

/** Any other resource: a generated name, and an ARN in a `local` service. */
const otherIdentity: IdentityRule = (site) => {
  const name = site.generated(128);
  return { ref: name, attributes: { Arn: site.arn('local', name) } };
};

/** How a resource answers `Ref` and `Fn::GetAtt` locally, by its type's rule. */
function localIdentity(
  logicalId: string,
  resource: CfnResource,
  stackName: string,
  region: string,
  endpoints: LocalEndpointsForPlan,
): ResolvedResource {
  const p = resource.Properties ?? {};
  const literal = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : undefined);
  const generated = (max: number, lower = false) => generatedName(stackName, logicalId, max, lower);
  const site: ResourceSite = {
    logicalId,
    stackName,
    region,
    endpoints,
    literal,
    generated,
    name: (property, max, lower) => literal(property) ?? generated(max, lower),
    arn: (service, rest) => `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${rest}`,
  };
  const rule = Object.hasOwn(LOCAL_IDENTITIES, resource.Type)
    ? LOCAL_IDENTITIES[resource.Type]
    : otherIdentity;
  return rule(site);
}

export class AssemblyError extends Error {}

/**
 * One template being read: its resources with their local identities, intrinsic resolution, and
 * lookups by type, ARN and function reference. Every reader of a resource kind takes it.
 */
interface TemplateScope {
  readonly stackName: string;
  readonly ctx: IntrinsicContext;
  readonly identities: Readonly<Record<string, ResolvedResource>>;
  /** The resources of one type, as [logicalId, resource]. */
  of(type: string): [string, CfnResource][];
  /** The logical id of the resource of `type` whose ARN `arnValue` resolves to. */
  byArn(type: string, arnValue: unknown, where: string): string;
}

/** What a delivery stream's reader needs: the scope and the functions its processors name. */
interface DeliveryStreamContext extends TemplateScope {
  /** The logical id of the function a name or ARN refers to. */
  readonly functionByRef: (value: unknown, where: string) => string;
}

const props = (r: CfnResource) => r.Properties ?? {};

function templateScope(
  template: CfnTemplate,
  stackName: string,
  region: string,
  endpoints: LocalEndpointsForPlan,
): TemplateScope {
  const resources = template.Resources ?? {};
  const identities: Record<string, ResolvedResource> = {};
  for (const [id, resource] of Object.entries(resources)) {
    identities[id] = localIdentity(id, resource, stackName, region, endpoints);
  }
  const ctx: IntrinsicContext = { region, accountId: LOCAL_ACCOUNT, stackName, resources: identities };
  const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return {
    stackName,
    ctx,
    identities,
    of,
    byArn(type, arnValue, where) {
      const arnText = resolveString(arnValue, ctx, where);
      const match = of(type).find(([id]) => identities[id].attributes.Arn === arnText);
      if (!match) throw new AssemblyError(`${where}: ${arnText} is not a ${type} of stack ${stackName}`);
      return match[0];
    },
  };
}

function readStreams({ of, identities, ctx }: TemplateScope): LocalStream[] {
  return of('AWS::Kinesis::Stream').map(([id, r]) => {
    const mode = (props(r).StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode;
    return {
      logicalId: id,
      name: identities[id].ref,
      arn: identities[id].attributes.Arn,
      shards: mode === 'ON_DEMAND' ? 4 : num(resolve(props(r).ShardCount, ctx), 1),
    };
  });
}

function readTables({ of, identities }: TemplateScope): LocalTable[] {
  return of('AWS::DynamoDB::Table').map(([id, r]) => ({
    logicalId: id,
    name: identities[id].ref,
    keySchema: props(r).KeySchema as KeyElement[],
    attributeDefinitions: props(r).AttributeDefinitions as LocalTable['attributeDefinitions'],
  }));
}

function readQueues({ of, identities }: TemplateScope): LocalQueue[] {
  return of('AWS::SQS::Queue').map(([id]) => ({
    logicalId: id,
    name: identities[id].attributes.QueueName,
    url: identities[id].attributes.QueueUrl,
    arn: identities[id].attributes.Arn,
  }));
}

function readFunctions(
  { of, identities, ctx }: TemplateScope,
  assemblyDir: string,
  /** Asset folders by asset hash, from the assembly's asset manifests. */
  assetPaths: Readonly<Record<string, string>>,
): LocalFunction[] {
  return of('AWS::Lambda::Function').map(([id, r]) => {
    const p = props(r);
    // The bundle folder: named in the asset metadata when the CLI synthesized the app, and
    // always findable from the code's S3 key (the asset hash) in the asset manifest.
    const metadataPath = r.Metadata?.['aws:asset:path'];
    const s3Key = (p.Code as { S3Key?: unknown } | undefined)?.S3Key;
    const assetPath =
      typeof metadataPath === 'string'
        ? metadataPath
        : typeof s3Key === 'string'
          ? assetPaths[s3Key.replace(/\.zip$/, '')]
          : undefined;
    const codeDir = assetPath === undefined ? undefined : path.resolve(assemblyDir, assetPath);
    const variables = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const environment = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, resolveString(v, ctx, `${id}.Environment.${k}`)]),
    );
    return {
      logicalId: id,
      name: identities[id].ref,
      arn: identities[id].attributes.Arn,
      handler: typeof p.Handler === 'string' ? p.Handler : 'index.handler',
      codeDir: codeDir && existsSync(codeDir) ? codeDir : undefined,
      environment,
      timeoutSeconds: num(p.Timeout, 3),
      memoryMb: num(p.MemorySize, 128),
      ...(p.Role === undefined ? {} : { roleArn: resolveString(p.Role, ctx, `${id}.Role`) }),
    };
  });
}

/** The Kinesis event source mappings (other sources do not run locally). */
function readEventSources(scope: DeliveryStreamContext): LocalEventSource[] {
  const { of, byArn, functionByRef } = scope;
  return of('AWS::Lambda::EventSourceMapping')
    .filter(([, r]) => {
      const source = JSON.stringify(props(r).EventSourceArn ?? '');
      return (
        of('AWS::Kinesis::Stream').some(([id]) => source.includes(`"${id}"`)) || source.includes(':kinesis:')
      );
    })
    .map(([id, r]) => {
      const p = props(r);
      const destination = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
        ?.OnFailure?.Destination;
      const responseTypes = (p.FunctionResponseTypes as string[] | undefined) ?? [];
      return {
        logicalId: id,
        functionLogicalId: functionByRef(p.FunctionName, `${id}.FunctionName`),
        streamLogicalId: byArn('AWS::Kinesis::Stream', p.EventSourceArn, `${id}.EventSourceArn`),
        batchSize: num(p.BatchSize, 100),
        batchingWindowSeconds: num(p.MaximumBatchingWindowInSeconds, 0),
        startingPosition: (p.StartingPosition as LocalEventSource['startingPosition']) ?? 'LATEST',
        startingTimestamp:
          p.StartingPositionTimestamp === undefined ? undefined : Number(p.StartingPositionTimestamp),
        tumblingWindowSeconds:
          p.TumblingWindowInSeconds === undefined ? undefined : Number(p.TumblingWindowInSeconds),
        bisectOnError: p.BisectBatchOnFunctionError === true,
        maxRetries: num(p.MaximumRetryAttempts, -1),
        maxRecordAgeSeconds: num(p.MaximumRecordAgeInSeconds, -1),
        reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
        onFailureQueueLogicalId:
          destination === undefined
            ? undefined
            : byArn('AWS::SQS::Queue', destination, `${id}.DestinationConfig`),
        enabled: p.Enabled !== false,
      };
    });
}

/** The template's alarms, their properties resolved. */
function readAlarms({ of, identities, ctx }: TemplateScope) {
  return of('AWS::CloudWatch::Alarm').map(([id, r]) =>
    readAlarmDefinition(
      id,
      identities[id].ref,
      identities[id].attributes.Arn,
      resolve(props(r), ctx, id) as Record<string, unknown>,
    ),
  );
}

/** The template's CloudWatch dashboards, their bodies resolved. */
function readDashboards({ of, identities, ctx }: TemplateScope): LocalDashboard[] {
  return of('AWS::CloudWatch::Dashboard').map(([id, r]) => ({
    logicalId: id,
    name: identities[id].ref,
    body: resolveString(props(r).DashboardBody, ctx, `${id}.DashboardBody`),
  }));
}

/** The outputs named in core/outputs.ts, resolved; one built from what does not run locally is left out. */
function readOutputs(template: CfnTemplate, { ctx }: TemplateScope): StackOutputs {
  const outputs: Partial<Record<OutputKey, string>> = {};
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    if (!isOutputKey(key)) continue;
    try {
      outputs[key] = resolveString(output.Value, ctx, `Outputs.${key}`);
    } catch {
      // An output built from something not run locally is simply not shown.
    }
  }
  return outputs;
}

/** Reads one stack template of the assembly into what the local runtime runs. */
export function readStack(
  template: CfnTemplate,
  stackName: string,
  region: string,
  assemblyDir: string,
  endpoints: LocalEndpointsForPlan,
  /** Asset folders by asset hash, from the assembly's asset manifests. */
  assetPaths: Readonly<Record<string, string>> = {},
): LocalStack {
  const scope = templateScope(template, stackName, region, endpoints);
  const { of, identities, ctx } = scope;
  const functions = readFunctions(scope, assemblyDir, assetPaths);
  const functionByRef = (value: unknown, where: string): string => {
    const ref = resolveString(value, ctx, where);
    const match = functions.find(
      (f) => f.name === ref || f.arn === ref || ref.endsWith(`:function:${f.name}`),
    );
    if (!match) throw new AssemblyError(`${where}: function ${ref} is not in stack ${stackName}`);
    return match.logicalId;
  };
  const withFunctions: DeliveryStreamContext = { ...scope, functionByRef };
  const resolver: Resolver = {
    accountId: LOCAL_ACCOUNT,
    value: (value, where) => resolve(value, ctx, where),
    string: (value, where) => resolveString(value, ctx, where),
    identity: (logicalId) => identities[logicalId],
  };
  return {
    stackName,
    region,
    iam: readStackIam(template.Resources ?? {}, resolver),
    resolver,
    streams: readStreams(scope),
    tables: readTables(scope),
    buckets: of('AWS::S3::Bucket').map(([id]) => ({ logicalId: id, name: identities[id].ref })),
    queues: readQueues(scope),
    functions,
    eventSources: readEventSources(withFunctions),
    deliveryStreams: of('AWS::KinesisFirehose::DeliveryStream')
      .filter(([, r]) =>
        ['DirectPut', 'KinesisStreamAsSource', undefined].includes(
          props(r).DeliveryStreamType as string | undefined,
        ),
      )
      .map(([id, r]) => readDeliveryStream(id, props(r), identities[id], withFunctions)),
    alarms: readAlarms(scope),
    dashboards: readDashboards(scope),
    outputs: readOutputs(template, scope),
  };
}

type ProcessingConfiguration = {
  Enabled?: boolean;
  Processors?: { Type: string; Parameters?: { ParameterName: string; ParameterValue: unknown }[] }[];
};

function readProcessors(
  id: string,
  processing: ProcessingConfiguration | undefined,
  { ctx, functionByRef }: DeliveryStreamContext,
): FirehoseProcessor[] {
  if (processing?.Enabled === false) return [];
  return (processing?.Processors ?? []).map((processor) => {
    const parameters = (processor.Parameters ?? []).map((x) => ({
      ParameterName: x.ParameterName,
      ParameterValue: resolveString(x.ParameterValue, ctx, `${id}.Processors.${x.ParameterName}`),
    }));
    const param = (name: string) => parameters.find((x) => x.ParameterName === name)?.ParameterValue;
    if (processor.Type === 'AppendDelimiterToRecord') {
      const delimiter = param('Delimiter');
      return {
        type: 'AppendDelimiterToRecord' as const,
        delimiter: delimiter === undefined ? '\n' : JSON.parse(`"${delimiter}"`),
        parameters,
      };
    }
    if (processor.Type === 'Lambda') {
      const functionLogicalId = functionByRef(
        processor.Parameters?.find((x) => x.ParameterName === 'LambdaArn')?.ParameterValue,
        `${id}.Processors`,
      );
      return { type: 'Lambda' as const, functionLogicalId, parameters };
    }
    throw new AssemblyError(`${id}: Firehose processor ${processor.Type} is not supported locally`);
  });
}

/** One delivery stream with an S3 destination, fed by a Kinesis stream or by direct puts. */
function readDeliveryStream(
  id: string,
  p: Record<string, unknown>,
  identity: ResolvedResource,
  context: DeliveryStreamContext,
): LocalDeliveryStream {
  const { ctx, byArn } = context;
  const type = (p.DeliveryStreamType as DeliveryStreamType | undefined) ?? 'DirectPut';
  const source = p.KinesisStreamSourceConfiguration as { KinesisStreamARN: unknown; RoleARN?: unknown };
  const s3 = (p.ExtendedS3DestinationConfiguration ?? p.S3DestinationConfiguration) as
    Record<string, unknown> | undefined;
  if (!s3) throw new AssemblyError(`${id}: only S3 destinations run locally`);
  const hints = (s3.BufferingHints ?? {}) as { IntervalInSeconds?: number; SizeInMBs?: number };
  const text = (value: unknown, where: string) =>
    value === undefined ? undefined : resolveString(value, ctx, `${id}.${where}`);
  const encryption = p.DeliveryStreamEncryptionConfigurationInput as
    { KeyType?: unknown; KeyARN?: unknown } | undefined;
  const logging = s3.CloudWatchLoggingOptions as
    { Enabled?: boolean; LogGroupName?: unknown; LogStreamName?: unknown } | undefined;
  return {
    logicalId: id,
    name: identity.ref,
    arn: identity.attributes.Arn,
    type,
    ...(type === 'KinesisStreamAsSource'
      ? {
          sourceStreamLogicalId: byArn(
            'AWS::Kinesis::Stream',
            source.KinesisStreamARN,
            `${id}.KinesisStreamARN`,
          ),
          sourceRoleArn: text(source.RoleARN, 'KinesisStreamSourceConfiguration.RoleARN'),
        }
      : {}),
    bucketLogicalId: byArn('AWS::S3::Bucket', s3.BucketARN, `${id}.BucketARN`),
    roleArn: text(s3.RoleARN, 'RoleARN'),
    prefix: text(s3.Prefix, 'Prefix') ?? '',
    errorPrefix: text(s3.ErrorOutputPrefix, 'ErrorOutputPrefix') ?? '',
    bufferIntervalSeconds: num(hints.IntervalInSeconds, 300),
    bufferSizeBytes: num(hints.SizeInMBs, 5) * 1024 * 1024,
    compression: s3.CompressionFormat === 'GZIP' ? 'GZIP' : 'UNCOMPRESSED',
    fileExtension: typeof s3.FileExtension === 'string' ? s3.FileExtension : undefined,
    processors: readProcessors(
      id,
      s3.ProcessingConfiguration as ProcessingConfiguration | undefined,
      context,
    ),
    ...(encryption?.KeyType !== undefined
      ? {
          encryption: {
            keyType: String(encryption.KeyType),
            ...(encryption.KeyARN === undefined
              ? {}
              : { keyArn: text(encryption.KeyARN, 'DeliveryStreamEncryptionConfigurationInput.KeyARN') }),
          },
        }
      : {}),
    logging: logging && {
      enabled: logging.Enabled === true,
      logGroupName: text(logging.LogGroupName, 'CloudWatchLoggingOptions.LogGroupName'),
      logStreamName: text(logging.LogStreamName, 'CloudWatchLoggingOptions.LogStreamName'),
    },
  };
}

/**
 * Reads every stack of a cloud assembly, including those of nested assemblies (CDK stages), in
 * the order the manifest lists them.
 */
export function readAssembly(assemblyDir: string, endpoints: LocalEndpointsForPlan): LocalStack[] {
  let stacks: AssemblyStack[];
  try {
    stacks = readAssemblyStacks(assemblyDir);
  } catch (error) {
    throw new AssemblyError((error as Error).message);
  }
  return stacks.map((stack) =>
    readStack(
      stack.template,
      stack.stackName,
      stack.region ?? DEFAULT_LOCAL_REGION,
      stack.directory,
      endpoints,
      stack.assetPaths,
    ),
  );
}
