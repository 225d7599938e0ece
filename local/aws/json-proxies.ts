import { createDecipheriv } from 'node:crypto';
import { jsonError } from './protocols';
import { notAuthorized, proxiedService, type Access, type Around } from './proxy';
import type { AwsRequest, AwsService } from './service';

/**
 * Kinesis Data Streams and DynamoDB behind the endpoint, served by kinesalite and dynalite:
 * both speak AWS JSON, name their operation in X-Amz-Target and their resources in the body.
 */

function body(request: AwsRequest): Record<string, unknown> {
  try {
    const parsed = JSON.parse(request.body.toString('utf8') || '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const KINESALITE = require('kinesalite/db') as { ITERATOR_PWD_KEY: Buffer; ITERATOR_PWD_IV: Buffer };

const operation = (request: AwsRequest) => String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';

/** Every Kinesis operation on a stream (or a consumer of it), by the stream's name or ARN. */
export function kinesisAccesses(request: AwsRequest): Access[] {
  const op = operation(request);
  const input = body(request);
  const action = `kinesis:${op}`;
  const consumer = typeof input.ConsumerARN === 'string' ? input.ConsumerARN : undefined;
  if (consumer) return [{ action, resource: consumer }];
  const arn =
    typeof input.StreamARN === 'string'
      ? input.StreamARN
      : typeof input.StreamName === 'string'
        ? `arn:aws:kinesis:${request.region}:${request.accountId}:stream/${input.StreamName}`
        : undefined;
  // A shard iterator names its stream inside it; GetRecords is allowed on the stream it came from.
  if (!arn && op === 'GetRecords' && typeof input.ShardIterator === 'string') {
    const stream = shardIteratorStream(input.ShardIterator);
    if (stream)
      return [
        { action, resource: `arn:aws:kinesis:${request.region}:${request.accountId}:stream/${stream}` },
      ];
  }
  return [{ action, resource: arn ?? '*' }];
}

/**
 * The stream a shard iterator belongs to. Kinesis encodes it in the iterator; kinesalite's is
 * an 8-byte header and `<time>/<stream>/<shard>/<sequence>/…` encrypted with its published key.
 */
export function shardIteratorStream(iterator: string): string | undefined {
  return shardIteratorShard(iterator)?.stream;
}

/** The stream and shard a (kinesalite) shard iterator reads. */
export function shardIteratorShard(iterator: string): { stream: string; shardId: string } | undefined {
  try {
    const raw = Buffer.from(iterator, 'base64').subarray(8);
    const decipher = createDecipheriv('aes-256-cbc', KINESALITE.ITERATOR_PWD_KEY, KINESALITE.ITERATOR_PWD_IV);
    const text = Buffer.concat([decipher.update(raw), decipher.final()]).toString('utf8');
    const [, stream, shardId] = text.split('/');
    return stream && shardId ? { stream, shardId } : undefined;
  } catch {
    return undefined;
  }
}

/** Every DynamoDB operation on each table (or index) it reads or writes. */
export function dynamodbAccesses(request: AwsRequest): Access[] {
  const op = operation(request);
  const input = body(request);
  const action = `dynamodb:${op}`;
  const table = (name: string, index?: unknown) =>
    `arn:aws:dynamodb:${request.region}:${request.accountId}:table/${name}${typeof index === 'string' ? `/index/${index}` : ''}`;
  if (typeof input.TableName === 'string')
    return [{ action, resource: table(input.TableName, input.IndexName) }];
  if (input.RequestItems && typeof input.RequestItems === 'object') {
    return Object.keys(input.RequestItems).map((name) => ({ action, resource: table(name) }));
  }
  if (Array.isArray(input.TransactItems)) {
    return (input.TransactItems as Record<string, { TableName?: string }>[]).flatMap((item) =>
      Object.entries(item).flatMap(([kind, part]) => {
        if (!part?.TableName) return [];
        const perItem = {
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
          Get: 'GetItem',
        }[kind];
        return [{ action: `dynamodb:${perItem ?? op}`, resource: table(part.TableName) }];
      }),
    );
  }
  return [{ action, resource: '*' }];
}

/** A Kinesis call the endpoint forwarded, with the emulator's answer (both JSON bodies). */
export interface ObservedKinesisCall {
  readonly operation: string;
  readonly streamName: string;
  readonly input: Record<string, unknown>;
  readonly output: Record<string, unknown>;
  readonly status: number;
  readonly latencyMs: number;
}

/** The stream a Kinesis request is about, by name, when it names one (or its iterator does). */
function streamNameOf(request: AwsRequest): string | undefined {
  const resource = kinesisAccesses(request)[0]?.resource ?? '';
  return /:stream\/([^/]+)$/.exec(resource)?.[1];
}

function parseJson(bytes: Buffer | string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(bytes.toString() || '{}') as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function kinesisService(
  upstream: () => string,
  hooks: {
    /** Sees every call on a stream, for the metrics Kinesis publishes. */
    readonly observe?: (call: ObservedKinesisCall) => void;
    /** Limits and injected faults between IAM and the emulator. */
    readonly around?: Around;
  } = {},
): AwsService {
  const { observe, around } = hooks;
  return proxiedService({
    around,
    observe: observe
      ? (request, response, latencyMs) => {
          const streamName = streamNameOf(request);
          if (!streamName) return;
          observe({
            operation: operation(request),
            streamName,
            input: body(request),
            output: parseJson(response.body),
            status: response.status,
            latencyMs,
          });
        }
      : undefined,
    signingNames: ['kinesis'],
    targetPrefixes: ['Kinesis_20131202.'],
    upstream,
    accesses: kinesisAccesses,
    denied: (request, access) =>
      jsonError({ code: 'AccessDeniedException', message: notAuthorized(request, access) }, '1.1'),
    error: (_request, error) => jsonError(error, '1.1'),
  });
}

export function dynamodbService(upstream: () => string, around?: Around): AwsService {
  return proxiedService({
    around,
    signingNames: ['dynamodb'],
    targetPrefixes: ['DynamoDB_20120810.'],
    upstream,
    accesses: dynamodbAccesses,
    denied: (request, access) =>
      jsonError(
        { code: 'AccessDeniedException', message: notAuthorized(request, access) },
        '1.0',
        'com.amazon.coral.service',
      ),
    error: (_request, error) => jsonError(error, '1.0'),
  });
}
