import type { Clock } from '#core/shard-follower';
import { realSleep } from '#core/retry';
import type { AwsRequest, AwsResponse, AwsService } from './service';
import { decode, encode, encodeError, unknownOperation, type Decoded } from './sqs/codec';
import { SqsError, unsupportedOperation } from './sqs/errors';
import type { Context, Input } from './sqs/input';
import * as messages from './sqs/message-operations';
import * as queues from './sqs/queue-operations';
import { QueueSet } from './sqs/queues';

/**
 * Amazon SQS for the local endpoint: standard queues kept on disk under `dir`, every
 * operation of the SQS API reference on them in both of SQS's wire protocols (AWS JSON for
 * current SDKs, query for the AWS CLI v1 and older v2), each authorized as IAM would
 * (`sqs:<Action>` on the queue's ARN). The runtime also uses it directly, as AWS services do
 * (a Lambda function's on-failure destination).
 */

type Operation = (ctx: Context, input: Input) => object | Promise<object>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateQueue: queues.createQueue,
  GetQueueUrl: queues.getQueueUrl,
  ListQueues: queues.listQueues,
  GetQueueAttributes: queues.getQueueAttributes,
  SetQueueAttributes: queues.setQueueAttributes,
  PurgeQueue: queues.purgeQueue,
  DeleteQueue: queues.deleteQueue,
  TagQueue: queues.tagQueue,
  UntagQueue: queues.untagQueue,
  ListQueueTags: queues.listQueueTags,
  ListDeadLetterSourceQueues: queues.listDeadLetterSourceQueues,
  SendMessage: messages.sendMessage,
  SendMessageBatch: messages.sendMessageBatch,
  ReceiveMessage: messages.receiveMessage,
  DeleteMessage: messages.deleteMessage,
  DeleteMessageBatch: messages.deleteMessageBatch,
  ChangeMessageVisibility: messages.changeMessageVisibility,
  ChangeMessageVisibilityBatch: messages.changeMessageVisibilityBatch,
};

/** Operations SQS has that the local service does not. */
const NOT_HERE = [
  'AddPermission',
  'RemovePermission',
  'StartMessageMoveTask',
  'CancelMessageMoveTask',
  'ListMessageMoveTasks',
];

/** A message as the runtime and tests see it. */
export interface QueueMessage {
  readonly MessageId: string;
  readonly Body: string;
  /** Epoch ms. */
  readonly SentTimestamp: number;
}

export interface SqsService extends AwsService {
  /** Creates a queue if it does not exist (CreateQueue's rules: same attributes or QueueNameExists). */
  createQueue(
    name: string,
    options?: { readonly attributes?: Readonly<Record<string, string>>; readonly region?: string },
  ): void;
  /** Puts a message on a queue directly, as a service integration (Lambda's on-failure destination) does. */
  send(queueName: string, body: string): QueueMessage;
  /** Every message a queue holds (visible, in flight or delayed), oldest first; none for an unknown queue. */
  messages(queueName: string): readonly QueueMessage[];
  /** Closes the queues' files and ends waiting receives. */
  close(): void;
}

export interface SqsServiceOptions {
  /** Where the queues are kept. */
  readonly dir: string;
  /** Time for visibility timeouts, delays, retention and long polling. @default the real clock */
  readonly clock?: Clock;
  /** The region of queues created directly. @default 'us-east-1' */
  readonly region?: string;
  /** The local account, the sender of messages sent directly. @default '000000000000' */
  readonly accountId?: string;
  /** Flush every change to disk before answering. @default true */
  readonly sync?: boolean;
}

async function handle(set: QueueSet, request: AwsRequest): Promise<AwsResponse> {
  let protocol: Decoded['protocol'] = request.headers['x-amz-target'] ? 'json' : 'query';
  try {
    const decoded = decode(request);
    protocol = decoded.protocol;
    const operation = OPERATIONS[decoded.operation];
    if (!operation) {
      if (NOT_HERE.includes(decoded.operation))
        throw unsupportedOperation(`${decoded.operation} is not supported by the local SQS service.`);
      throw unknownOperation(decoded.operation);
    }
    const output = await operation({ request, queues: set }, decoded.input);
    return encode(protocol, decoded.operation, output);
  } catch (error) {
    if (error instanceof SqsError) return encodeError(protocol, error);
    return encodeError(
      protocol,
      new SqsError('InternalFailure', (error as Error).message, 'InternalFailure', 500),
    );
  }
}

export function sqsService(options: SqsServiceOptions): SqsService {
  const clock = options.clock ?? { now: Date.now, sleep: realSleep };
  const set = new QueueSet(options.dir, clock, options.sync ?? true);
  const accountId = options.accountId ?? '000000000000';
  const view = (m: { id: string; body: string; sent: number }): QueueMessage => ({
    MessageId: m.id,
    Body: m.body,
    SentTimestamp: m.sent,
  });
  return {
    signingNames: ['sqs'],
    targetPrefixes: ['AmazonSQS.'],
    handle: (request) => handle(set, request),
    createQueue: (name, { attributes, region } = {}) => {
      set.create(name, region ?? options.region ?? 'us-east-1', attributes);
    },
    send: (queueName, body) => {
      const [message] = set.get(queueName).send([{ body, senderId: accountId }]);
      return view(message);
    },
    messages: (queueName) => {
      const queue = set.find(queueName);
      if (!queue) return [];
      queue.expire();
      return [...queue.messages.values()].map(view);
    },
    close: () => set.close(),
  };
}
