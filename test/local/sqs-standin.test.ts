import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSqsStandIn } from '../../local/sqs-standin';
import { TEST_CREDENTIALS } from '../support/dynalite';

describe('the SQS stand-in', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sqs-'));

  it('takes the SDK client’s batches (MD5s checked by the SDK), hands them out, deletes, and keeps them across restarts', async () => {
    const first = await startSqsStandIn({ dir });
    const url = first.createQueue('failures');
    const client = new SQSClient({
      endpoint: first.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: '0', MessageBody: '{"kind":"malformed-record"}' },
          { Id: '1', MessageBody: 'ünïcødé' },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).toEqual(['0', '1']);
    client.destroy();
    await first.stop();

    const second = await startSqsStandIn({ dir });
    const again = new SQSClient({
      endpoint: second.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    const queueUrl = second.createQueue('failures');
    const count = await again.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(count.Attributes?.ApproximateNumberOfMessages).toBe('2');
    const received = await again.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages?.map((m) => m.Body)).toEqual(['{"kind":"malformed-record"}', 'ünïcødé']);
    await again.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: received.Messages![0].ReceiptHandle }),
    );
    expect(second.messages('failures').map((m) => m.Body)).toEqual(['ünïcødé']);
    again.destroy();
    await second.stop();
  });

  it('answers an unknown queue with the SQS error', async () => {
    const sqs = await startSqsStandIn();
    const client = new SQSClient({
      endpoint: sqs.endpoint,
      region: 'us-east-1',
      credentials: TEST_CREDENTIALS,
    });
    await expect(
      client.send(
        new SendMessageBatchCommand({
          QueueUrl: `${sqs.endpoint}/000000000000/nope`,
          Entries: [{ Id: '0', MessageBody: 'x' }],
        }),
      ),
    ).rejects.toMatchObject({ name: expect.stringMatching(/NonExistentQueue|QueueDoesNotExist/) });
    client.destroy();
    await sqs.stop();
  });
});
