import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * A small stand-in for Amazon SQS on 127.0.0.1, speaking the AWS JSON protocol the SDK v3 SQS
 * client uses, for the queues the stacks declare (failure queues and on-failure destinations).
 * It implements what the pipeline and its tests need: SendMessage, SendMessageBatch,
 * ReceiveMessage, DeleteMessage, GetQueueUrl, GetQueueAttributes (message count),
 * CreateQueue and PurgeQueue. Every message is appended to `<dir>/<queue>.jsonl`, so failures
 * survive restarts and can be read with any text tool.
 */

export interface QueueMessage {
  readonly MessageId: string;
  readonly Body: string;
  readonly SentTimestamp: number;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

class QueueStore {
  private readonly queues = new Map<string, QueueMessage[]>();

  constructor(private readonly dir: string | undefined) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  private file(name: string) {
    return this.dir ? path.join(this.dir, `${name}.jsonl`) : undefined;
  }

  ensure(name: string): QueueMessage[] {
    let messages = this.queues.get(name);
    if (!messages) {
      const file = this.file(name);
      messages =
        file && existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line) as QueueMessage)
          : [];
      if (file && !existsSync(file)) writeFileSync(file, '');
      this.queues.set(name, messages);
    }
    return messages;
  }

  has(name: string) {
    return this.queues.has(name) || (this.file(name) !== undefined && existsSync(this.file(name)!));
  }

  send(name: string, body: string): QueueMessage {
    const message = { MessageId: randomUUID(), Body: body, SentTimestamp: Date.now() };
    this.ensure(name).push(message);
    const file = this.file(name);
    if (file) appendFileSync(file, `${JSON.stringify(message)}\n`);
    return message;
  }

  remove(name: string, messageId: string) {
    const messages = this.ensure(name);
    const index = messages.findIndex((m) => m.MessageId === messageId);
    if (index >= 0) messages.splice(index, 1);
    this.rewrite(name);
  }

  purge(name: string) {
    this.ensure(name).length = 0;
    this.rewrite(name);
  }

  private rewrite(name: string) {
    const file = this.file(name);
    if (file)
      writeFileSync(
        file,
        this.ensure(name)
          .map((m) => `${JSON.stringify(m)}\n`)
          .join(''),
      );
  }
}

export interface SqsStandIn {
  readonly endpoint: string;
  /** Messages currently in a queue, oldest first. */
  messages(queueName: string): readonly QueueMessage[];
  createQueue(name: string): string;
  /** Puts a message on a queue directly, as a service integration (Lambda's on-failure destination) does. */
  send(queueName: string, body: string): QueueMessage;
  stop(): Promise<void>;
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSqsStandIn(options: { port?: number; dir?: string } = {}): Promise<SqsStandIn> {
  const store = new QueueStore(options.dir);
  let endpoint = '';
  const queueUrl = (name: string) => `${endpoint}/000000000000/${name}`;
  const queueName = (url: unknown): string => {
    const name = typeof url === 'string' ? url.split('/').pop() : undefined;
    if (!name || !store.has(name)) {
      throw new SqsError(
        'AWS.SimpleQueueService.NonExistentQueue',
        `The specified queue does not exist: ${url}`,
      );
    }
    return name;
  };
  const inFlight = new Map<string, { queue: string; id: string }>();

  const actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateQueue: (input) => {
      store.ensure(String(input.QueueName));
      return { QueueUrl: queueUrl(String(input.QueueName)) };
    },
    GetQueueUrl: (input) => ({ QueueUrl: queueUrl(queueName(`/${input.QueueName}`)) }),
    SendMessage: (input) => {
      const message = store.send(queueName(input.QueueUrl), String(input.MessageBody));
      return { MessageId: message.MessageId, MD5OfMessageBody: md5(message.Body) };
    },
    SendMessageBatch: (input) => {
      const name = queueName(input.QueueUrl);
      const entries = (input.Entries ?? []) as { Id: string; MessageBody: string }[];
      return {
        Successful: entries.map((entry) => {
          const message = store.send(name, entry.MessageBody);
          return { Id: entry.Id, MessageId: message.MessageId, MD5OfMessageBody: md5(message.Body) };
        }),
        Failed: [],
      };
    },
    ReceiveMessage: (input) => {
      const name = queueName(input.QueueUrl);
      const max = Number(input.MaxNumberOfMessages ?? 1);
      const messages = store.ensure(name).slice(0, max);
      return {
        Messages: messages.map((m) => {
          const handle = randomUUID();
          inFlight.set(handle, { queue: name, id: m.MessageId });
          return {
            MessageId: m.MessageId,
            ReceiptHandle: handle,
            MD5OfBody: md5(m.Body),
            Body: m.Body,
            Attributes: { SentTimestamp: String(m.SentTimestamp) },
          };
        }),
      };
    },
    DeleteMessage: (input) => {
      const handle = inFlight.get(String(input.ReceiptHandle));
      if (handle) store.remove(handle.queue, handle.id);
      inFlight.delete(String(input.ReceiptHandle));
      return {};
    },
    GetQueueAttributes: (input) => {
      const name = queueName(input.QueueUrl);
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(store.ensure(name).length),
          QueueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
        },
      };
    },
    PurgeQueue: (input) => {
      store.purge(queueName(input.QueueUrl));
      return {};
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = actions[target.replace(/^AmazonSQS\./, '')];
      if (req.method !== 'POST' || !action) {
        throw new SqsError('InvalidAction', `The stand-in does not implement ${target || req.method}`);
      }
      const text = await readBody(req);
      reply(200, action(text ? (JSON.parse(text) as Record<string, unknown>) : {}));
    } catch (error) {
      const e = error instanceof SqsError ? error : new SqsError('InternalError', String(error), 500);
      res.setHeader('x-amzn-query-error', `${e.type};Sender`);
      reply(e.status, { __type: e.type, message: e.message });
    }
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    messages: (name) => [...store.ensure(name)],
    createQueue: (name) => {
      store.ensure(name);
      return queueUrl(name);
    },
    send: (name, body) => store.send(name, body),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
