import { HOURLY_PARTITION_KEYS, hourlyProjection } from './hourly-partitions';
import { Stack, type Duration, type Size } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, PRIVATE_REMOVABLE_BUCKET } from './buckets';
import { S3Delivery } from './s3-delivery';
import { UNICORN_STATUS_FIELDS } from '#core/telemetry';

/** Where delivered objects land, partitioned by delivery hour (UTC), Hive style for Athena. */
export const RAW_PREFIX = 'raw/';
export const RAW_PARTITIONS =
  'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
export const ERROR_PREFIX =
  'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/';
export const QUERY_RESULTS_PREFIX = 'athena-results/';

export interface DataLakeProps {
  /** The stream whose records are kept. */
  readonly source: IStream;
  readonly glueDatabaseName: string;
  readonly glueTableName: string;
  readonly athenaWorkGroupName: string;
  /**
   * How long Firehose gathers records before writing an object.
   * @default 60 seconds, so a workshop sees its data in S3 within a minute or two
   */
  readonly bufferingInterval?: Duration;
  /** @default 5 MiB */
  readonly bufferingSize?: Size;
}

/** Glue column type for each schema field type. */
const GLUE_TYPES = { string: 'string', double: 'double', int: 'int' } as const;

/**
 * The raw-data lake: Firehose copies every record of the stream, one JSON object per line,
 * GZIP-compressed, into an hour-partitioned prefix of an S3 bucket; a Glue table over that
 * prefix (partition projection, no crawler) and an Athena workgroup make it queryable in SQL.
 */
export class DataLake extends Construct {
  public readonly bucket: Bucket;
  public readonly accessLogs: Bucket;
  public readonly deliveryStream: S3Delivery;
  public readonly database: CfnDatabase;
  public readonly table: CfnTable;
  public readonly workGroup: CfnWorkGroup;

  constructor(scope: Construct, id: string, props: DataLakeProps) {
    super(scope, id);
    this.accessLogs = accessLogBucket(this);
    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_REMOVABLE_BUCKET,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'data-lake/',
    });
    // Every record of the source, JSON Lines (producers send bare JSON objects), GZIP.
    this.deliveryStream = new S3Delivery(this, 'Delivery', {
      source: props.source,
      bucket: this.bucket,
      dataOutputPrefix: `${RAW_PREFIX}${RAW_PARTITIONS}`,
      errorOutputPrefix: ERROR_PREFIX,
      bufferingInterval: props.bufferingInterval,
      bufferingSize: props.bufferingSize,
      appendNewline: true,
    });

    const { account } = Stack.of(this);
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: props.glueDatabaseName, description: 'Wild Rydes raw unicorn telemetry' },
    });
    this.table = rawTable(this, {
      catalogId: account,
      databaseName: props.glueDatabaseName,
      tableName: props.glueTableName,
      location: `s3://${this.bucket.bucketName}/${RAW_PREFIX}`,
    });
    this.table.node.addDependency(this.database);
    this.workGroup = queryWorkGroup(this, props.athenaWorkGroupName, this.bucket);
  }
}

interface RawTableProps {
  readonly catalogId: string;
  readonly databaseName: string;
  readonly tableName: string;
  /** The raw prefix's S3 URL, ending in `/`. */
  readonly location: string;
}

/** The Glue table over the raw prefix: one column per unicorn status field, hourly partitions. */
function rawTable(scope: Construct, props: RawTableProps): CfnTable {
  return new CfnTable(scope, 'Table', {
    catalogId: props.catalogId,
    databaseName: props.databaseName,
    tableInput: {
      name: props.tableName,
      description: 'Unicorn status records as delivered by Firehose (JSON Lines, GZIP)',
      tableType: 'EXTERNAL_TABLE',
      partitionKeys: HOURLY_PARTITION_KEYS,
      parameters: {
        classification: 'json',
        compressionType: 'gzip',
        // Partition projection: Athena computes partitions from the prefix, no crawler needed.
        ...hourlyProjection(props.location),
      },
      storageDescriptor: {
        location: props.location,
        columns: UNICORN_STATUS_FIELDS.map((field) => ({
          name: field.name.toLowerCase(),
          type: GLUE_TYPES[field.type],
        })),
        inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
        serdeInfo: {
          serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
          // A malformed line is skipped by queries instead of failing them.
          parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
        },
      },
    },
  });
}

/** The Athena workgroup for the lake: results under their own prefix of the bucket, a cap per query. */
function queryWorkGroup(scope: Construct, name: string, bucket: Bucket): CfnWorkGroup {
  return new CfnWorkGroup(scope, 'WorkGroup', {
    name,
    description: 'Queries over the Wild Rydes data lake',
    // Deleting the stack deletes the workgroup even when it holds saved queries.
    recursiveDeleteOption: true,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      publishCloudWatchMetricsEnabled: true,
      // Ten GB scanned per query at most: a runaway query costs cents, not dollars.
      bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      resultConfiguration: {
        outputLocation: `s3://${bucket.bucketName}/${QUERY_RESULTS_PREFIX}`,
        encryptionConfiguration: { encryptionOption: 'SSE_S3' },
      },
    },
  });
}
