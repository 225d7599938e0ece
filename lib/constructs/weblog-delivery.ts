import { Token, type Duration, type Size } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Compression } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, PRIVATE_REMOVABLE_BUCKET } from './buckets';
import { provisionedShards, STREAM_DEFAULTS } from './stream-defaults';
import { S3Delivery } from './s3-delivery';
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
  public readonly deliveryStream: S3Delivery;
  /** The prefix objects are written under (`weblogs/` by default). */
  public readonly prefix: string;
  /** The Direct PUT delivery stream (the agent's `deliveryStream` flows). */
  public readonly directDeliveryStream: S3Delivery;
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

    // GZIP log lines, no delimiter added: the agent ends every record with a newline.
    const delivery = (under: string) => ({
      bucket: this.bucket,
      dataOutputPrefix: `${under}${PARTITIONS}`,
      errorOutputPrefix: errorPrefixOf(under),
      compression: Compression.GZIP,
      bufferingInterval: props.bufferingInterval,
      bufferingSize: props.bufferingSize,
    });
    this.deliveryStream = new S3Delivery(this, 'Delivery', { ...delivery(prefix), source: this.stream });
    // Direct PUT: the agent's other destination, records arriving with PutRecordBatch.
    this.directDeliveryStream = new S3Delivery(this, 'DirectDelivery', {
      ...delivery(directPrefix),
      deliveryStreamName: props.directDeliveryName,
    });
  }
}
