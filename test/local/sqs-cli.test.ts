/**
 * The local SQS service through the real AWS CLI v2 from Debian (`/usr/bin/aws`, which speaks
 * SQS's query protocol), run as a child process with made-up credentials, as a person would
 * run it against `npm start`'s endpoint.
 */
import { createHash } from 'node:crypto';
import { awsCli, awsCliJson } from '../support/aws-cli';
import { manualClock } from '../support/manual-clock';
import { startLocalSqs, type LocalSqs } from '../support/sqs';

let sqs: LocalSqs;
let clock: ReturnType<typeof manualClock>;

beforeAll(async () => {
  clock = manualClock();
  sqs = await startLocalSqs({ clock });
});
afterAll(() => sqs?.stop());

/** `aws sqs <args>` against the local endpoint. */
const aws = (...args: string[]) => awsCli(sqs.endpoint.url, ['sqs', ...args]);
/** Runs `aws sqs …` and parses what it printed; fails with its stderr when it fails. */
const ok = (...args: string[]) => awsCliJson(sqs.endpoint.url, ['sqs', ...args]);

interface CliMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  Attributes: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

it('creates, lists and finds a queue, sends, receives, changes visibility, deletes and purges; prints SQS’s error code for a missing queue', async () => {
  const { QueueUrl: url } = (await ok(
    'create-queue',
    '--queue-name',
    'rides',
    '--attributes',
    'VisibilityTimeout=60',
  )) as { QueueUrl: string };
  expect(url).toBe(sqs.queueUrl('rides'));
  // Independent commands run side by side: each CLI start takes a while.
  const [listed, found, missing] = await Promise.all([
    ok('list-queues'),
    ok('get-queue-url', '--queue-name', 'rides'),
    aws('get-queue-url', '--queue-name', 'nope'),
  ]);
  expect(listed).toEqual({ QueueUrls: [url] });
  expect(found).toEqual({ QueueUrl: url });
  // A queue that does not exist: SQS's error code, as the CLI prints it against AWS.
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain(
    'An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.',
  );

  const body = '{"ride":"r-1","fare":12.5}';
  const sent = await ok(
    'send-message',
    '--queue-url',
    url,
    '--message-body',
    body,
    '--message-attributes',
    '{"unicorn":{"DataType":"String","StringValue":"Shadowfax"}}',
  );
  expect(sent).toEqual({
    MD5OfMessageBody: md5(body),
    MD5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
    MessageId: expect.any(String),
  });

  const first = (
    (await ok(
      'receive-message',
      '--queue-url',
      url,
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'All',
      '--visibility-timeout',
      '10',
    )) as { Messages: CliMessage[] }
  ).Messages;
  expect(first).toEqual([
    expect.objectContaining({
      MessageId: sent.MessageId,
      Body: body,
      MD5OfBody: md5(body),
      Attributes: {
        SenderId: '000000000000',
        SentTimestamp: String(clock.now()),
        ApproximateReceiveCount: '1',
        ApproximateFirstReceiveTimestamp: String(clock.now()),
      },
      MessageAttributes: { unicorn: { DataType: 'String', StringValue: 'Shadowfax' } },
    }),
  ]);
  const attributes = (await ok('get-queue-attributes', '--queue-url', url, '--attribute-names', 'All')) as {
    Attributes: Record<string, string>;
  };
  expect(attributes.Attributes).toMatchObject({
    QueueArn: 'arn:aws:sqs:us-east-1:000000000000:rides',
    VisibilityTimeout: '60',
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '1',
    MessageRetentionPeriod: '345600',
  });
  await ok(
    'change-message-visibility',
    '--queue-url',
    url,
    '--receipt-handle',
    first[0].ReceiptHandle,
    '--visibility-timeout',
    '0',
  );
  const again = (
    (await ok('receive-message', '--queue-url', url, '--attribute-names', 'All')) as {
      Messages: CliMessage[];
    }
  ).Messages;
  expect(again[0].Attributes.ApproximateReceiveCount).toBe('2');
  expect(again[0].ReceiptHandle).not.toBe(first[0].ReceiptHandle);
  await ok('delete-message', '--queue-url', url, '--receipt-handle', again[0].ReceiptHandle);
  expect(sqs.service.messages('rides')).toEqual([]);

  await ok('send-message', '--queue-url', url, '--message-body', 'to be purged');
  await ok('purge-queue', '--queue-url', url);
  expect(sqs.service.messages('rides')).toEqual([]);
}, 180_000); // Each CLI run starts a Python interpreter: seconds apiece on a busy machine.
