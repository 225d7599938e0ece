import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_LABS, resolveLabs, type Lab } from '#core/labs';
import { resourceNames, type ResourceNames } from '#core/names';
import { DashboardAccess } from './constructs/dashboard-access';
import { DashboardHosting } from './constructs/dashboard-hosting';
import { DataLake } from './constructs/data-lake';
import {
  PipelineMonitoring,
  type MonitoredConsumer,
  type MonitoredStream,
} from './constructs/pipeline-monitoring';
import { ProducerAccess } from './constructs/producer-access';
import { SensorPipeline } from './constructs/sensor-pipeline';
import { SummaryAggregation } from './constructs/summary-aggregation';
import { SummaryPersistence } from './constructs/summary-persistence';
import { addOutput } from './outputs';
import { markLab, markRole } from './roles';
import { UnicornStreams, type TelemetryCapacity } from './constructs/unicorn-streams';

export interface WildRydesStackProps extends StackProps {
  /** @default '' (the workshop's own names) */
  readonly prefix?: string;
  /** @default one provisioned shard */
  readonly telemetryCapacity?: TelemetryCapacity;
  readonly alarmEmail?: string;
  /**
   * The labs this deployment holds (`core/labs.ts`); `weblogs` is its own stack, built beside
   * this one by `buildApp`. A lab without its prerequisites is refused.
   * @default DEFAULT_LABS: streaming, aggregation, persistence, data lake
   */
  readonly labs?: readonly Lab[];
}

/** A monitored stream or consumer, with the lab whose alarms it gets. */
type Monitored<T> = T & { readonly lab: Lab };

/**
 * One attendee's Wild Rydes system, lab by lab (each part only when its lab is chosen):
 *
 *   producers ─▶ wildrydes ─┬─▶ SummaryAggregation ─▶ wildrydes-summary ─▶ SummaryPersistence ─▶ DynamoDB
 *    (streaming)            │    (aggregation)                              (persistence)
 *                           ├─▶ DataLake (Firehose ─▶ S3 ◀─ Glue/Athena)    (datalake)
 *                           └─▶ browser dashboard (DashboardAccess)         (streaming)
 *   datagen ─▶ sensor-data ─▶ SensorPipeline (dedup, filter, 10 s aggregates, CSV alerts to S3) (sensors)
 *
 * Monitoring (alarm topic, CloudWatch dashboard) belongs to the streaming lab and watches the
 * streams and consumers of the labs deployed.
 */
export class WildRydesStack extends Stack {
  public readonly names: ResourceNames;
  public readonly labs: ReadonlySet<Lab>;
  public readonly streams: UnicornStreams;
  public readonly aggregation?: SummaryAggregation;
  public readonly persistence?: SummaryPersistence;
  public readonly dashboardAccess: DashboardAccess;
  public readonly dashboard: DashboardHosting;
  public readonly dataLake?: DataLake;
  public readonly producerAccess: ProducerAccess;
  public readonly monitoring: PipelineMonitoring;
  public readonly sensors?: SensorPipeline;

  constructor(scope: Construct, id: string, props: WildRydesStackProps = {}) {
    super(scope, id, props);
    const names = (this.names = resourceNames(props.prefix ?? ''));
    const labs = (this.labs = new Set(resolveLabs(props.labs ?? DEFAULT_LABS)));

    this.streams = new UnicornStreams(this, 'Streams', {
      telemetryStreamName: names.telemetryStream,
      summaryStreamName: labs.has('aggregation') ? names.summaryStream : undefined,
      telemetryCapacity: props.telemetryCapacity,
    });
    const { telemetry, summary } = this.streams;

    if (summary) {
      this.aggregation = new SummaryAggregation(this, 'SummaryAggregation', {
        source: telemetry,
        destination: summary,
      });
      if (labs.has('persistence')) {
        this.persistence = new SummaryPersistence(this, 'SummaryPersistence', {
          source: summary,
          tableName: names.summaryTable,
        });
      }
    }
    this.dashboardAccess = new DashboardAccess(this, 'DashboardAccess', {
      stream: telemetry,
      identityPoolName: names.identityPool,
    });
    if (labs.has('datalake')) {
      this.dataLake = new DataLake(this, 'DataLake', {
        source: telemetry,
        glueDatabaseName: names.glueDatabase,
        glueTableName: names.glueTable,
        athenaWorkGroupName: names.athenaWorkGroup,
      });
    }
    this.dashboard = new DashboardHosting(this, 'Dashboard', {
      access: this.dashboardAccess,
      stream: telemetry,
      accessLogs: this.dataLake?.accessLogs,
    });
    this.producerAccess = new ProducerAccess(this, 'ProducerAccess', { streams: [telemetry] });
    if (this.dataLake && labs.has('sensors')) {
      this.sensors = new SensorPipeline(this, 'SensorPipeline', {
        sensorStreamName: names.sensorStream,
        alertStreamName: names.sensorAlertStream,
        aggregateTableName: names.sensorAggregateTable,
        bucket: this.dataLake.bucket,
        glueDatabase: this.dataLake.database,
      });
    }
    this.monitoring = this.addMonitoring(props);

    this.addOutputs();
    this.markLabs();
  }

  /** Alarms and dashboard widgets for the streams and consumers of the deployed labs only. */
  private addMonitoring(props: WildRydesStackProps): PipelineMonitoring {
    const { telemetry, summary } = this.streams;
    const streams: Monitored<MonitoredStream>[] = [
      { label: 'Telemetry', stream: telemetry, lab: 'streaming' },
    ];
    const consumers: Monitored<MonitoredConsumer>[] = [];
    if (summary) streams.push({ label: 'Summary', stream: summary, lab: 'aggregation' });
    if (this.sensors) {
      streams.push(
        { label: 'Sensors', stream: this.sensors.streams.readings, lab: 'sensors' },
        { label: 'Sensor alerts', stream: this.sensors.streams.alerts, lab: 'sensors' },
      );
    }
    const consumer = (label: string, lab: Lab, part?: SummaryAggregation | SummaryPersistence) =>
      part && consumers.push({ label, function: part.function, failureQueue: part.failures.queue, lab });
    consumer('Aggregation', 'aggregation', this.aggregation);
    consumer('Persistence', 'persistence', this.persistence);
    if (this.sensors) {
      const { processing } = this.sensors;
      consumers.push({
        label: 'Sensor processing',
        function: processing.function,
        failureQueue: processing.failures.queue,
        lab: 'sensors',
      });
    }
    const monitoring = new PipelineMonitoring(this, 'Monitoring', {
      // Dashboards are global to the account: the stack name is unique only within a region.
      dashboardName: `${this.stackName}-${this.region}`,
      streams,
      consumers,
      table: this.persistence?.table,
      deliveryStream: this.dataLake?.deliveryStream,
      alarmEmail: props.alarmEmail,
    });
    // Each alarm counts toward the lab of what it watches (its id starts with that label).
    const byLabel = [...streams, ...consumers].sort((a, b) => b.label.length - a.label.length);
    for (const alarm of monitoring.alarms) {
      const watched = byLabel.find((m) => alarm.node.id.startsWith(m.label));
      if (watched) markLab(alarm, watched.lab);
    }
    return monitoring;
  }

  private addOutputs(): void {
    const { telemetry, summary } = this.streams;
    addOutput(this, 'Region', this.region);
    addOutput(this, 'StreamName', telemetry.streamName);
    if (summary) addOutput(this, 'SummaryStreamName', summary.streamName);
    addOutput(this, 'IdentityPoolId', this.dashboardAccess.identityPool.ref);
    addOutput(this, 'GuestRoleArn', this.dashboardAccess.unauthenticatedRole.roleArn);
    if (this.persistence) addOutput(this, 'SummaryTableName', this.persistence.table.tableName);
    if (this.dataLake) {
      addOutput(this, 'DataLakeBucketName', this.dataLake.bucket.bucketName);
      addOutput(this, 'AthenaWorkGroup', this.names.athenaWorkGroup);
      addOutput(this, 'GlueTable', `${this.names.glueDatabase}.${this.names.glueTable}`);
    }
    addOutput(this, 'ProducerGroupName', this.producerAccess.group.groupName);
    if (this.sensors) {
      addOutput(this, 'SensorStreamName', this.sensors.streams.readings.streamName);
      addOutput(this, 'SensorAggregateTableName', this.sensors.processing.aggregateTable.tableName);
      addOutput(this, 'SensorProducerGroupName', this.sensors.producerAccess.group.groupName);
    }
    addOutput(this, 'AlarmTopicArn', this.monitoring.topic.topicArn);

    markRole(telemetry, 'telemetryStream');
    if (summary) markRole(summary, 'summaryStream');
    if (this.persistence) markRole(this.persistence.table, 'summaryTable');
    if (this.sensors) {
      markRole(this.sensors.streams.readings, 'sensorStream');
      markRole(this.sensors.streams.alerts, 'sensorAlertStream');
      markRole(this.sensors.processing.aggregateTable, 'sensorAggregateTable');
      markRole(this.sensors.producerAccess.group, 'sensorProducers');
      markRole(this.sensors.processing.function, 'sensorProcessingFunction');
      markRole(this.sensors.processing.dedupTable, 'sensorDedupTable');
      markRole(this.sensors.delivery.processor, 'sensorCsvFunction');
      markRole(this.sensors.delivery.deliveryStream, 'sensorDelivery');
    }
    markRole(this.producerAccess.group, 'telemetryProducers');
    if (this.aggregation) markRole(this.aggregation.function, 'aggregationFunction');
    if (this.persistence) markRole(this.persistence.function, 'persistenceFunction');
    if (this.dataLake) {
      markRole(this.dataLake.deliveryStream, 'dataLakeDelivery');
      markRole(this.dataLake.bucket, 'dataLakeBucket');
      markRole(this.dataLake.workGroup, 'athenaWorkGroup');
    }
    markRole(this.dashboardAccess.unauthenticatedRole, 'dashboardGuestRole');
    markRole(this.monitoring.topic, 'alarmTopic');
  }

  /** Every resource carries its lab; what the labs share (monitoring, custom resources) is the base lab's. */
  private markLabs(): void {
    if (this.streams.summary) markLab(this.streams.summary, 'aggregation');
    if (this.aggregation) markLab(this.aggregation, 'aggregation');
    if (this.persistence) markLab(this.persistence, 'persistence');
    if (this.dataLake) markLab(this.dataLake, 'datalake');
    if (this.sensors) markLab(this.sensors, 'sensors');
    markLab(this, 'streaming', { base: true });
  }
}
