import { type App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { DEFAULT_NAMES } from '#core/names';
import { DataLake } from '../../lib/constructs/data-lake';
import { SensorPipeline } from '../../lib/constructs/sensor-pipeline';

/**
 * A stack `Sensors` with the data lake (for its bucket) and the sensor pipeline under the
 * default names, as the Wild Rydes stack wires them; with `glueTables` the pipeline also
 * declares its Glue table in the lake's database, named `glueDatabaseName`.
 */
export function sensorStack(
  app: App,
  {
    glueDatabaseName = 'wildrydes',
    glueTables = false,
  }: { glueDatabaseName?: string; glueTables?: boolean } = {},
) {
  const stack = new Stack(app, 'Sensors');
  const telemetry = new Stream(stack, 'Telemetry', { encryption: StreamEncryption.MANAGED });
  const lake = new DataLake(stack, 'DataLake', {
    source: telemetry,
    glueDatabaseName,
    glueTableName: 'unicorn_status',
    athenaWorkGroupName: 'wildrydes',
  });
  const pipeline = new SensorPipeline(stack, 'SensorPipeline', {
    sensorStreamName: DEFAULT_NAMES.sensorStream,
    alertStreamName: DEFAULT_NAMES.sensorAlertStream,
    aggregateTableName: DEFAULT_NAMES.sensorAggregateTable,
    bucket: lake.bucket,
    glueDatabase: glueTables ? lake.database : undefined,
  });
  return { app, stack, lake, pipeline, template: Template.fromStack(stack) };
}
