import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Compression } from 'aws-cdk-lib/aws-kinesisfirehose';
import { SENSOR_CSV_COLUMNS } from '#core/sensor';
import { DataLake } from '../../lib/constructs/data-lake';
import {
  SENSOR_ALERT_COLUMNS,
  SENSOR_ALERT_PREFIX,
  SENSOR_ALERT_TABLE,
  SensorDelivery,
} from '../../lib/constructs/sensor-delivery';
import { sensorStack } from '../support/sensor-stack';

/** Bundling the handlers is not what these tests are about: CDK skips it for no stack. */
const app = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

/** The data lake and the sensor pipeline, wired as the Wild Rydes stack wires them. */
const built = sensorStack(app(), { glueDatabaseName: 'lake_db', glueTables: true });
const bucketRef = { Ref: built.stack.getLogicalId(built.lake.bucket.node.defaultChild as never) };
const location = { 'Fn::Join': ['', ['s3://', bucketRef, `/${SENSOR_ALERT_PREFIX}`]] };

describe('sensor_alerts Glue table', () => {
  it('is in the data lake database, over the CSV prefix, with the CSV columns in order', () => {
    expect(SENSOR_ALERT_COLUMNS.map((c) => c.name)).toEqual(SENSOR_CSV_COLUMNS.map((c) => c.toLowerCase()));
    built.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'lake_db',
      TableInput: Match.objectLike({
        Name: SENSOR_ALERT_TABLE,
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: Match.objectLike({
          Location: location,
          Columns: [
            { Name: 'sensorid', Type: 'string' },
            { Name: 'eventtimestamp', Type: 'bigint' },
            { Name: 'ambienttemp', Type: 'double' },
            { Name: 'measuredtemp', Type: 'double' },
            { Name: 'status', Type: 'string' },
          ],
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        }),
      }),
    });
  });

  it('reads RFC 4180 quoting with the Open CSV SerDe, with no header line', () => {
    const table = alertTable();
    expect(table.TableInput.StorageDescriptor.SerdeInfo).toEqual({
      SerializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
      Parameters: { separatorChar: ',', quoteChar: '"', escapeChar: '\\' },
    });
    expect(table.TableInput.Parameters).not.toHaveProperty('skip.header.line.count');
    expect(table.TableInput.Parameters.classification).toBe('csv');
  });

  it('projects the hourly partitions Firehose writes, like the unicorn_status table', () => {
    const table = alertTable();
    const unicorns = tables().find((t) => t.TableInput.Name === 'unicorn_status')!;
    expect(table.TableInput.PartitionKeys).toEqual(unicorns.TableInput.PartitionKeys);
    const projection = (params: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith('projection.')));
    expect(projection(table.TableInput.Parameters)).toEqual(projection(unicorns.TableInput.Parameters));
    expect(table.TableInput.Parameters['storage.location.template']).toEqual({
      'Fn::Join': [
        '',
        [
          's3://',
          bucketRef,
          `/${SENSOR_ALERT_PREFIX}year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
        ],
      ],
    });
  });
});

describe('sensor_alerts Glue table wiring', () => {
  it('is created after its database', () => {
    const [id] = Object.entries(built.template.findResources('AWS::Glue::Table')).find(
      ([, r]) => r.Properties.TableInput.Name === SENSOR_ALERT_TABLE,
    )!;
    const databaseId = built.stack.getLogicalId(built.lake.database);
    expect(built.template.toJSON().Resources[id].DependsOn).toContain(databaseId);
  });

  it('declares gzip when the delivery compresses, and no table without a database', () => {
    const stack = new Stack(app(), 'Other');
    const source = new Stream(stack, 'Alerts');
    const lake = new DataLake(stack, 'Lake', {
      source,
      glueDatabaseName: 'db',
      glueTableName: 't',
      athenaWorkGroupName: 'w',
    });
    const gzip = new SensorDelivery(stack, 'Gzip', {
      source,
      bucket: lake.bucket,
      compression: Compression.GZIP,
      glueDatabase: lake.database,
    });
    const plain = new SensorDelivery(stack, 'Plain', { source, bucket: lake.bucket });
    expect(plain.table).toBeUndefined();
    expect(stack.resolve(gzip.table!.tableInput)).toMatchObject({
      parameters: { compressionType: 'gzip' },
    });
  });
});

interface TableResource {
  TableInput: {
    Name: string;
    PartitionKeys: unknown;
    Parameters: Record<string, unknown> & { classification?: string };
    StorageDescriptor: { SerdeInfo: unknown };
  };
}

function tables(): TableResource[] {
  return Object.values(built.template.findResources('AWS::Glue::Table')).map(
    (r) => r.Properties as TableResource,
  );
}

function alertTable(): TableResource {
  return tables().find((t) => t.TableInput.Name === SENSOR_ALERT_TABLE)!;
}
