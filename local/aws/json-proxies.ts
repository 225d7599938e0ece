import { createDecipheriv } from 'node:crypto';
import { jsonError } from './protocols';
import { notAuthorized, proxiedService, type Access, type Around } from './proxy';
import type { RecordsRead } from '../metrics/aws-metrics';
import type { AwsRequest, AwsService } from './service';

/**
 * Kinesis Data Streams and DynamoDB behind the endpoint, served by kinesalite and dynalite:
 * both speak AWS JSON, name their operation in X-Amz-Target and their resources in the body.
 */

const parsedBodies = new WeakMap<AwsRequest, Record<string, unknown>>();

/**
 * A request's JSON body (`{}` when it is not a JSON object), parsed once however many steps
 * read it (IAM, the limits, the faults, the metrics). Shared: read it, never change it.
 */
export function jsonBody(request: AwsRequest): Record<string, unknown> {
  let parsed = parsedBodies.get(request);
  if (!parsed) {
    parsed = parseJson(request.body);
    parsedBodies.set(request, parsed);
  }
  return parsed;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const KINESALITE = require('kinesalite/db') as { ITERATOR_PWD_KEY: Buffer; ITERATOR_PWD_IV: Buffer };

const operation = (request: AwsRequest) => String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';

/** Every Kinesis operation on a stream (or a consumer of it), by the stream's name or ARN. */
export function kinesisAccesses(request: AwsRequest): Access[] {
  const op = operation(request);
  const input = jsonBody(request);
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
  const input = jsonBody(request);
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
  /** The answer's JSON body; for a successful GetRecords, all but its records (see `recordsRead`). */
  readonly output: Record<string, unknown>;
  readonly status: number;
  readonly latencyMs: number;
  /** What a successful GetRecords returned, summed from the answer as it is relayed. */
  readonly recordsRead?: RecordsRead;
}

const DATA_KEY = Buffer.from('"Data":"');
const ARRIVAL_KEY = Buffer.from('"ApproximateArrivalTimestamp":');
const BEHIND_KEY = Buffer.from('"MillisBehindLatest":');
const QUOTE = 0x22;
const PADDING = 0x3d;
const NUMBER_END = /[^0-9.eE+-]/;

/** The JSON number right after `key` at `at` in `body` (undefined when `key` is not there). */
function numberAt(body: Buffer, at: number, key: Buffer): number | undefined {
  if (at < 0) return undefined;
  const start = at + key.length;
  const text = body.toString('latin1', start, Math.min(body.length, start + 32));
  const end = text.search(NUMBER_END);
  const value = Number(end < 0 ? text : text.slice(0, end));
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A successful GetRecords answer summed from its bytes, without decoding it: a GetRecords answer
 * is megabytes of JSON at full speed, and its metrics need only how many records, how many bytes
 * of data, and when the last one arrived. In JSON a quote inside a string is escaped, so
 * `"Data":"` occurs only where a record's data begins, and base64 has no quote, so the next quote
 * ends it; its decoded size is counted as `Buffer.byteLength(data, 'base64')` counts it.
 */
export function getRecordsSummary(body: Buffer): {
  output: Record<string, unknown>;
  recordsRead: RecordsRead;
} {
  let count = 0;
  let dataBytes = 0;
  for (let at = body.indexOf(DATA_KEY); at >= 0; at = body.indexOf(DATA_KEY, at)) {
    const start = at + DATA_KEY.length;
    const end = body.indexOf(QUOTE, start);
    if (end < 0) break;
    let length = end - start;
    if (length > 0 && body[start + length - 1] === PADDING) length -= 1;
    if (length > 1 && body[start + length - 1] === PADDING) length -= 1;
    dataBytes += (length * 3) >>> 2;
    count += 1;
    at = end;
  }
  const behind = numberAt(body, body.indexOf(BEHIND_KEY), BEHIND_KEY);
  return {
    output: behind === undefined ? {} : { MillisBehindLatest: behind },
    recordsRead: {
      count,
      dataBytes,
      lastArrival: count > 0 ? numberAt(body, body.lastIndexOf(ARRIVAL_KEY), ARRIVAL_KEY) : undefined,
    },
  };
}

/** The stream a Kinesis request is about, by name, when it names one (or its iterator does). */
function streamNameOf(request: AwsRequest): string | undefined {
  const resource = kinesisAccesses(request)[0]?.resource ?? '';
  return /:stream\/([^/]+)$/.exec(resource)?.[1];
}

function parseJson(bytes: Buffer | string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(bytes.toString('utf8') || '{}') as unknown;
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
          const op = operation(request);
          observe({
            operation: op,
            streamName,
            input: jsonBody(request),
            ...(op === 'GetRecords' && response.status === 200 && Buffer.isBuffer(response.body)
              ? getRecordsSummary(response.body)
              : { output: parseJson(response.body) }),
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
