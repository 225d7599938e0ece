import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag';

/**
 * Where a stream consumer's failures go: Lambda's on-failure notices (shard and sequence range
 * of a batch given up on) and the records the handler could not read. Kept 14 days, the SQS
 * maximum, so there is time to look.
 */
export class FailureQueue extends Construct {
  public readonly queue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeFinding(
      this.queue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination of a stream consumer; nothing consumes it automatically.',
    );
  }
}
