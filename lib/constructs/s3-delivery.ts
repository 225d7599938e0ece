import { Duration, RemovalPolicy, Size, SizeRoundingBehavior, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import {
  AppendDelimiterToRecordProcessor,
  Compression,
  DeliveryStream,
  EnableLogging,
  KinesisStreamSource,
  LambdaFunctionProcessor,
  S3Bucket,
  StreamEncryption,
  type IDataProcessor,
} from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, LogStream, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { fixedPrefix } from '#core/firehose-prefix';
import { DELIVERY_BUFFERING_SECONDS } from '#core/settings';
import { acknowledgeFinding } from '../nag';

/** A Lambda function Firehose hands batches of records to before it writes them. */
export interface S3DeliveryTransform {
  /** The function; Firehose invokes any of its versions with the destination role. */
  readonly function: IFunction;
  /**
   * How much Firehose gathers before invoking the function.
   * @default 1 MiB, Firehose's default for S3 destinations
   */
  readonly bufferSize?: Size;
  /**
   * How long Firehose gathers before invoking the function.
   * @default 60 seconds, Firehose's default
   */
  readonly bufferInterval?: Duration;
}

export interface S3DeliveryProps {
  /**
   * The Kinesis stream Firehose reads.
   * @default none: a Direct PUT delivery stream (PutRecord, PutRecordBatch), which keeps the
   * records it holds encrypted with an AWS-owned key
   */
  readonly source?: IStream;
  /** @default a name CloudFormation generates */
  readonly deliveryStreamName?: string;
  /** Where objects land; the destination role may only use the two prefixes below in it. */
  readonly bucket: IBucket;
  /**
   * The objects' key prefix, an expression starting with a fixed folder (`raw/year=!{timestamp:yyyy}/`).
   */
  readonly dataOutputPrefix: string;
  /**
   * Where failed records land, an expression starting with a fixed folder of its own and
   * naming `!{firehose:error-output-type}` (Firehose requires it once the prefix has expressions).
   */
  readonly errorOutputPrefix: string;
  /**
   * How long Firehose gathers records before writing an object.
   * @default DELIVERY_BUFFERING_SECONDS (60), so a workshop sees its data in S3 within a minute or two
   */
  readonly bufferingInterval?: Duration;
  /**
   * How much Firehose gathers before writing an object.
   * @default 5 MiB, Firehose's default
   */
  readonly bufferingSize?: Size;
  /** @default GZIP: the objects are text, and Athena reads GZIP */
  readonly compression?: Compression;
  /** @default Firehose's own (none, or the compression's, such as `.gz`) */
  readonly fileExtension?: string;
  /**
   * Whether Firehose ends every record with a newline, making JSON Lines of bare JSON objects.
   * @default false: the records are written as they arrive
   */
  readonly appendNewline?: boolean;
  /** @default none */
  readonly transform?: S3DeliveryTransform;
}

/**
 * Firehose's documented ranges: `BufferingHints` in the API reference (0–900 s, 1–128 MiB) and
 * the data transformation guide for a Lambda processor's hints (0.2–3 MB, 0–900 s).
 */
const BUFFERING = { maxSeconds: 900, minMebibytes: 1, maxMebibytes: 128 };
const TRANSFORM_BUFFERING = { maxSeconds: 900, minMebibytes: 0.2, maxMebibytes: 3 };

/** What Firehose does on the bucket itself (AWS's documented S3 destination policy, bucket part). */
const BUCKET_ACTIONS = ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'];
/** What Firehose does with the objects it writes (the documented policy, object part). */
const OBJECT_ACTIONS = ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'];

/** The stacks whose Firehose CIDR mapping is acknowledged already: once a stack is enough. */
const acknowledgedMappings = new WeakSet<Stack>();

/**
 * A Firehose delivery stream into S3: from a Kinesis stream or Direct PUT, under a data prefix
 * and an error prefix of its own, its delivery errors logged to a group that goes with the
 * stack, its role limited to its two prefixes of the bucket, and the cdk-nag findings such a
 * stream raises acknowledged with their reasons.
 *
 * The log group sits beside the delivery stream, as `<id>Logs` in the same scope, so a
 * delivery keeps the logical IDs it was first deployed with.
 */
export class S3Delivery extends DeliveryStream {
  /** Where Firehose logs delivery errors. */
  public readonly logGroup: LogGroup;
  /** The fixed folders of the data and error prefixes: all the destination role may touch. */
  public readonly prefixes: readonly string[];

  constructor(scope: Construct, id: string, props: S3DeliveryProps) {
    const prefixes = [
      fixedFolder(props.dataOutputPrefix, 'Data prefix', 'raw/'),
      fixedFolder(props.errorOutputPrefix, 'Error prefix', 'errors/'),
    ];
    const [data, errors] = prefixes;
    if (data.startsWith(errors) || errors.startsWith(data)) {
      throw new Error(
        `Error prefix "${props.errorOutputPrefix}" and data prefix "${props.dataOutputPrefix}" must lie in separate folders, so failed records stay out of the data`,
      );
    }
    const bufferingInterval = props.bufferingInterval ?? Duration.seconds(DELIVERY_BUFFERING_SECONDS);
    const bufferingSize = props.bufferingSize ?? Size.mebibytes(5);
    checkBuffering('Buffering', bufferingInterval, bufferingSize, BUFFERING);
    const processors = processorsOf(props);
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      deliveryStreamName: props.deliveryStreamName,
      ...(props.source
        ? { source: new KinesisStreamSource(props.source) }
        : // Direct PUT: Firehose keeps the records itself until they are written, so it encrypts them.
          { encryption: StreamEncryption.awsOwnedKey() }),
      destination: new S3Bucket(prefixLimited(props.bucket, prefixes), {
        dataOutputPrefix: props.dataOutputPrefix,
        errorOutputPrefix: props.errorOutputPrefix,
        compression: props.compression ?? Compression.GZIP,
        fileExtension: props.fileExtension,
        bufferingInterval,
        bufferingSize,
        processors,
        // Delivery errors go to a group of our own: the construct's default one outlives the stack.
        loggingConfig: new EnableLogging(logGroup),
      }),
    });
    this.logGroup = logGroup;
    this.prefixes = prefixes;
    // The S3 destination adds its log stream with the default RETAIN policy; it goes with its group.
    for (const child of logGroup.node.children) {
      if (child instanceof LogStream) child.applyRemovalPolicy(RemovalPolicy.DESTROY);
    }
    this.acknowledge(props);
  }

  /**
   * The findings a delivery stream with one S3 destination raises, with their reasons: the CIDR
   * mapping the Firehose construct adds to its stack (W7001, once a stack), Firehose-side
   * encryption (KDF1), which cannot be set with a Kinesis source (Direct PUT sets it), and the
   * destination role's object and function grants (IAM5), limited to its own prefixes and its
   * own processor.
   */
  private acknowledge(props: S3DeliveryProps): void {
    const stack = Stack.of(this);
    if (!acknowledgedMappings.has(stack)) {
      acknowledgedMappings.add(stack);
      acknowledgeFinding(
        stack,
        'CloudFormation-Validate::W7001',
        'The Firehose construct adds a CIDR mapping used only by Redshift and HTTP destinations; ours is S3.',
      );
    }
    if (props.source)
      acknowledgeFinding(
        this,
        'AwsSolutions-KDF1',
        'Firehose server-side encryption can only be set for Direct PUT sources; with a Kinesis stream source the data stays in the stream, which is encrypted (aws/kinesis), and lands in an encrypted bucket.',
      );
    const role = this.node.findChild('S3 Destination Role');
    const logicalIdOf = (resource: { node: { defaultChild?: unknown } }) =>
      resource.node.defaultChild ? stack.getLogicalId(resource.node.defaultChild as CfnBucket) : undefined;
    const bucketId = logicalIdOf(props.bucket);
    for (const prefix of bucketId ? this.prefixes : []) {
      acknowledgeFinding(
        role,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        'Firehose names each object it writes (time partitions, a random suffix); the grant is limited to its own prefix of the one bucket.',
      );
    }
    const functionId = props.transform && logicalIdOf(props.transform.function);
    if (functionId)
      acknowledgeFinding(
        role,
        `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        'Firehose invokes any version of its own processor function; the grant is limited to that function.',
      );
  }
}

/** The fixed folder an S3 prefix expression starts with, which the role's grant is limited to. */
function fixedFolder(expression: string, what: string, example: string): string {
  const folder = fixedPrefix(expression);
  if (folder === '') {
    throw new Error(`${what} must start with a fixed folder such as "${example}", got "${expression}"`);
  }
  return folder;
}

interface BufferingLimits {
  readonly maxSeconds: number;
  readonly minMebibytes: number;
  readonly maxMebibytes: number;
}

/** Rejects buffering hints outside `limits`, naming the value received; tokens pass. */
function checkBuffering(what: string, interval: Duration, size: Size, limits: BufferingLimits): void {
  if (!interval.isUnresolved()) {
    const seconds = interval.toSeconds({ integral: false });
    if (!Number.isInteger(seconds)) {
      throw new Error(`${what} interval must be a whole number of seconds, got ${seconds}`);
    }
    if (seconds < 0 || seconds > limits.maxSeconds) {
      throw new Error(`${what} interval must be 0 to ${limits.maxSeconds} seconds, got ${seconds}`);
    }
  }
  if (!size.isUnresolved()) {
    const mebibytes = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    // Firehose's hints are whole MiB (and CDK writes whole MiB only).
    if (!Number.isInteger(mebibytes)) {
      throw new Error(`${what} size must be a whole number of MiB, got ${mebibytes}`);
    }
    if (mebibytes < limits.minMebibytes || mebibytes > limits.maxMebibytes) {
      throw new Error(
        `${what} size must be ${limits.minMebibytes} to ${limits.maxMebibytes} MiB, got ${mebibytes}`,
      );
    }
  }
}

/** The record processors `props` asks for: its function first, then the newline after each record. */
function processorsOf(props: S3DeliveryProps): IDataProcessor[] | undefined {
  const processors: IDataProcessor[] = [];
  if (props.transform) {
    const bufferInterval = props.transform.bufferInterval ?? Duration.seconds(60);
    const bufferSize = props.transform.bufferSize ?? Size.mebibytes(1);
    checkBuffering('Transform buffer', bufferInterval, bufferSize, TRANSFORM_BUFFERING);
    // Three retries, Firehose's default, written out so the template says what it does.
    processors.push(
      new LambdaFunctionProcessor(props.transform.function, { bufferInterval, bufferSize, retries: 3 }),
    );
  }
  if (props.appendNewline) processors.push(new AppendDelimiterToRecordProcessor());
  return processors.length > 0 ? processors : undefined;
}

/**
 * Grants `grantee` what Firehose needs to deliver into `bucket` under `prefixes` (its data and
 * error folders), and nothing beyond them: no delete, no read or write of other prefixes
 * (another pipeline's objects, Athena's query results), listing only under its own prefixes.
 */
function grantPrefixDelivery(bucket: IBucket, grantee: IGrantable, prefixes: readonly string[]): Grant {
  return Grant.addToPrincipal({ grantee, actions: BUCKET_ACTIONS, resourceArns: [bucket.bucketArn] })
    .combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
      }),
    )
    .combine(
      Grant.addToPrincipal({
        grantee,
        actions: OBJECT_ACTIONS,
        resourceArns: prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
    );
}

/**
 * `bucket` as the S3 destination should see it: the destination grants its role
 * `grantReadWrite` on the whole bucket (read, write and delete of every object); through this
 * view that grant is Firehose's own actions under `prefixes` only.
 */
function prefixLimited(bucket: IBucket, prefixes: readonly string[]): IBucket {
  return new Proxy(bucket, {
    get: (target, property, receiver) =>
      property === 'grantReadWrite'
        ? (grantee: IGrantable) => grantPrefixDelivery(target, grantee, prefixes)
        : Reflect.get(target, property, receiver),
  });
}
