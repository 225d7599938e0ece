import { z } from 'zod';
import { fieldPath } from '#core/schema';
import type { AwsRequest } from '../service';
import {
  accessDenied,
  invalidAddress,
  invalidParameterValue,
  invalidValue,
  missingParameter,
  queueDoesNotExist,
} from './errors';
import { queueArn } from './model';
import type { QueueSet } from './queues';

/**
 * Operation inputs in the JSON protocol's shapes (the query codec turns form parameters into
 * the same), checked with zod; a missing member is SQS's MissingParameter, a wrong one its
 * InvalidParameterValue.
 */

export type Input = Record<string, unknown>;

/** What every operation gets: the request, and the account's queues. */
export interface Context {
  readonly request: AwsRequest;
  readonly queues: QueueSet;
}

/** A number, or (query protocol) the text of one. */
export const integer = z.union([z.number(), z.string()]);
export const stringMap = z.record(z.string(), z.string());
export const messageAttributeValue = z.object({
  DataType: z.string(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
  StringListValues: z.array(z.string()).optional(),
  BinaryListValues: z.array(z.string()).optional(),
});
export const messageAttributes = z.record(z.string(), messageAttributeValue);

export function parse<T extends z.ZodType>(schema: T, input: Input): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = fieldPath(issue.path);
  let value: unknown = input;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  if (value === undefined) throw missingParameter(name);
  throw invalidParameterValue(`Value ${JSON.stringify(value)} for parameter ${name} is invalid.`);
}

/** An optional integer parameter within [min, max]; `reason` is SQS's wording of the range. */
export function intParameter(
  value: number | string | undefined,
  name: string,
  min: number,
  max: number,
  reason: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalidValue(name, value, reason);
  return n;
}

/** Refuses with SQS's AccessDenied unless IAM allows `sqs:<action>` on `resource`. */
export async function authorize(ctx: Context, action: string, resource: string) {
  const decision = await ctx.request.authorize(`sqs:${action}`, resource);
  if (!decision.allowed) throw accessDenied(ctx.request.endpoint);
}

export const queueUrl = (ctx: Context, name: string) =>
  `${ctx.request.endpoint}/${ctx.request.accountId}/${name}`;

/** `arn:aws:sqs:<region>:<account>:<name>`: the queue's own region once it exists. */
export const arnOf = (ctx: Context, name: string) =>
  queueArn(
    { name, region: ctx.queues.find(name)?.record.region ?? ctx.request.region },
    ctx.request.accountId,
  );

/**
 * The queue a request names: its QueueUrl (`<endpoint>/<account>/<name>`, any host), or the
 * path a query request was posted to. Authorizes `action` on it, then finds it.
 */
export async function queueOf(ctx: Context, input: Input, action: string) {
  const name = queueNameOf(ctx, input.QueueUrl);
  await authorize(ctx, action, arnOf(ctx, name));
  return ctx.queues.get(name);
}

function queueNameOf(ctx: Context, url: unknown): string {
  let path: string;
  if (url === undefined || url === '') {
    if (!/^\/\d{12}\/[^/]+\/?$/.test(ctx.request.path)) throw missingParameter('QueueUrl');
    path = ctx.request.path;
  } else if (typeof url !== 'string') {
    throw invalidParameterValue(`Value ${JSON.stringify(url)} for parameter QueueUrl is invalid.`);
  } else {
    try {
      path = /^https?:\/\//i.test(url) ? new URL(url).pathname : url;
    } catch {
      throw invalidAddress(url);
    }
  }
  const parts = decodeURIComponent(path).split('/').filter(Boolean);
  if (parts.length !== 2) throw invalidAddress(String(url ?? path));
  const [account, name] = parts;
  if (account !== ctx.request.accountId) throw queueDoesNotExist();
  return name;
}
