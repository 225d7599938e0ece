import { Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { resourceNames, type ResourceNames } from '#core/names';
import { DashboardAccess } from './constructs/dashboard-access';
import { DashboardHosting } from './constructs/dashboard-hosting';
import { DataLake } from './constructs/data-lake';
import { PipelineMonitoring } from './constructs/pipeline-monitoring';
import { ProducerAccess } from './constructs/producer-access';
import { SensorPipeline } from './constructs/sensor-pipeline';
import { SummaryAggregation } from './constructs/summary-aggregation';
import { SummaryPersistence } from './constructs/summary-persistence';
import { addOutput } from './outputs';
import { markRole } from './roles';
import { UnicornStreams, type TelemetryCapacity } from './constructs/unicorn-streams';

export interface WildRydesStackProps extends StackProps {
  /** @default '' (the workshop's own names) */
  readonly prefix?: string;
  /** @default one provisioned shard */
  readonly telemetryCapacity?: TelemetryCapacity;
  readonly alarmEmail?: string;
}

/**
 * One attendee's Wild Rydes system:
 *
 *   producers ─▶ wildrydes ─┬─▶ SummaryAggregation ─▶ wildrydes-summary ─▶ SummaryPersistence ─▶ DynamoDB
 *                           ├─▶ DataLake (Firehose ─▶ S3 ◀─ Glue/Athena)
 *                           └─▶ browser dashboard (DashboardAccess)
 *   datagen ─▶ sensor-data ─▶ SensorPipeline (dedup, filter, 10 s aggregates, CSV alerts to S3)
 */
export class WildRydesStack extends Stack {
  public readonly names: ResourceNames;
  public readonly streams: UnicornStreams;
  public readonly aggregation: SummaryAggregation;
  public readonly persistence: SummaryPersistence;
  public readonly dashboardAccess: DashboardAccess;
  public readonly dashboard: DashboardHosting;
  public readonly dataLake: DataLake;
  public readonly producerAccess: ProducerAccess;
  public readonly monitoring: PipelineMonitoring;
  public readonly sensors: SensorPipeline;

  constructor(scope: Construct, id: string, props: WildRydesStackProps = {}) {
    super(scope, id, props);
    const names = (this.names = resourceNames(props.prefix ?? ''));

    this.streams = new UnicornStreams(this, 'Streams', {
      telemetryStreamName: names.telemetryStream,
      summaryStreamName: names.summaryStream,
      telemetryCapacity: props.telemetryCapacity,
    });
    const { telemetry, summary } = this.streams;

    this.aggregation = new SummaryAggregation(this, 'SummaryAggregation', {
      source: telemetry,
      destination: summary,
    });
    this.persistence = new SummaryPersistence(this, 'SummaryPersistence', {
      source: summary,
      tableName: names.summaryTable,
    });
    this.dashboardAccess = new DashboardAccess(this, 'DashboardAccess', {
      stream: telemetry,
      identityPoolName: names.identityPool,
    });
    this.dataLake = new DataLake(this, 'DataLake', {
      source: telemetry,
      glueDatabaseName: names.glueDatabase,
      glueTableName: names.glueTable,
      athenaWorkGroupName: names.athenaWorkGroup,
    });
    this.dashboard = new DashboardHosting(this, 'Dashboard', {
      access: this.dashboardAccess,
      stream: telemetry,
      accessLogs: this.dataLake.accessLogs,
    });
    this.producerAccess = new ProducerAccess(this, 'ProducerAccess', { streams: [telemetry] });
    this.sensors = new SensorPipeline(this, 'SensorPipeline', {
      sensorStreamName: names.sensorStream,
      alertStreamName: names.sensorAlertStream,
      aggregateTableName: names.sensorAggregateTable,
      bucket: this.dataLake.bucket,
      glueDatabase: this.dataLake.database,
    });
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      // Dashboards are global to the account: the stack name is unique only within a region.
      dashboardName: `${this.stackName}-${this.region}`,
      streams: [
        { label: 'Telemetry', stream: telemetry },
        { label: 'Summary', stream: summary },
        { label: 'Sensors', stream: this.sensors.streams.readings },
        { label: 'Sensor alerts', stream: this.sensors.streams.alerts },
      ],
      consumers: [
        {
          label: 'Aggregation',
          function: this.aggregation.function,
          failureQueue: this.aggregation.failures.queue,
        },
        {
          label: 'Persistence',
          function: this.persistence.function,
          failureQueue: this.persistence.failures.queue,
        },
        {
          label: 'Sensor processing',
          function: this.sensors.processing.function,
          failureQueue: this.sensors.processing.failures.queue,
        },
      ],
      table: this.persistence.table,
      deliveryStream: this.dataLake.deliveryStream,
      alarmEmail: props.alarmEmail,
    });

    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason:
        'The Firehose construct adds a CIDR mapping used only by Redshift and HTTP destinations; ours is S3.',
    });

    addOutput(this, 'Region', this.region);
    addOutput(this, 'StreamName', telemetry.streamName);
    addOutput(this, 'SummaryStreamName', summary.streamName);
    addOutput(this, 'IdentityPoolId', this.dashboardAccess.identityPool.ref);
    addOutput(this, 'GuestRoleArn', this.dashboardAccess.unauthenticatedRole.roleArn);
    addOutput(this, 'SummaryTableName', this.persistence.table.tableName);
    addOutput(this, 'DataLakeBucketName', this.dataLake.bucket.bucketName);
    addOutput(this, 'AthenaWorkGroup', names.athenaWorkGroup);
    addOutput(this, 'GlueTable', `${names.glueDatabase}.${names.glueTable}`);
    addOutput(this, 'ProducerGroupName', this.producerAccess.group.groupName);
    addOutput(this, 'SensorStreamName', this.sensors.streams.readings.streamName);
    addOutput(this, 'SensorAggregateTableName', this.sensors.processing.aggregateTable.tableName);
    addOutput(this, 'SensorProducerGroupName', this.sensors.producerAccess.group.groupName);
    addOutput(this, 'AlarmTopicArn', this.monitoring.topic.topicArn);

    markRole(telemetry, 'telemetryStream');
    markRole(summary, 'summaryStream');
    markRole(this.persistence.table, 'summaryTable');
    markRole(this.sensors.streams.readings, 'sensorStream');
    markRole(this.sensors.streams.alerts, 'sensorAlertStream');
    markRole(this.sensors.processing.aggregateTable, 'sensorAggregateTable');
    markRole(this.producerAccess.group, 'telemetryProducers');
    markRole(this.sensors.producerAccess.group, 'sensorProducers');
    markRole(this.aggregation.function, 'aggregationFunction');
    markRole(this.persistence.function, 'persistenceFunction');
    markRole(this.sensors.processing.function, 'sensorProcessingFunction');
    markRole(this.sensors.processing.dedupTable, 'sensorDedupTable');
    markRole(this.sensors.delivery.processor, 'sensorCsvFunction');
    markRole(this.dataLake.deliveryStream, 'dataLakeDelivery');
    markRole(this.sensors.delivery.deliveryStream, 'sensorDelivery');
    markRole(this.dataLake.bucket, 'dataLakeBucket');
    markRole(this.dataLake.workGroup, 'athenaWorkGroup');
    markRole(this.dashboardAccess.unauthenticatedRole, 'dashboardGuestRole');
    markRole(this.monitoring.topic, 'alarmTopic');
  }
}
