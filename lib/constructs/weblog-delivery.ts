import { Duration, RemovalPolicy, Size, Token } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import {
  Compression,
  DeliveryStream,
  EnableLogging,
  KinesisStreamSource,
  S3Bucket,
  StreamEncryption as DeliveryStreamEncryption,
} from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, PRIVATE_REMOVABLE_BUCKET } from './buckets';
import { provisionedShards, STREAM_DEFAULTS } from './stream-defaults';
import { acknowledgeS3Delivery, deleteDeliveryLogStreams, deliveryBucket } from './firehose-delivery-helpers';
import { fixedPrefix } from '#core/firehose-prefix';

/** Hour partitions under the prefix, Hive style, as the data lake's. */
const PARTITIONS = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

export interface WeblogDeliveryProps {
  /** Name of the stream the web servers' agents write to. */
  readonly streamName: string;
  /** Name of the Direct PUT delivery stream the agents' `deliveryStream` flows write to. */
  readonly directDeliveryName: string;
  /**
   * Where access-log records land in the bucket, ending with `/`.
   * @default 'weblogs/'
   */
  readonly prefix?: string;
  /**
   * Where the Direct PUT delivery stream's records land in the bucket, ending with `/`.
   * @default 'weblogs-direct/'
   */
  readonly directPrefix?: string;
  /**
   * How long Firehose gathers records before writing an object.
   * @default 60 seconds, so a workshop sees its logs in S3 within a minute or two
   */
  readonly bufferingInterval?: Duration;
  /** @default 5 MiB */
  readonly bufferingSize?: Size;
}

const KEY_PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/;

function checkPrefix(prefix: string, what: string, example: string): void {
  if (!Token.isUnresolved(prefix) && !KEY_PREFIX.test(prefix)) {
    throw new Error(
      `${what} must be a relative S3 key prefix ending with "/", such as "${example}", got "${prefix}"`,
    );
  }
}

/** The error prefix beside a data prefix: `weblogs/` → `weblogs-errors/<error type>/<hour>/`. */
const errorPrefixOf = (prefix: string) =>
  `${prefix.slice(0, -1)}-errors/!{firehose:error-output-type}/${PARTITIONS}`;

/** What one delivery writes under: its data prefix and its error prefix's fixed part. */
const prefixesOf = (prefix: string) => [prefix, fixedPrefix(errorPrefixOf(prefix))];

/**
 * A GZIP delivery of log lines into `bucket` under `prefix` (its errors beside it), logging to
 * a group of its own (`logsId`); `finish` tidies the group and acknowledges the delivery once
 * the delivery stream exists. No delimiter processor: the agent ends every record with a newline.
 */
function gzipDelivery(
  scope: Construct,
  logsId: string,
  bucket: Bucket,
  prefix: string,
  props: Pick<WeblogDeliveryProps, 'bufferingInterval' | 'bufferingSize'>,
) {
  const logs = new LogGroup(scope, logsId, {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const prefixes = prefixesOf(prefix);
  const destination = new S3Bucket(deliveryBucket(bucket, prefixes), {
    dataOutputPrefix: `${prefix}${PARTITIONS}`,
    errorOutputPrefix: errorPrefixOf(prefix),
    compression: Compression.GZIP,
    bufferingInterval: props.bufferingInterval ?? Duration.seconds(60),
    bufferingSize: props.bufferingSize ?? Size.mebibytes(5),
    loggingConfig: new EnableLogging(logs),
  });
  const finish = (deliveryStream: DeliveryStream) => {
    deleteDeliveryLogStreams(logs);
    acknowledgeS3Delivery(deliveryStream, bucket, prefixes);
  };
  return { destination, finish };
}

/**
 * Web-server access logs from stream to S3: a one-shard `weblogs` stream (the Kinesis Agent
 * writes one JSON record per log line), and a Firehose delivery stream copying it, GZIP
 * compressed, under its own hour-partitioned prefix of its own bucket. Beside it, a Direct PUT
 * delivery stream for the agent's other destination (`deliveryStream` flows, PutRecordBatch),
 * into the same bucket under a prefix of its own.
 */
export class WeblogDelivery extends Construct {
  public readonly stream: Stream;
  public readonly bucket: Bucket;
  public readonly accessLogs: Bucket;
  public readonly deliveryStream: DeliveryStream;
  /** The prefix objects are written under (`weblogs/` by default). */
  public readonly prefix: string;
  /** The Direct PUT delivery stream (the agent's `deliveryStream` flows). */
  public readonly directDeliveryStream: DeliveryStream;
  /** The prefix its objects are written under (`weblogs-direct/` by default). */
  public readonly directPrefix: string;

  constructor(scope: Construct, id: string, props: WeblogDeliveryProps) {
    super(scope, id);
    const prefix = (this.prefix = props.prefix ?? 'weblogs/');
    const directPrefix = (this.directPrefix = props.directPrefix ?? 'weblogs-direct/');
    checkPrefix(prefix, 'Weblog prefix', 'weblogs/');
    checkPrefix(directPrefix, 'Weblog direct prefix', 'weblogs-direct/');
    if (!Token.isUnresolved(prefix) && !Token.isUnresolved(directPrefix)) {
      const owned = prefixesOf(prefix);
      const clash = prefixesOf(directPrefix).find((p) =>
        owned.some((o) => p.startsWith(o) || o.startsWith(p)),
      );
      if (clash !== undefined) {
        throw new Error(
          `Weblog direct prefix "${directPrefix}" overlaps the stream delivery's prefixes (${owned.join(', ')}): each delivery stream needs prefixes of its own`,
        );
      }
    }

    // One shard takes 1,000 lines a second: far more than a workshop web server writes.
    this.stream = new Stream(this, 'Stream', {
      ...STREAM_DEFAULTS,
      ...provisionedShards('Weblog stream', 1),
      streamName: props.streamName,
    });

    this.accessLogs = accessLogBucket(this);
    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_REMOVABLE_BUCKET,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'weblogs-bucket/',
    });

    const streamDelivery = gzipDelivery(this, 'DeliveryLogs', this.bucket, prefix, props);
    this.deliveryStream = new DeliveryStream(this, 'Delivery', {
      source: new KinesisStreamSource(this.stream),
      destination: streamDelivery.destination,
    });
    streamDelivery.finish(this.deliveryStream);

    // Direct PUT: the records arrive with PutRecordBatch, so Firehose keeps them itself until
    // they are written, encrypted with its own key (there is no source stream to encrypt them).
    const directDelivery = gzipDelivery(this, 'DirectDeliveryLogs', this.bucket, directPrefix, props);
    this.directDeliveryStream = new DeliveryStream(this, 'DirectDelivery', {
      deliveryStreamName: props.directDeliveryName,
      encryption: DeliveryStreamEncryption.awsOwnedKey(),
      destination: directDelivery.destination,
    });
    directDelivery.finish(this.directDeliveryStream);
  }
}
