/**
 * The local SQS service in the query protocol, by raw form POSTs written from the SQS API
 * reference (the AWS CLI tests cover what the CLI sends; these cover the shapes it does not:
 * batch results and errors, message attributes, requests posted to the queue URL).
 */
import { manualClock } from '../support/manual-clock';
import { queryRequest, startLocalSqs, type LocalSqs } from '../support/sqs';

const XMLNS = 'xmlns="http://queue.amazonaws.com/doc/2012-11-05/"';
let sqs: LocalSqs;
let url: string;

beforeEach(async () => {
  sqs = await startLocalSqs({
    clock: manualClock(),
    deny: (action) => action === 'sqs:DeleteQueue',
  });
  const created = await queryRequest(sqs.endpoint.url, { Action: 'CreateQueue', QueueName: 'rides' });
  expect(created.status).toBe(200);
  url = sqs.queueUrl('rides');
  expect(created.body).toMatch(
    new RegExp(
      `^<\\?xml version="1.0"\\?><CreateQueueResponse ${XMLNS}><CreateQueueResult><QueueUrl>${url}</QueueUrl></CreateQueueResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></CreateQueueResponse>$`,
    ),
  );
});
afterEach(() => sqs.stop());

/** The one element of `xml` named `name`, with its content. */
const element = (xml: string, name: string) => new RegExp(`<${name}>(.*?)</${name}>`).exec(xml)?.[1];

it('sends a message with attributes (the documented attribute digest) and receives it with every attribute', async () => {
  const sent = await queryRequest(sqs.endpoint.url, {
    Action: 'SendMessage',
    QueueUrl: url,
    MessageBody: '<ride id="1"/> & more',
    'MessageAttribute.1.Name': 'attribName1',
    'MessageAttribute.1.Value.DataType': 'String',
    'MessageAttribute.1.Value.StringValue': 'attribValue 1',
  });
  expect(sent.status).toBe(200);
  // The digest published with aws-md5-of-message-attributes for this one attribute.
  expect(element(sent.body, 'MD5OfMessageAttributes')).toBe('19e27d4e946b072f3f58da80d94fd778');
  const id = element(sent.body, 'MessageId');

  const received = await queryRequest(sqs.endpoint.url, {
    Action: 'ReceiveMessage',
    QueueUrl: url,
    'AttributeName.1': 'All',
    'MessageAttributeName.1': 'All',
  });
  const message = element(received.body, 'Message')!;
  expect(element(message, 'MessageId')).toBe(id);
  expect(element(message, 'Body')).toBe('&lt;ride id=&quot;1&quot;/&gt; &amp; more');
  expect(message).toContain('<Attribute><Name>SenderId</Name><Value>000000000000</Value></Attribute>');
  expect(message).toContain('<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>');
  expect(message).toContain(
    '<MessageAttribute><Name>attribName1</Name><Value><DataType>String</DataType><StringValue>attribValue 1</StringValue></Value></MessageAttribute>',
  );
  expect(element(message, 'MD5OfMessageAttributes')).toBe('19e27d4e946b072f3f58da80d94fd778');

  const empty = await queryRequest(sqs.endpoint.url, { Action: 'ReceiveMessage', QueueUrl: url });
  expect(empty.body).toContain('<ReceiveMessageResult></ReceiveMessageResult>');
});

it('takes batches posted to the queue URL and reports each entry', async () => {
  const sent = await queryRequest(url, {
    Action: 'SendMessageBatch',
    'SendMessageBatchRequestEntry.1.Id': 'good',
    'SendMessageBatchRequestEntry.1.MessageBody': 'one',
    'SendMessageBatchRequestEntry.2.Id': 'bad',
    'SendMessageBatchRequestEntry.2.MessageBody': 'bell \u0007',
  });
  expect(sent.status).toBe(200);
  expect(sent.body).toMatch(
    /<SendMessageBatchResult><SendMessageBatchResultEntry><Id>good<\/Id><MessageId>[0-9a-f-]{36}<\/MessageId><MD5OfMessageBody>f97c5d29941bfb1b2fdab0874906ab82<\/MD5OfMessageBody><\/SendMessageBatchResultEntry><BatchResultErrorEntry><Id>bad<\/Id><SenderFault>true<\/SenderFault><Code>InvalidMessageContents<\/Code><Message>Invalid characters found/,
  );

  const received = await queryRequest(url, { Action: 'ReceiveMessage' });
  const handle = element(received.body, 'ReceiptHandle')!;
  const deleted = await queryRequest(url, {
    Action: 'DeleteMessageBatch',
    'DeleteMessageBatchRequestEntry.1.Id': 'mine',
    'DeleteMessageBatchRequestEntry.1.ReceiptHandle': handle,
    'DeleteMessageBatchRequestEntry.2.Id': 'forged',
    'DeleteMessageBatchRequestEntry.2.ReceiptHandle': 'forged',
  });
  expect(deleted.body).toContain(
    '<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>mine</Id></DeleteMessageBatchResultEntry><BatchResultErrorEntry><Id>forged</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code><Message>The input receipt handle &quot;forged&quot; is not a valid receipt handle.</Message></BatchResultErrorEntry></DeleteMessageBatchResult>',
  );
  expect(sqs.service.messages('rides')).toEqual([]);

  const tooMany = await queryRequest(url, {
    Action: 'ChangeMessageVisibilityBatch',
    ...Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [
        [`ChangeMessageVisibilityBatchRequestEntry.${i + 1}.Id`, `e${i}`],
        [`ChangeMessageVisibilityBatchRequestEntry.${i + 1}.ReceiptHandle`, 'x'],
      ]).flat(),
    ),
  });
  expect(tooMany.status).toBe(400);
  expect(element(tooMany.body, 'Code')).toBe('AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
  expect(element(tooMany.body, 'Message')).toBe(
    'Maximum number of entries per request are 10. You have sent 11.',
  );
});

it('reports queue attributes as Attribute entries, and answers actions without output with metadata only', async () => {
  const set = await queryRequest(url, {
    Action: 'SetQueueAttributes',
    'Attribute.1.Name': 'VisibilityTimeout',
    'Attribute.1.Value': '45',
  });
  expect(set.body).toMatch(
    new RegExp(`^<\\?xml version="1.0"\\?><SetQueueAttributesResponse ${XMLNS}><ResponseMetadata>`),
  );
  const got = await queryRequest(sqs.endpoint.url, {
    Action: 'GetQueueAttributes',
    QueueUrl: url,
    'AttributeName.1': 'VisibilityTimeout',
    'AttributeName.2': 'QueueArn',
  });
  expect(got.body).toContain(
    '<GetQueueAttributesResult><Attribute><Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:rides</Value></Attribute><Attribute><Name>VisibilityTimeout</Name><Value>45</Value></Attribute></GetQueueAttributesResult>',
  );
  const listed = await queryRequest(sqs.endpoint.url, { Action: 'ListQueues', QueueNamePrefix: 'ri' });
  expect(listed.body).toContain(`<ListQueuesResult><QueueUrl>${url}</QueueUrl></ListQueuesResult>`);
});

it('answers errors as ErrorResponse documents with SQS’s query codes', async () => {
  const missing = await queryRequest(sqs.endpoint.url, { Action: 'GetQueueUrl', QueueName: 'nope' });
  expect(missing.status).toBe(400);
  expect(missing.body).toMatch(
    new RegExp(
      `^<\\?xml version="1.0"\\?><ErrorResponse ${XMLNS}><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message><Detail/></Error><RequestId>[0-9a-f-]{36}</RequestId></ErrorResponse>$`,
    ),
  );
  const unknown = await queryRequest(sqs.endpoint.url, { Action: 'MakeCoffee' });
  expect(element(unknown.body, 'Code')).toBe('InvalidAction');
  const noBody = await queryRequest(url, { Action: 'SendMessage' });
  expect(element(noBody.body, 'Code')).toBe('MissingParameter');
  expect(element(noBody.body, 'Message')).toBe('The request must contain the parameter MessageBody.');
  const denied = await queryRequest(url, { Action: 'DeleteQueue' });
  expect(denied.status).toBe(403);
  expect(element(denied.body, 'Code')).toBe('AccessDenied');
  expect(element(denied.body, 'Message')).toBe(`Access to the resource ${sqs.endpoint.url}/ is denied.`);
});
