import { z } from 'zod';
import {
  invalidAttributeName,
  invalidParameterValue,
  purgeQueueInProgress,
  queueDoesNotExist,
} from './errors';
import {
  arnOf,
  authorize,
  intParameter,
  parse,
  queueOf,
  queueUrl,
  stringMap,
  type Context,
  type Input,
} from './input';
import { COMPUTED_ATTRIBUTES, numericAttribute, queueArn, SETTABLE_ATTRIBUTES } from './model';
import type { Queue } from './queue';

/** The queue operations of the SQS API reference: create, find, list, attributes, tags, purge, delete. */

export async function createQueue(ctx: Context, input: Input) {
  const { QueueName, Attributes, tags } = parse(
    z.object({ QueueName: z.string(), Attributes: stringMap.optional(), tags: stringMap.optional() }),
    input,
  );
  const arn = arnOf(ctx, QueueName);
  await authorize(ctx, 'CreateQueue', arn);
  if (tags && Object.keys(tags).length > 0) await authorize(ctx, 'TagQueue', arn);
  ctx.queues.create(QueueName, ctx.request.region, Attributes, tags);
  return { QueueUrl: queueUrl(ctx, QueueName) };
}

export async function getQueueUrl(ctx: Context, input: Input) {
  const { QueueName, QueueOwnerAWSAccountId } = parse(
    z.object({ QueueName: z.string(), QueueOwnerAWSAccountId: z.string().optional() }),
    input,
  );
  await authorize(ctx, 'GetQueueUrl', arnOf(ctx, QueueName));
  if (QueueOwnerAWSAccountId !== undefined && QueueOwnerAWSAccountId !== ctx.request.accountId)
    throw queueDoesNotExist();
  ctx.queues.get(QueueName);
  return { QueueUrl: queueUrl(ctx, QueueName) };
}

export async function listQueues(ctx: Context, input: Input) {
  const { QueueNamePrefix, MaxResults, NextToken } = parse(
    z.object({
      QueueNamePrefix: z.string().optional(),
      MaxResults: z.union([z.number(), z.string()]).optional(),
      NextToken: z.string().optional(),
    }),
    input,
  );
  await authorize(
    ctx,
    'ListQueues',
    queueArn({ name: '*', region: ctx.request.region }, ctx.request.accountId),
  );
  const max = intParameter(
    MaxResults,
    'MaxResults',
    1,
    1000,
    'MaxResults must be an integer between 1 and 1000.',
  );
  const after = NextToken === undefined ? undefined : Buffer.from(NextToken, 'base64url').toString('utf8');
  if (NextToken !== undefined && (max === undefined || !after))
    throw invalidParameterValue('Invalid NextToken value.');
  const names = ctx.queues
    .names()
    .filter((name) => name.startsWith(QueueNamePrefix ?? '') && (after === undefined || name > after));
  const page = names.slice(0, max ?? 1000);
  const more = max !== undefined && names.length > page.length;
  return {
    QueueUrls: page.length > 0 ? page.map((name) => queueUrl(ctx, name)) : undefined,
    NextToken: more ? Buffer.from(page[page.length - 1], 'utf8').toString('base64url') : undefined,
  };
}

/** Every attribute GetQueueAttributes reports for a queue. */
function allAttributes(ctx: Context, queue: Queue): Record<string, string> {
  const { record } = queue;
  const counts = queue.counts();
  const attributes: Record<string, string> = {
    QueueArn: queueArn(record, ctx.request.accountId),
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(record.created / 1000)),
    LastModifiedTimestamp: String(Math.floor(record.modified / 1000)),
    VisibilityTimeout: String(numericAttribute(record, 'VisibilityTimeout')),
    MaximumMessageSize: String(numericAttribute(record, 'MaximumMessageSize')),
    MessageRetentionPeriod: String(numericAttribute(record, 'MessageRetentionPeriod')),
    DelaySeconds: String(numericAttribute(record, 'DelaySeconds')),
    ReceiveMessageWaitTimeSeconds: String(numericAttribute(record, 'ReceiveMessageWaitTimeSeconds')),
  };
  const kms = record.attributes.KmsMasterKeyId;
  if (kms) {
    attributes.KmsMasterKeyId = kms;
    attributes.KmsDataKeyReusePeriodSeconds = String(
      numericAttribute(record, 'KmsDataKeyReusePeriodSeconds'),
    );
  }
  // Queues are encrypted with SQS-managed keys unless a KMS key is chosen.
  attributes.SqsManagedSseEnabled = record.attributes.SqsManagedSseEnabled ?? String(!kms);
  for (const name of ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy'])
    if (record.attributes[name]) attributes[name] = record.attributes[name];
  return attributes;
}

export async function getQueueAttributes(ctx: Context, input: Input) {
  const { AttributeNames = [] } = parse(z.object({ AttributeNames: z.array(z.string()).optional() }), input);
  const queue = await queueOf(ctx, input, 'GetQueueAttributes');
  const known = new Set<string>(['All', ...SETTABLE_ATTRIBUTES, ...COMPUTED_ATTRIBUTES]);
  for (const name of AttributeNames) if (!known.has(name)) throw invalidAttributeName(name);
  const all = allAttributes(ctx, queue);
  const wanted = AttributeNames.includes('All')
    ? all
    : Object.fromEntries(Object.entries(all).filter(([name]) => AttributeNames.includes(name)));
  return { Attributes: Object.keys(wanted).length > 0 ? wanted : undefined };
}

export async function setQueueAttributes(ctx: Context, input: Input) {
  const { Attributes } = parse(z.object({ Attributes: stringMap }), input);
  const queue = await queueOf(ctx, input, 'SetQueueAttributes');
  ctx.queues.setAttributes(queue, Attributes);
  return {};
}

export async function purgeQueue(ctx: Context, input: Input) {
  const queue = await queueOf(ctx, input, 'PurgeQueue');
  const now = ctx.queues.clock.now();
  if (queue.lastPurge !== undefined && now - queue.lastPurge < 60_000)
    throw purgeQueueInProgress(queueArn(queue.record, ctx.request.accountId));
  queue.purge();
  return {};
}

export async function deleteQueue(ctx: Context, input: Input) {
  ctx.queues.delete(await queueOf(ctx, input, 'DeleteQueue'));
  return {};
}

export async function tagQueue(ctx: Context, input: Input) {
  const { Tags } = parse(z.object({ Tags: stringMap }), input);
  const queue = await queueOf(ctx, input, 'TagQueue');
  const tags = { ...queue.record.tags, ...Tags };
  if (Object.keys(tags).length > 50) throw invalidParameterValue('Too many tags added for queue.');
  ctx.queues.setTags(queue, tags);
  return {};
}

export async function untagQueue(ctx: Context, input: Input) {
  const { TagKeys } = parse(z.object({ TagKeys: z.array(z.string()) }), input);
  const queue = await queueOf(ctx, input, 'UntagQueue');
  ctx.queues.setTags(
    queue,
    Object.fromEntries(Object.entries(queue.record.tags).filter(([key]) => !TagKeys.includes(key))),
  );
  return {};
}

export async function listQueueTags(ctx: Context, input: Input) {
  const queue = await queueOf(ctx, input, 'ListQueueTags');
  return { Tags: Object.keys(queue.record.tags).length > 0 ? { ...queue.record.tags } : undefined };
}

/** The queues whose redrive policy names this one as their dead-letter queue. */
export async function listDeadLetterSourceQueues(ctx: Context, input: Input) {
  const queue = await queueOf(ctx, input, 'ListDeadLetterSourceQueues');
  const arn = queueArn(queue.record, ctx.request.accountId);
  const sources = ctx.queues.names().filter((name) => {
    const policy = ctx.queues.find(name)?.record.attributes.RedrivePolicy;
    return !!policy && (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn === arn;
  });
  return { queueUrls: sources.map((name) => queueUrl(ctx, name)) };
}
