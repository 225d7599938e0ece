import { z } from 'zod';
import type { Caller } from '../service';
import {
  batchEntryIdsNotDistinct,
  batchRequestTooLong,
  emptyBatchRequest,
  invalidBatchEntryId,
  invalidParameterValue,
  missingParameter,
  SqsError,
  tooManyEntriesInBatchRequest,
} from './errors';
import { integer, intParameter, messageAttributes, parse, queueOf, type Context, type Input } from './input';
import { checkAttributes, checkBody, md5, md5OfAttributes, messageSize, selectAttributes } from './messages';
import { numericAttribute, type StoredMessage } from './model';
import type { NewMessage, Queue } from './queue';
import { receiveWaiting } from './long-poll';

/** The message operations of the SQS API reference: send, receive, delete, change visibility, and their batches. */

/** A batch request's total payload, as the API reference states it (1 MiB). */
export const BATCH_PAYLOAD_LIMIT = 1_048_576;

const messageEntry = z.object({
  MessageBody: z.string().optional(),
  DelaySeconds: integer.optional(),
  MessageAttributes: messageAttributes.optional(),
  MessageSystemAttributes: messageAttributes.optional(),
});
type MessageEntry = z.infer<typeof messageEntry>;

/** Who SQS names as a message's sender: the account for its root, a role's id and session. */
export function senderId(caller: Caller, accountId: string): string {
  switch (caller.kind) {
    case 'administrator':
      return caller.arn.endsWith(':root') ? accountId : caller.accessKeyId;
    case 'role':
      return `AROA${md5(caller.roleArn).toUpperCase().slice(0, 17)}:${caller.sessionName}`;
    default:
      return 'anonymous';
  }
}

function checkedMessage(ctx: Context, queue: Queue, entry: MessageEntry): NewMessage {
  const body = entry.MessageBody;
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  checkBody(body);
  checkAttributes(entry.MessageAttributes);
  checkAttributes(entry.MessageSystemAttributes, 'system');
  const max = numericAttribute(queue.record, 'MaximumMessageSize');
  if (messageSize(body, entry.MessageAttributes) > max)
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`,
    );
  const delaySeconds = intParameter(
    entry.DelaySeconds,
    'DelaySeconds',
    0,
    900,
    'DelaySeconds must be >= 0 and <= 900.',
  );
  return {
    body,
    attributes: entry.MessageAttributes,
    systemAttributes: entry.MessageSystemAttributes,
    delaySeconds,
    senderId: senderId(ctx.request.caller, ctx.request.accountId),
  };
}

const sentOutput = (message: StoredMessage) => ({
  MessageId: message.id,
  MD5OfMessageBody: message.md5OfBody,
  MD5OfMessageAttributes: message.md5OfAttributes,
  MD5OfMessageSystemAttributes: message.md5OfSystemAttributes,
});

export async function sendMessage(ctx: Context, input: Input) {
  const entry = parse(messageEntry, input);
  const queue = await queueOf(ctx, input, 'SendMessage');
  const [message] = queue.send([checkedMessage(ctx, queue, entry)]);
  return sentOutput(message);
}

/** The checks every batch request gets: 1 to 10 entries, each with its own well-formed Id. */
function checkBatch(entries: readonly { Id: string }[], entryName: string) {
  if (entries.length === 0) throw emptyBatchRequest(entryName);
  if (entries.length > 10) throw tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const { Id } of entries) {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(Id)) throw invalidBatchEntryId();
    if (seen.has(Id)) throw batchEntryIdsNotDistinct(Id);
    seen.add(Id);
  }
}

/** A failed batch entry as SQS reports it. */
function failure(Id: string, error: unknown) {
  if (!(error instanceof SqsError)) throw error;
  return { Id, SenderFault: error.status < 500, Code: error.queryCode, Message: error.message };
}

export async function sendMessageBatch(ctx: Context, input: Input) {
  const { Entries } = parse(z.object({ Entries: z.array(messageEntry.extend({ Id: z.string() })) }), input);
  const queue = await queueOf(ctx, input, 'SendMessage');
  checkBatch(Entries, 'SendMessageBatchRequestEntry');
  const bytes = Entries.reduce((n, e) => n + messageSize(e.MessageBody ?? '', e.MessageAttributes), 0);
  if (bytes > BATCH_PAYLOAD_LIMIT) throw batchRequestTooLong(BATCH_PAYLOAD_LIMIT, bytes);
  const accepted: { Id: string; message: NewMessage }[] = [];
  const Failed: ReturnType<typeof failure>[] = [];
  for (const entry of Entries) {
    try {
      accepted.push({ Id: entry.Id, message: checkedMessage(ctx, queue, entry) });
    } catch (error) {
      Failed.push(failure(entry.Id, error));
    }
  }
  const sent = queue.send(accepted.map((a) => a.message));
  return { Successful: sent.map((message, i) => ({ Id: accepted[i].Id, ...sentOutput(message) })), Failed };
}

export async function receiveMessage(ctx: Context, input: Input) {
  const request = parse(
    z.object({
      MaxNumberOfMessages: integer.optional(),
      VisibilityTimeout: integer.optional(),
      WaitTimeSeconds: integer.optional(),
      AttributeNames: z.array(z.string()).optional(),
      MessageSystemAttributeNames: z.array(z.string()).optional(),
      MessageAttributeNames: z.array(z.string()).optional(),
      ReceiveRequestAttemptId: z.string().optional(),
    }),
    input,
  );
  const queue = await queueOf(ctx, input, 'ReceiveMessage');
  const max =
    intParameter(
      request.MaxNumberOfMessages,
      'MaxNumberOfMessages',
      1,
      10,
      'Must be between 1 and 10, if provided.',
    ) ?? 1;
  const visibility =
    intParameter(
      request.VisibilityTimeout,
      'VisibilityTimeout',
      0,
      43_200,
      'Must be >= 0 and <= 43200, if provided.',
    ) ?? numericAttribute(queue.record, 'VisibilityTimeout');
  const wait =
    intParameter(request.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.') ??
    numericAttribute(queue.record, 'ReceiveMessageWaitTimeSeconds');
  const received = await receiveWaiting(ctx, queue, max, visibility, wait);
  const systemNames = [...(request.AttributeNames ?? []), ...(request.MessageSystemAttributeNames ?? [])];
  const messages = received.map(({ message, handle }) => {
    const attributes = selectAttributes(message.attributes, request.MessageAttributeNames ?? []);
    return {
      MessageId: message.id,
      ReceiptHandle: handle,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      Attributes: systemAttributes(message, systemNames),
      MD5OfMessageAttributes: md5OfAttributes(attributes),
      MessageAttributes: attributes,
    };
  });
  return { Messages: messages.length > 0 ? messages : undefined };
}

/** The message system attributes asked for (`All` or by name). */
function systemAttributes(message: StoredMessage, names: readonly string[]) {
  const all: Record<string, string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sent),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceive ?? message.sent),
    AWSTraceHeader: message.systemAttributes?.AWSTraceHeader?.StringValue,
  };
  const chosen = Object.entries(all).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined && (names.includes('All') || names.includes(entry[0])),
  );
  return chosen.length > 0 ? Object.fromEntries(chosen) : undefined;
}

export async function deleteMessage(ctx: Context, input: Input) {
  const { ReceiptHandle } = parse(z.object({ ReceiptHandle: z.string() }), input);
  (await queueOf(ctx, input, 'DeleteMessage')).delete([ReceiptHandle]);
  return {};
}

export async function deleteMessageBatch(ctx: Context, input: Input) {
  const { Entries } = parse(
    z.object({ Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })) }),
    input,
  );
  const queue = await queueOf(ctx, input, 'DeleteMessage');
  checkBatch(Entries, 'DeleteMessageBatchRequestEntry');
  return batchOutcome(Entries, (entry) => queue.delete([entry.ReceiptHandle]));
}

function visibilityTimeout(value: number | string | undefined) {
  if (value === undefined) throw missingParameter('VisibilityTimeout');
  return intParameter(value, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200.')!;
}

export async function changeMessageVisibility(ctx: Context, input: Input) {
  const { ReceiptHandle, VisibilityTimeout } = parse(
    z.object({ ReceiptHandle: z.string(), VisibilityTimeout: integer.optional() }),
    input,
  );
  const queue = await queueOf(ctx, input, 'ChangeMessageVisibility');
  queue.changeVisibility(ReceiptHandle, visibilityTimeout(VisibilityTimeout));
  return {};
}

export async function changeMessageVisibilityBatch(ctx: Context, input: Input) {
  const { Entries } = parse(
    z.object({
      Entries: z.array(
        z.object({ Id: z.string(), ReceiptHandle: z.string(), VisibilityTimeout: integer.optional() }),
      ),
    }),
    input,
  );
  const queue = await queueOf(ctx, input, 'ChangeMessageVisibility');
  checkBatch(Entries, 'ChangeMessageVisibilityBatchRequestEntry');
  return batchOutcome(Entries, (entry) =>
    queue.changeVisibility(entry.ReceiptHandle, visibilityTimeout(entry.VisibilityTimeout ?? 0)),
  );
}

function batchOutcome<E extends { Id: string }>(entries: readonly E[], act: (entry: E) => void) {
  const Successful: { Id: string }[] = [];
  const Failed: ReturnType<typeof failure>[] = [];
  for (const entry of entries) {
    try {
      act(entry);
      Successful.push({ Id: entry.Id });
    } catch (error) {
      Failed.push(failure(entry.Id, error));
    }
  }
  return { Successful, Failed };
}
