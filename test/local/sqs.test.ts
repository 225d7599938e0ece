/**
 * The local SQS service through the AWS SDK's SQS client (AWS JSON protocol), mounted in the
 * local AWS endpoint: every operation, visibility timeouts, delays, retention and long polling
 * on a clock the test moves, batches with partial failures, the SDK's MD5 checks, errors as
 * the SDK's exception classes, and AccessDenied.
 */
import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidBatchEntryId,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDeletedRecently,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSServiceException,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UntagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { md5OfAttributes } from '../../local/aws/sqs/messages';
import { manualClock } from '../support/manual-clock';
import { startLocalSqs, type LocalSqs } from '../support/sqs';

const START = Date.UTC(2017, 5, 5, 9, 17, 0);
let clock: ReturnType<typeof manualClock>;
let sqs: LocalSqs;
let client: SQSClient;

beforeEach(async () => {
  clock = manualClock(START);
  sqs = await startLocalSqs({ clock });
  client = sqs.client;
});
afterEach(() => sqs.stop());

async function createQueue(name: string, Attributes?: Record<string, string>) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes }));
  return QueueUrl!;
}

async function attributes(QueueUrl: string) {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  return out.Attributes!;
}

const receive = (
  QueueUrl: string,
  more: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {},
) => client.send(new ReceiveMessageCommand({ QueueUrl, ...more })).then((out) => out.Messages ?? []);

describe('queues', () => {
  it('creates a queue (idempotently), finds it by name, lists it and reports its attributes', async () => {
    const url = await createQueue('failures', { VisibilityTimeout: '40', MessageRetentionPeriod: '86400' });
    expect(url).toBe(sqs.queueUrl('failures'));
    expect(await createQueue('failures', { VisibilityTimeout: '40' })).toBe(url);
    await expect(createQueue('failures', { VisibilityTimeout: '41' })).rejects.toBeInstanceOf(
      QueueNameExists,
    );
    await expect(
      client.send(new GetQueueUrlCommand({ QueueName: 'failures' })).then((o) => o.QueueUrl),
    ).resolves.toBe(url);
    expect(await attributes(url)).toEqual({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:failures',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      CreatedTimestamp: String(START / 1000),
      LastModifiedTimestamp: String(START / 1000),
      VisibilityTimeout: '40',
      MaximumMessageSize: '262144',
      MessageRetentionPeriod: '86400',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
    });
    const some = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }),
    );
    expect(some.Attributes).toEqual({
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:failures',
      VisibilityTimeout: '40',
    });
  });

  it('sets attributes, checking names and ranges, and keeps a KMS key as given', async () => {
    const url = await createQueue('settings');
    clock.advance(5000);
    await client.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          DelaySeconds: '5',
          ReceiveMessageWaitTimeSeconds: '20',
          KmsMasterKeyId: 'alias/aws/sqs',
        },
      }),
    );
    const all = await attributes(url);
    expect(all).toMatchObject({
      DelaySeconds: '5',
      ReceiveMessageWaitTimeSeconds: '20',
      KmsMasterKeyId: 'alias/aws/sqs',
      KmsDataKeyReusePeriodSeconds: '300',
      SqsManagedSseEnabled: 'false',
      LastModifiedTimestamp: String((START + 5000) / 1000),
    });
    await expect(
      client.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
    await expect(
      client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Colour: 'blue' } as never })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeName', message: 'Unknown Attribute Colour.' });
    await expect(createQueue('not valid!')).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('lists by prefix, a page at a time with MaxResults and NextToken', async () => {
    for (const name of ['b-two', 'a-one', 'b-one', 'b-three']) await createQueue(name);
    const all = await client.send(new ListQueuesCommand({}));
    expect(all.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['a-one', 'b-one', 'b-three', 'b-two']);
    expect(all.NextToken).toBeUndefined();
    const first = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'b-', MaxResults: 2 }));
    expect(first.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['b-one', 'b-three']);
    const second = await client.send(
      new ListQueuesCommand({ QueueNamePrefix: 'b-', MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.QueueUrls?.map((u) => u.split('/').pop())).toEqual(['b-two']);
    expect(second.NextToken).toBeUndefined();
    const none = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'zzz' }));
    expect(none.QueueUrls).toBeUndefined();
  });

  it('tags queues', async () => {
    const url = (await client.send(new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'rydes' } })))
      .QueueUrl!;
    await client.send(new TagQueueCommand({ QueueUrl: url, Tags: { stage: 'dev' } }));
    await client.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['team'] }));
    expect((await client.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ stage: 'dev' });
  });

  it('purges at most once a minute, and deletes; a name is free again 60 seconds after', async () => {
    const url = await createQueue('short-lived');
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'one' }));
    await receive(url);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'two' }));
    await client.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(sqs.service.messages('short-lived')).toEqual([]);
    await expect(client.send(new PurgeQueueCommand({ QueueUrl: url }))).rejects.toBeInstanceOf(
      PurgeQueueInProgress,
    );
    clock.advance(60_000);
    await client.send(new PurgeQueueCommand({ QueueUrl: url }));

    await client.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'short-lived' }))).rejects.toBeInstanceOf(
      QueueDoesNotExist,
    );
    await expect(createQueue('short-lived')).rejects.toBeInstanceOf(QueueDeletedRecently);
    clock.advance(60_000);
    await expect(createQueue('short-lived')).resolves.toBe(url);
  });
});

describe('messages', () => {
  it('sends and receives with attributes; the SDK checks the body MD5s; attribute MD5s match the documented algorithm', async () => {
    const url = await createQueue('orders');
    const MessageAttributes = {
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
      customNumberTypeAttrib: {
        DataType: 'Number.float',
        StringValue: '4563442423554324324264524243.32543234',
      },
      binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!') },
    };
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'ünïcødé {"a":1}', MessageAttributes }),
    );
    // The digest published with aws-md5-of-message-attributes for these three attributes.
    expect(sent.MD5OfMessageAttributes).toBe('c932db14a896c663f83c260297d594ff');
    const [message] = await receive(url, {
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    });
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'ünïcødé {"a":1}',
      MD5OfBody: sent.MD5OfMessageBody,
      MD5OfMessageAttributes: 'c932db14a896c663f83c260297d594ff',
      Attributes: {
        SenderId: '000000000000',
        SentTimestamp: String(START),
        ApproximateReceiveCount: '1',
        ApproximateFirstReceiveTimestamp: String(START),
      },
    });
    expect(Buffer.from(message.MessageAttributes!.binaryAttribute.BinaryValue!).toString()).toBe(
      'Hello binary world!',
    );
    expect(message.MessageAttributes!.attribName1).toEqual({
      DataType: 'String',
      StringValue: 'attribValue 1',
    });
  });

  it('returns the message attributes asked for, by name or prefix, with their digest', async () => {
    const url = await createQueue('picky');
    await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x',
        MessageAttributes: {
          'ride.id': { DataType: 'String', StringValue: 'r1' },
          'ride.fare': { DataType: 'Number', StringValue: '12.5' },
          other: { DataType: 'String', StringValue: 'o' },
        },
      }),
    );
    const [message] = await receive(url, {
      MessageAttributeNames: ['ride.*'],
      MessageSystemAttributeNames: ['SentTimestamp'],
    });
    expect(Object.keys(message.MessageAttributes!).sort()).toEqual(['ride.fare', 'ride.id']);
    expect(message.MD5OfMessageAttributes).toBe(md5OfAttributes(message.MessageAttributes as never));
    expect(message.Attributes).toEqual({ SentTimestamp: String(START) });
    expect(message.ReceiptHandle).toEqual(expect.any(String));
  });

  it('rejects bad bodies and attributes as SQS does', async () => {
    const url = await createQueue('strict', { MaximumMessageSize: '1024' });
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell \u0007' })),
    ).rejects.toMatchObject({ name: 'InvalidMessageContents' });
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    });
    await expect(
      client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: 'x',
          MessageAttributes: { n: { DataType: 'Number', StringValue: 'twelve' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('hides a received message for the visibility timeout, then hands it out again with a new receipt handle', async () => {
    const url = await createQueue('visibility', { VisibilityTimeout: '30' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'ride' }));
    const [first] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(await receive(url)).toEqual([]);
    expect(await attributes(url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    clock.advance(29_999);
    expect(await receive(url)).toEqual([]);
    clock.advance(1);
    const [second] = await receive(url, { AttributeNames: ['All'], VisibilityTimeout: 10 });
    expect(second.MessageId).toBe(first.MessageId);
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
    expect(second.Attributes).toMatchObject({
      ApproximateReceiveCount: '2',
      ApproximateFirstReceiveTimestamp: String(START),
    });

    // The earlier handle: DeleteMessage succeeds but deletes nothing; a visibility change is refused.
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    expect(sqs.service.messages('visibility')).toHaveLength(1);
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: first.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue', message: expect.stringMatching(/has expired/) });

    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: second.ReceiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    ).rejects.toBeInstanceOf(MessageNotInflight);
    const [third] = await receive(url);
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
    expect(sqs.service.messages('visibility')).toEqual([]);
    // Deleting again is no error.
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
    await expect(
      client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-handle' })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
  });

  it('delays messages (queue default or per message) and drops them after the retention period', async () => {
    const url = await createQueue('delayed', { DelaySeconds: '10', MessageRetentionPeriod: '60' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'queue delay' }));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'no delay', DelaySeconds: 0 }));
    expect(await attributes(url)).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    expect((await receive(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body)).toEqual(['no delay']);
    clock.advance(10_000);
    expect((await receive(url, { MaxNumberOfMessages: 10 })).map((m) => m.Body)).toEqual(['queue delay']);
    clock.advance(50_000);
    expect(sqs.service.messages('delayed')).toEqual([]);
    expect(await attributes(url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('checks ReceiveMessage parameters', async () => {
    const url = await createQueue('params');
    await expect(receive(url, { MaxNumberOfMessages: 11 })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message:
        'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    });
    await expect(receive(url, { WaitTimeSeconds: 21 })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(receive(url, { VisibilityTimeout: -1 })).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = await createQueue('dead-letters');
    const url = await createQueue('work', {
      VisibilityTimeout: '0',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dead-letters',
        maxReceiveCount: 2,
      }),
    });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    expect(await receive(url)).toHaveLength(1);
    expect(await receive(url)).toHaveLength(1);
    expect(await receive(url)).toEqual([]);
    expect((await receive(dlq)).map((m) => m.Body)).toEqual(['poison']);
    const sources = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    expect(sources.queueUrls).toEqual([url]);
  });
});

describe('long polling', () => {
  it('answers as soon as a message arrives', async () => {
    const url = await createQueue('waiting');
    const waiting = receive(url, { WaitTimeSeconds: 20 });
    await until(() => clock.sleeping() === 1);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'arrived' }));
    expect((await waiting).map((m) => m.Body)).toEqual(['arrived']);
    expect(clock.now()).toBe(START);
  });

  it('answers empty when the wait is over, and when a message becomes visible again', async () => {
    const url = await createQueue('patient', { ReceiveMessageWaitTimeSeconds: '20', VisibilityTimeout: '5' });
    const empty = receive(url);
    await until(() => clock.sleeping() === 1);
    clock.advance(20_000);
    expect(await empty).toEqual([]);

    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    await receive(url);
    const waiting = receive(url);
    await until(() => clock.sleeping() === 1);
    clock.advance(5_000);
    expect((await waiting).map((m) => m.Body)).toEqual(['again']);
  });

  it('ends waiting receives, empty, when the service closes', async () => {
    const url = await createQueue('closing');
    const waiting = receive(url, { WaitTimeSeconds: 20 });
    await until(() => clock.sleeping() === 1);
    sqs.service.close();
    expect(await waiting).toEqual([]);
  });

  it('stops waiting when the client goes away, taking nothing', async () => {
    const url = await createQueue('abandoned');
    const controller = new AbortController();
    const waiting = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), {
      abortSignal: controller.signal,
    });
    await until(() => clock.sleeping() === 1);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await until(() => clock.sleeping() === 0);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for someone else' }));
    expect(await attributes(url)).toMatchObject({ ApproximateNumberOfMessages: '1' });
  });
});

describe('batches', () => {
  it('sends a batch with per-entry failures', async () => {
    const url = await createQueue('batch');
    const out = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok-1', MessageBody: 'one' },
          { Id: 'bad-chars', MessageBody: 'nul \u0000' },
          { Id: 'ok-2', MessageBody: 'two', DelaySeconds: 3 },
          { Id: 'bad-delay', MessageBody: 'x', DelaySeconds: 1000 },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(['ok-1', 'ok-2']);
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'bad-chars', SenderFault: true, Code: 'InvalidMessageContents' }),
      expect.objectContaining({ Id: 'bad-delay', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    expect(sqs.service.messages('batch').map((m) => m.Body)).toEqual(['one', 'two']);
  });

  it('refuses malformed batches with the SDK’s exception classes', async () => {
    const url = await createQueue('malformed');
    const send = (Entries: { Id: string; MessageBody: string }[]) =>
      client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
    await expect(send([])).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(
      send(Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }))),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(
      send([
        { Id: 'same', MessageBody: 'a' },
        { Id: 'same', MessageBody: 'b' },
      ]),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    await expect(send([{ Id: 'no spaces', MessageBody: 'a' }])).rejects.toBeInstanceOf(InvalidBatchEntryId);
    await client.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MaximumMessageSize: '1048576' } }),
    );
    await expect(
      send([
        { Id: 'a', MessageBody: 'x'.repeat(600_000) },
        { Id: 'b', MessageBody: 'x'.repeat(600_000) },
      ]),
    ).rejects.toBeInstanceOf(BatchRequestTooLong);
  });

  it('deletes and changes visibility in batches, reporting bad handles per entry', async () => {
    const url = await createQueue('acks');
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['a', 'b', 'c'].map((Id) => ({ Id, MessageBody: Id })),
      }),
    );
    const received = await receive(url, { MaxNumberOfMessages: 10, VisibilityTimeout: 60 });
    expect(received.map((m) => m.Body)).toEqual(['a', 'b', 'c']);
    const changed = await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'c', ReceiptHandle: received[2].ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'bogus', ReceiptHandle: 'bogus', VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful).toEqual([{ Id: 'c' }]);
    expect(changed.Failed).toEqual([
      expect.objectContaining({ Id: 'bogus', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ]);
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', ReceiptHandle: received[0].ReceiptHandle },
          { Id: 'b', ReceiptHandle: received[1].ReceiptHandle },
          { Id: 'bogus', ReceiptHandle: 'bogus' },
        ],
      }),
    );
    expect(deleted.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect(deleted.Failed?.map((f) => f.Id)).toEqual(['bogus']);
    expect((await receive(url)).map((m) => m.Body)).toEqual(['c']);
  });
});

describe('errors and authorization', () => {
  it('maps errors to the SDK’s classes, with the query codes the SDK exposes', async () => {
    const error = await client
      .send(new SendMessageCommand({ QueueUrl: sqs.queueUrl('nope'), MessageBody: 'x' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error).toMatchObject({
      name: 'QueueDoesNotExist',
      message: 'The specified queue does not exist.',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers the JSON protocol’s shapes on the wire (__type, x-amzn-query-error), and InvalidAction for an unknown operation', async () => {
    const post = (target: string, body: object) =>
      fetch(sqs.endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body: JSON.stringify(body),
      });
    const missing = await post('AmazonSQS.GetQueueUrl', { QueueName: 'nope' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(await missing.json()).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
    const unknown = await post('AmazonSQS.MakeCoffee', {});
    expect(unknown.headers.get('x-amzn-query-error')).toBe('InvalidAction;Sender');
    expect(await unknown.json()).toMatchObject({
      message: 'The action MakeCoffee is not valid for this web service.',
    });
    const noParameter = await post('AmazonSQS.SendMessage', { MessageBody: 'x' });
    expect(await noParameter.json()).toMatchObject({
      __type: 'com.amazonaws.sqs#MissingParameter',
      message: 'The request must contain the parameter QueueUrl.',
    });
  });

  it('asks IAM for sqs:<Action> on the queue’s ARN, and answers a denial with AccessDenied', async () => {
    await sqs.stop();
    sqs = await startLocalSqs({
      clock,
      deny: (action, resource) => action === 'sqs:SendMessage' && resource.endsWith(':guarded'),
    });
    client = sqs.client;
    const url = await createQueue('guarded');
    await client.send(new ListQueuesCommand({}));
    const denied = await client
      .send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))
      .catch((e) => e);
    expect(denied).toBeInstanceOf(SQSServiceException);
    expect(denied).toMatchObject({
      name: 'AccessDenied',
      message: `Access to the resource ${sqs.endpoint.url}/ is denied.`,
      $metadata: { httpStatusCode: 403 },
    });
    await receive(url);
    expect(sqs.authorized).toEqual([
      'sqs:CreateQueue arn:aws:sqs:us-east-1:000000000000:guarded',
      'sqs:ListQueues arn:aws:sqs:us-east-1:000000000000:*',
      'sqs:SendMessage arn:aws:sqs:us-east-1:000000000000:guarded',
      'sqs:ReceiveMessage arn:aws:sqs:us-east-1:000000000000:guarded',
    ]);
    const raw = await fetch(sqs.endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.SendMessage',
      },
      body: JSON.stringify({ QueueUrl: url, MessageBody: 'x' }),
    });
    expect(raw.status).toBe(403);
    expect(raw.headers.get('x-amzn-query-error')).toBe('AccessDenied;Sender');
    expect(await raw.json()).toMatchObject({ __type: 'com.amazon.coral.service#AccessDeniedException' });
  });
});

/** Waits (in real time, briefly) for the service to reach a state. */
async function until(condition: () => boolean) {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error('the condition never held');
}
