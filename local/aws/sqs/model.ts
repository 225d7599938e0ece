import {
  invalidAttributeName,
  invalidAttributeValue,
  invalidParameterValue,
  unsupportedOperation,
} from './errors';

/**
 * What SQS keeps about queues and messages, and the limits its API reference documents for
 * them (CreateQueue / SetQueueAttributes attribute ranges and defaults, queue names).
 */

/** The JSON protocol's MessageAttributeValue (binary values base64-encoded, as on the wire). */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
  readonly StringListValues?: readonly string[];
  readonly BinaryListValues?: readonly string[];
}

export type MessageAttributes = Readonly<Record<string, MessageAttributeValue>>;

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes?: MessageAttributes;
  readonly md5OfAttributes?: string;
  /** `AWSTraceHeader`, the one message system attribute. */
  readonly systemAttributes?: MessageAttributes;
  readonly md5OfSystemAttributes?: string;
  /** Epoch ms. */
  readonly sent: number;
  readonly senderId: string;
  /** Epoch ms from which it can be received (after a delay or a visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceive?: number;
  /** When it was last received, epoch ms (bounds ChangeMessageVisibility at 12 hours). */
  lastReceive?: number;
  /** The nonce of the receipt handle of the last receive: only that handle deletes. */
  receipt?: string;
}

export interface QueueRecord {
  readonly name: string;
  readonly region: string;
  /** Epoch ms. */
  readonly created: number;
  modified: number;
  /** The settable attributes as given (defaults are not stored). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

interface Range {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** Settable numeric attributes: range and default (SetQueueAttributes in the API reference). */
export const NUMERIC_ATTRIBUTES: Readonly<Record<string, Range>> = {
  DelaySeconds: { min: 0, max: 900, default: 0 },
  // 1 KiB to 1 MiB; new queues keep 256 KiB unless told otherwise.
  MaximumMessageSize: { min: 1024, max: 1_048_576, default: 262_144 },
  // 1 minute to 14 days; 4 days by default.
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  // Up to 12 hours.
  VisibilityTimeout: { min: 0, max: 43_200, default: 30 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400, default: 300 },
};

/** Settable attributes kept as given (policies are JSON documents, KMS key ids are names). */
const TEXT_ATTRIBUTES = ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId'] as const;
const BOOLEAN_ATTRIBUTES = ['SqsManagedSseEnabled'] as const;
const FIFO_ATTRIBUTES = [
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
];

/** Attributes only GetQueueAttributes returns. */
export const COMPUTED_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

export const SETTABLE_ATTRIBUTES: readonly string[] = [
  ...Object.keys(NUMERIC_ATTRIBUTES),
  ...TEXT_ATTRIBUTES,
  ...BOOLEAN_ATTRIBUTES,
];

/** Checks attributes given to CreateQueue or SetQueueAttributes; returns them normalized. */
export function settableAttributes(given: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (FIFO_ATTRIBUTES.includes(name)) {
      if (name === 'FifoQueue' && value === 'false') continue;
      throw unsupportedOperation('FIFO queues are not supported by the local SQS service.');
    }
    const range = NUMERIC_ATTRIBUTES[name];
    if (range) {
      const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
      if (!(n >= range.min && n <= range.max)) throw invalidAttributeValue(name);
      out[name] = String(n);
    } else if ((BOOLEAN_ATTRIBUTES as readonly string[]).includes(name)) {
      if (!/^(true|false)$/i.test(value)) throw invalidAttributeValue(name);
      out[name] = value.toLowerCase();
    } else if ((TEXT_ATTRIBUTES as readonly string[]).includes(name)) {
      if ((name === 'Policy' || name.startsWith('Redrive')) && value !== '' && !isJsonObject(value))
        throw invalidAttributeValue(name);
      out[name] = value;
    } else {
      throw invalidAttributeName(name);
    }
  }
  return out;
}

function isJsonObject(text: string) {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** A numeric attribute of a queue, its default when not set. */
export function numericAttribute(queue: QueueRecord, name: keyof typeof NUMERIC_ATTRIBUTES): number {
  const value = queue.attributes[name];
  return value === undefined ? NUMERIC_ATTRIBUTES[name].default : Number(value);
}

/** Queue names: 1 to 80 alphanumeric characters, hyphens or underscores. */
export function checkQueueName(name: string) {
  if (name.endsWith('.fifo'))
    throw unsupportedOperation('FIFO queues are not supported by the local SQS service.');
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
    throw invalidParameterValue(
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
}

export const queueArn = (queue: Pick<QueueRecord, 'name' | 'region'>, accountId: string) =>
  `arn:aws:sqs:${queue.region}:${accountId}:${queue.name}`;

/** Message system attributes ReceiveMessage can return. */
export const MESSAGE_SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
] as const;
