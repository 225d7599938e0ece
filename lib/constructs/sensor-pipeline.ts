import type { CfnDatabase } from 'aws-cdk-lib/aws-glue';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ProducerAccess } from './producer-access';
import { SensorDelivery } from './sensor-delivery';
import { SensorProcessing } from './sensor-processing';
import { SensorStreams } from './sensor-streams';

export interface SensorPipelineProps {
  readonly sensorStreamName: string;
  readonly alertStreamName: string;
  readonly aggregateTableName: string;
  /** Where filtered readings land as CSV (under `sensor-alerts/`). */
  readonly bucket: IBucket;
  /** @default 2 */
  readonly shards?: number;
  /**
   * The Glue database that gets a table over the CSV alerts (`sensor_alerts`), for Athena.
   * @default no table
   */
  readonly glueDatabase?: CfnDatabase;
}

/**
 * The IoT sensor pipeline:
 *
 *   datagen ─▶ sensor-data ─▶ SensorProcessing ─┬─▶ SensorAggregates table (10-s averages, counts)
 *                                               └─▶ sensor-alerts ─▶ SensorDelivery (Firehose, CSV) ─▶ S3
 *
 * plus an IAM group and managed policy for the people and machines that run producers.
 */
export class SensorPipeline extends Construct {
  public readonly streams: SensorStreams;
  public readonly processing: SensorProcessing;
  public readonly delivery: SensorDelivery;
  public readonly producerAccess: ProducerAccess;

  constructor(scope: Construct, id: string, props: SensorPipelineProps) {
    super(scope, id);
    this.streams = new SensorStreams(this, 'Streams', {
      sensorStreamName: props.sensorStreamName,
      alertStreamName: props.alertStreamName,
      shards: props.shards,
    });
    this.processing = new SensorProcessing(this, 'Processing', {
      source: this.streams.readings,
      alerts: this.streams.alerts,
      aggregateTableName: props.aggregateTableName,
    });
    this.delivery = new SensorDelivery(this, 'Delivery', {
      source: this.streams.alerts,
      bucket: props.bucket,
      glueDatabase: props.glueDatabase,
    });
    this.producerAccess = new ProducerAccess(this, 'ProducerAccess', { streams: [this.streams.readings] });
  }
}
