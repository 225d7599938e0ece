/**
 * The local SQS service through the real AWS CLI v2 from Debian (`/usr/bin/aws`, which speaks
 * SQS's query protocol), run as a child process with made-up credentials, as a person would
 * run it against `npm start`'s endpoint.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { manualClock } from '../support/manual-clock';
import { startLocalSqs, type LocalSqs } from '../support/sqs';

/** Debian's AWS CLI v2 (`apt-get install awscli`); another through AWS_CLI_PATH. */
const AWS_CLI = process.env.AWS_CLI_PATH ?? '/usr/bin/aws';

let sqs: LocalSqs;
let clock: ReturnType<typeof manualClock>;

beforeAll(async () => {
  if (!existsSync(AWS_CLI)) {
    throw new Error(`No AWS CLI at ${AWS_CLI}: install it (apt-get install awscli) or set AWS_CLI_PATH`);
  }
  clock = manualClock();
  sqs = await startLocalSqs({ clock });
});
afterAll(() => sqs?.stop());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `aws sqs <args>` against the local endpoint, with made-up credentials and no AWS config. */
function aws(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  Object.assign(env, {
    HOME: mkdtempSync(path.join(tmpdir(), 'home-')),
    AWS_ACCESS_KEY_ID: 'anything',
    AWS_SECRET_ACCESS_KEY: 'anything',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const child = spawn(AWS_CLI, ['--endpoint-url', sqs.endpoint.url, '--output', 'json', 'sqs', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `aws sqs …` and parses what it printed; fails with its stderr when it fails. */
async function ok(...args: string[]): Promise<Record<string, unknown>> {
  const run = await aws(...args);
  if (run.code !== 0) throw new Error(`aws sqs ${args.join(' ')} exited ${run.code}:\n${run.stderr}`);
  return run.stdout.trim() === '' ? {} : (JSON.parse(run.stdout) as Record<string, unknown>);
}

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
