import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { CfnTable, type CfnDatabase } from 'aws-cdk-lib/aws-glue';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import {
  Compression,
  DeliveryStream,
  EnableLogging,
  KinesisStreamSource,
  LambdaFunctionProcessor,
  S3Bucket,
} from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeS3Delivery, deleteDeliveryLogStreams, deliveryBucket } from './firehose-delivery-helpers';
import { fixedPrefix } from '#core/firehose-prefix';
import { HOURLY_PARTITION_KEYS, hourlyProjection } from './hourly-partitions';
import { WildRydesFunction } from './wildrydes-function';

/** Hive-style hourly partitions by delivery time (UTC), as Athena expects. */
export const SENSOR_ALERT_PREFIX = 'sensor-alerts/';
export const SENSOR_ALERT_PARTITIONS =
  'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
export const SENSOR_ERROR_PREFIX =
  'sensor-errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';
/** The Glue table over the alert objects, in the data lake's database. */
export const SENSOR_ALERT_TABLE = 'sensor_alerts';

/**
 * The table's columns, in the order of the CSV fields (SENSOR_CSV_COLUMNS in core/sensor.ts);
 * Glue column names are lower case. `eventtimestamp` is milliseconds since the epoch.
 */
export const SENSOR_ALERT_COLUMNS: CfnTable.ColumnProperty[] = [
  { name: 'sensorid', type: 'string' },
  { name: 'eventtimestamp', type: 'bigint' },
  { name: 'ambienttemp', type: 'double' },
  { name: 'measuredtemp', type: 'double' },
  { name: 'status', type: 'string' },
];

export interface SensorDeliveryProps {
  /** The stream of readings that passed the filter. */
  readonly source: IStream;
  /** Where the CSV objects land. */
  readonly bucket: IBucket;
  /** @default 60 seconds */
  readonly bufferingInterval?: Duration;
  /** @default 5 MiB */
  readonly bufferingSize?: Size;
  /** @default uncompressed, so each object is a plain `.csv` file */
  readonly compression?: Compression;
  /**
   * The Glue database that gets a table over the alert objects (`sensor_alerts`), for Athena.
   * @default no table
   */
  readonly glueDatabase?: CfnDatabase;
}

/**
 * Firehose from the alert stream to S3, converting each JSON reading to a CSV line with a
 * Lambda processor (Firehose's built-in conversion only writes Parquet and ORC). Objects land
 * under `sensor-alerts/year=/month=/day=/hour=/` as `.csv`; records the processor cannot read
 * and failed deliveries go under `sensor-errors/`, and delivery errors are logged.
 */
export class SensorDelivery extends Construct {
  public readonly deliveryStream: DeliveryStream;
  public readonly processor: WildRydesFunction;
  public readonly logGroup: LogGroup;
  /** The Glue table over the CSV objects, when a database was given. */
  public readonly table?: CfnTable;

  constructor(scope: Construct, id: string, props: SensorDeliveryProps) {
    super(scope, id);
    const interval = props.bufferingInterval ?? Duration.seconds(60);
    const size = props.bufferingSize ?? Size.mebibytes(5);
    if (!interval.isUnresolved() && (interval.toSeconds() < 0 || interval.toSeconds() > 900)) {
      throw new Error(`Buffering interval must be 0 to 900 seconds, got ${interval.toSeconds()}`);
    }
    if (!size.isUnresolved() && (size.toMebibytes() < 1 || size.toMebibytes() > 128)) {
      throw new Error(`Buffering size must be 1 to 128 MiB, got ${size.toMebibytes()}`);
    }

    this.processor = new WildRydesFunction(this, 'CsvFunction', {
      handlerDir: 'sensor-csv',
      description: 'Converts sensor alerts from JSON to CSV lines for Firehose',
    });
    this.logGroup = new LogGroup(this, 'DeliveryLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The bucket is shared (the data lake's): Firehose may write only its own prefixes.
    const prefixes = [SENSOR_ALERT_PREFIX, fixedPrefix(SENSOR_ERROR_PREFIX)];
    this.deliveryStream = new DeliveryStream(this, 'Delivery', {
      source: new KinesisStreamSource(props.source),
      destination: new S3Bucket(deliveryBucket(props.bucket, prefixes), {
        dataOutputPrefix: `${SENSOR_ALERT_PREFIX}${SENSOR_ALERT_PARTITIONS}`,
        errorOutputPrefix: SENSOR_ERROR_PREFIX,
        compression: props.compression ?? Compression.UNCOMPRESSED,
        fileExtension:
          props.compression && props.compression !== Compression.UNCOMPRESSED ? undefined : '.csv',
        bufferingInterval: interval,
        bufferingSize: size,
        processors: [
          new LambdaFunctionProcessor(this.processor, {
            // Firehose hands the function up to 1 MiB or 60 s of records at a time.
            bufferSize: Size.mebibytes(1),
            bufferInterval: Duration.seconds(60),
            retries: 3,
          }),
        ],
        loggingConfig: new EnableLogging(this.logGroup),
      }),
    });
    deleteDeliveryLogStreams(this.logGroup);
    acknowledgeS3Delivery(this.deliveryStream, props.bucket, prefixes);
    if (props.glueDatabase) {
      this.table = alertTable(this, props.glueDatabase, props.bucket, props.compression);
    }
    const role = this.deliveryStream.node.findChild('S3 Destination Role');
    const stack = Stack.of(this);
    const fnArn = `<${stack.getLogicalId(this.processor.node.defaultChild as never)}.Arn>:*`;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${fnArn}]`,
      reason:
        'Firehose invokes any version of its own processor function; the grant is limited to that function.',
    });
  }
}

/**
 * The Glue table over the alert objects: CSV with RFC 4180 quoting, read with the Open CSV SerDe
 * (the SerDe Athena documents for values in double quotes; the Lazy Simple SerDe does not
 * unquote), no header line, the hourly partitions projected from the object keys.
 */
function alertTable(
  scope: Construct,
  database: CfnDatabase,
  bucket: IBucket,
  compression: Compression | undefined,
): CfnTable {
  const location = `s3://${bucket.bucketName}/${SENSOR_ALERT_PREFIX}`;
  const databaseName = (database.databaseInput as CfnDatabase.DatabaseInputProperty).name!;
  const gzip = compression !== undefined && compression !== Compression.UNCOMPRESSED;
  const table = new CfnTable(scope, 'AlertTable', {
    catalogId: Stack.of(scope).account,
    databaseName,
    tableInput: {
      name: SENSOR_ALERT_TABLE,
      description: 'Sensor readings that passed the temperature filter, as delivered by Firehose (CSV)',
      tableType: 'EXTERNAL_TABLE',
      partitionKeys: HOURLY_PARTITION_KEYS,
      parameters: {
        classification: 'csv',
        ...(gzip ? { compressionType: 'gzip' } : {}),
        ...hourlyProjection(location),
      },
      storageDescriptor: {
        location,
        columns: SENSOR_ALERT_COLUMNS,
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serdeInfo: {
          serializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
          parameters: { separatorChar: ',', quoteChar: '"', escapeChar: '\\' },
        },
      },
    },
  });
  table.node.addDependency(database);
  return table;
}
