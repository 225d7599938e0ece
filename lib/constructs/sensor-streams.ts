import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { provisionedShards, STREAM_DEFAULTS } from './stream-defaults';

export interface SensorStreamsProps {
  /** Where producers (the data generator) put sensor readings. */
  readonly sensorStreamName: string;
  /** Where readings that pass the temperature filter are put, for delivery to S3. */
  readonly alertStreamName: string;
  /**
   * Shards of the sensor stream: 2 take 2,000 records/s, four times the generator's usual
   * 100–500 records/s, and spread readings by sensor.
   * @default 2
   */
  readonly shards?: number;
  /** @default 1 (alerts are a fraction of the readings) */
  readonly alertShards?: number;
}

/**
 * The IoT sensor pipeline's two streams: the readings, and the readings that passed the
 * temperature filter. Both provisioned, encrypted with the AWS-managed key (readers need no
 * KMS grant) and kept the minimum 24 hours.
 */
export class SensorStreams extends Construct {
  public readonly readings: Stream;
  public readonly alerts: Stream;

  constructor(scope: Construct, id: string, props: SensorStreamsProps) {
    super(scope, id);
    const readings = provisionedShards('Sensor stream', props.shards ?? 2);
    const alerts = provisionedShards('Sensor alert stream', props.alertShards ?? 1);
    this.readings = new Stream(this, 'Readings', {
      ...STREAM_DEFAULTS,
      ...readings,
      streamName: props.sensorStreamName,
    });
    this.alerts = new Stream(this, 'Alerts', {
      ...STREAM_DEFAULTS,
      ...alerts,
      streamName: props.alertStreamName,
    });
  }
}
