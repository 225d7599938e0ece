import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeFinding } from '../../lib/nag';

/** A stack whose one queue has no dead-letter queue: cdk-nag's AwsSolutions-SQS3. */
function withQueue() {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'S');
  const queue = new Queue(stack, 'Q', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
  return { app, queue };
}

describe('acknowledgeFinding', () => {
  it('lets the synth pass a finding it acknowledges, which fails it otherwise', () => {
    expect(() => withQueue().app.synth()).toThrow(/AwsSolutions-SQS3/);

    const { app, queue } = withQueue();
    acknowledgeFinding(queue, 'AwsSolutions-SQS3', 'This queue is a dead-letter queue itself.');
    expect(() => app.synth()).not.toThrow();
  });

  it('refuses a reason too short to say why, naming the finding and the construct', () => {
    const { queue } = withQueue();
    expect(() => acknowledgeFinding(queue, 'AwsSolutions-SQS3', ' ok ')).toThrow(
      'The acknowledgement of AwsSolutions-SQS3 on S/Q needs a reason of at least 10 characters, got " ok "',
    );
  });
});
