/**
 * The local SQS service keeps queues, messages, deletions and visibility across restarts:
 * a journal per queue, flushed before each answer, a torn last line (a crash mid-write)
 * dropped, and journals compacted once they are mostly history.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sqsService } from '../../local/aws/sqs';
import { manualClock } from '../support/manual-clock';
import { startLocalSqs, type LocalSqs } from '../support/sqs';

let dir: string;
let clock: ReturnType<typeof manualClock>;
let sqs: LocalSqs | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sqs-store-'));
  clock = manualClock();
});
afterEach(() => sqs?.stop());

async function restart() {
  await sqs?.stop();
  sqs = await startLocalSqs({ dir, clock });
  return sqs;
}

const receive = (s: LocalSqs, QueueUrl: string, VisibilityTimeout?: number) =>
  s.client
    .send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout }))
    .then((out) => out.Messages ?? []);

const journal = (name: string) => path.join(dir, 'queues', `${name}.log`);

it('keeps queues, messages, deletions and messages in flight across a restart', async () => {
  let s = await restart();
  const url = (
    await s.client.send(
      new CreateQueueCommand({ QueueName: 'kept', Attributes: { VisibilityTimeout: '60' } }),
    )
  ).QueueUrl!;
  await s.client.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: ['a', 'b', 'c'].map((Id) => ({ Id, MessageBody: Id })),
    }),
  );
  const [a] = await s.client.send(new ReceiveMessageCommand({ QueueUrl: url })).then((out) => out.Messages!);
  const [b] = await s.client
    .send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }))
    .then((out) => out.Messages!);
  expect([a.Body, b.Body]).toEqual(['a', 'b']);
  await s.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: b.ReceiptHandle }));

  s = await restart();
  const attributes = await s.client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  expect(attributes.Attributes).toMatchObject({
    VisibilityTimeout: '60',
    ApproximateNumberOfMessages: '1',
    ApproximateNumberOfMessagesNotVisible: '1',
  });
  expect((await receive(s, url, 0)).map((m) => m.Body)).toEqual(['c']);
  clock.advance(60_000);
  // The receipt handle from before the restart still deletes the message it was given for.
  await s.client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a.ReceiptHandle }));
  expect(s.service.messages('kept').map((m) => m.Body)).toEqual(['c']);
});

it('drops a torn last line left by a crash, and goes on appending after it', async () => {
  let s = await restart();
  const url = (await s.client.send(new CreateQueueCommand({ QueueName: 'torn' }))).QueueUrl!;
  await s.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'acknowledged' }));
  await s.stop();
  sqs = undefined;
  const before = statSync(journal('torn')).size;
  appendFileSync(journal('torn'), '{"op":"send","message":{"id":"half-writ');

  s = await restart();
  expect(statSync(journal('torn')).size).toBe(before);
  await s.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after' }));
  s = await restart();
  expect(s.service.messages('torn').map((m) => m.Body)).toEqual(['acknowledged', 'after']);
});

it('refuses to start on a journal damaged in the middle, saying which file and line', async () => {
  const s = await restart();
  const url = (await s.client.send(new CreateQueueCommand({ QueueName: 'damaged' }))).QueueUrl!;
  for (const body of ['one', 'two'])
    await s.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  await s.stop();
  sqs = undefined;
  const lines = readFileSync(journal('damaged'), 'utf8').split('\n');
  lines[0] = '#garbage';
  writeFileSync(journal('damaged'), lines.join('\n'));
  expect(() => sqsService({ dir })).toThrow(
    `${journal('damaged')}: line 1 is damaged; the queue cannot be read`,
  );
});

it('compacts a journal that is mostly history, keeping what is live', async () => {
  let s = await restart();
  const url = (await s.client.send(new CreateQueueCommand({ QueueName: 'busy' }))).QueueUrl!;
  for (let round = 0; round < 40; round++) {
    await s.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `${round}-${i}` })),
      }),
    );
    const received = await receive(s, url);
    await s.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: received.slice(0, 9).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    clock.advance(30_000);
  }
  const lines = readFileSync(journal('busy'), 'utf8').split('\n').filter(Boolean).length;
  expect(lines).toBeLessThan(1000);
  const live = s.service.messages('busy').map((m) => m.Body);
  expect(live).toHaveLength(40);
  s = await restart();
  expect(s.service.messages('busy').map((m) => m.Body)).toEqual(live);
});

it('takes over the messages the earlier JSON stand-in kept', async () => {
  writeFileSync(
    path.join(dir, 'failures.jsonl'),
    `${JSON.stringify({ MessageId: 'x', Body: '{"kind":"malformed-record"}', SentTimestamp: 1 })}\n`,
  );
  const s = await restart();
  expect(s.service.messages('failures').map((m) => m.Body)).toEqual(['{"kind":"malformed-record"}']);
  await restart();
  expect(sqs!.service.messages('failures')).toHaveLength(1);
});
