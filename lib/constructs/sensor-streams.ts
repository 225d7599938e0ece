import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { STREAM_RETENTION_HOURS } from '#core/settings';

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

function checkShards(what: string, shards: number): void {
  if (!Token.isUnresolved(shards) && (!Number.isInteger(shards) || shards < 1 || shards > 500)) {
    throw new Error(`${what} shard count must be a whole number from 1 to 500, got ${shards}`);
  }
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
    const shards = props.shards ?? 2;
    const alertShards = props.alertShards ?? 1;
    checkShards('Sensor stream', shards);
    checkShards('Sensor alert stream', alertShards);
    const common = {
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(STREAM_RETENTION_HOURS),
      removalPolicy: RemovalPolicy.DESTROY,
      streamMode: StreamMode.PROVISIONED,
    };
    this.readings = new Stream(this, 'Readings', {
      ...common,
      streamName: props.sensorStreamName,
      shardCount: shards,
    });
    this.alerts = new Stream(this, 'Alerts', {
      ...common,
      streamName: props.alertStreamName,
      shardCount: alertShards,
    });
  }
}
