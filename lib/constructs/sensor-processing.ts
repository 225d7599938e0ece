import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { SENSOR_ENV, SENSOR_SETTINGS } from '#core/settings';
import { KINESIS_EVENT_SOURCE_DEFAULTS } from './event-source-defaults';
import { FailureQueue } from './failure-queue';
import { WildRydesFunction } from './wildrydes-function';
import { acknowledgeFinding } from '../nag';

export interface SensorProcessingProps {
  /** The stream of sensor readings. */
  readonly source: IStream;
  /** Where readings that pass the temperature filter are put. */
  readonly alerts: IStream;
  /** Name of the table of 10-second aggregates, which readers address by name. */
  readonly aggregateTableName: string;
  /**
   * Lambda's tumbling window: how long running totals are gathered before they are written.
   * @default 10 seconds, the length of the aggregation window
   */
  readonly window?: Duration;
  /** @default 1000 */
  readonly batchSize?: number;
}

/**
 * The sensor pipeline's processing: one Lambda function on the sensor stream that drops
 * repeated readings (a dedup table remembers the last second), forwards the readings whose
 * measured and ambient temperatures differ by more than 20 °C to the alert stream, and adds
 * every unique reading to 10-second per-sensor averages and counts in a DynamoDB table.
 *
 * The aggregates go to a table rather than a stream: they are a small keyed result (one item
 * per sensor per 10 s) that people and dashboards look up by sensor and time, and an atomic
 * add-once update per part makes Lambda's retries harmless without another consumer.
 */
export class SensorProcessing extends Construct {
  public readonly function: WildRydesFunction;
  public readonly failures: FailureQueue;
  /** Fingerprints of recent readings, expiring by TTL. */
  public readonly dedupTable: Table;
  /** Per-sensor 10-second aggregates, keyed by `sensorId` and `windowStart`. */
  public readonly aggregateTable: Table;

  constructor(scope: Construct, id: string, props: SensorProcessingProps) {
    super(scope, id);
    const window = props.window ?? Duration.seconds(SENSOR_SETTINGS.windowSeconds);
    if (!window.isUnresolved() && (window.toSeconds() < 1 || window.toSeconds() > 900)) {
      throw new Error(`Tumbling window must be 1 to 900 seconds, got ${window.toSeconds()}`);
    }
    const batchSize = props.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new Error(`Batch size must be a whole number from 1 to 10000, got ${batchSize}`);
    }

    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    };
    this.dedupTable = new Table(this, 'DedupTable', {
      ...common,
      partitionKey: { name: 'fingerprint', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    acknowledgeFinding(
      this.dedupTable,
      'AwsSolutions-DDB3',
      'The dedup table only holds fingerprints of the last hour of readings, which expire by TTL; there is nothing to restore.',
    );
    this.aggregateTable = new Table(this, 'AggregateTable', {
      ...common,
      tableName: props.aggregateTableName,
      partitionKey: { name: 'sensorId', type: AttributeType.STRING },
      sortKey: { name: 'windowStart', type: AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });

    this.failures = new FailureQueue(this, 'Failures');
    this.function = new WildRydesFunction(this, 'Function', {
      handlerDir: 'sensor-processing',
      description:
        'Drops repeated sensor readings, forwards temperature alerts and writes 10-second aggregates',
      environment: {
        [SENSOR_ENV.alertStreamName]: props.alerts.streamName,
        [SENSOR_ENV.dedupTableName]: this.dedupTable.tableName,
        [SENSOR_ENV.aggregateTableName]: this.aggregateTable.tableName,
        [SENSOR_ENV.failureQueueUrl]: this.failures.queue.queueUrl,
      },
    });
    // Exactly what the stores do: batch reads and writes of fingerprints; add-once updates.
    this.dedupTable.grant(this.function, 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem');
    this.aggregateTable.grant(this.function, 'dynamodb:UpdateItem', 'dynamodb:GetItem');
    props.alerts.grantWrite(this.function);
    this.failures.queue.grantSendMessages(this.function);
    this.function.addEventSource(
      new KinesisEventSource(props.source, {
        ...KINESIS_EVENT_SOURCE_DEFAULTS,
        tumblingWindow: window,
        // Readings are about 120 bytes: 1,000 make a 120 KB payload, a second of a full shard.
        batchSize,
        // Alerts reach the alert stream within about a second of arrival.
        maxBatchingWindow: Duration.seconds(1),
        onFailure: new SqsDlq(this.failures.queue),
      }),
    );
  }
}
