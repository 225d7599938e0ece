import { Stack, type Duration, type Size } from 'aws-cdk-lib';
import { CfnTable, type CfnDatabase } from 'aws-cdk-lib/aws-glue';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Compression } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { S3Delivery } from './s3-delivery';
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
  public readonly deliveryStream: S3Delivery;
  public readonly processor: WildRydesFunction;
  public readonly logGroup: LogGroup;
  /** The Glue table over the CSV objects, when a database was given. */
  public readonly table?: CfnTable;

  constructor(scope: Construct, id: string, props: SensorDeliveryProps) {
    super(scope, id);
    this.processor = new WildRydesFunction(this, 'CsvFunction', {
      handlerDir: 'sensor-csv',
      description: 'Converts sensor alerts from JSON to CSV lines for Firehose',
    });
    const compression = props.compression ?? Compression.UNCOMPRESSED;
    // The bucket is shared (the data lake's): the delivery writes only its own prefixes.
    this.deliveryStream = new S3Delivery(this, 'Delivery', {
      source: props.source,
      bucket: props.bucket,
      dataOutputPrefix: `${SENSOR_ALERT_PREFIX}${SENSOR_ALERT_PARTITIONS}`,
      errorOutputPrefix: SENSOR_ERROR_PREFIX,
      compression,
      fileExtension: compression.value === Compression.UNCOMPRESSED.value ? '.csv' : undefined,
      bufferingInterval: props.bufferingInterval,
      bufferingSize: props.bufferingSize,
      transform: { function: this.processor },
    });
    this.logGroup = this.deliveryStream.logGroup;
    if (props.glueDatabase) {
      this.table = alertTable(this, props.glueDatabase, props.bucket, props.compression);
    }
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
