import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { ENV } from '#core/settings';
import { KINESIS_EVENT_SOURCE_DEFAULTS } from './event-source-defaults';
import { FailureQueue } from './failure-queue';
import { WildRydesFunction } from './wildrydes-function';

export interface SummaryPersistenceProps {
  /** The stream of per-minute summaries. */
  readonly source: IStream;
  readonly tableName: string;
}

/**
 * Stores every per-minute summary in a DynamoDB table keyed by unicorn (`Name`) and window
 * start (`StatusTime`), merging partial summaries of one window and ignoring repeated ones.
 */
export class SummaryPersistence extends Construct {
  public readonly table: Table;
  public readonly function: WildRydesFunction;
  public readonly failures: FailureQueue;

  constructor(scope: Construct, id: string, props: SummaryPersistenceProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: 'Name', type: AttributeType.STRING },
      sortKey: { name: 'StatusTime', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.failures = new FailureQueue(this, 'Failures');
    this.function = new WildRydesFunction(this, 'Function', {
      handlerDir: 'persist-summaries',
      serviceName: 'summary-persistence',
      description: 'Writes per-minute unicorn summaries to DynamoDB',
      environment: {
        [ENV.summaryTableName]: this.table.tableName,
        [ENV.failureQueueUrl]: this.failures.queue.queueUrl,
      },
    });
    // Read-merge-write needs exactly these two.
    this.table.grant(this.function, 'dynamodb:GetItem', 'dynamodb:PutItem');
    this.failures.queue.grantSendMessages(this.function);
    this.function.addEventSource(
      new KinesisEventSource(props.source, {
        ...KINESIS_EVENT_SOURCE_DEFAULTS,
        // Each summary costs a read and a conditional write (~10 ms): 100 take a second or two,
        // well inside the timeout, and a retry repeats little.
        batchSize: 100,
        // Summaries arrive in bursts at each minute's end; a one-second window gathers a burst
        // into one invocation.
        maxBatchingWindow: Duration.seconds(1),
        onFailure: new SqsDlq(this.failures.queue),
      }),
    );
  }
}
