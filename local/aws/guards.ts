import { describeFault, FaultSpecError, parseFault, type Fault, type Faults } from '../faults';
import { jsonBody, shardIteratorShard } from './json-proxies';
import {
  KINESIS_REQUEST_LIMITS,
  rateExceededMessage,
  shardFor,
  type KinesisLimiter,
  type ShardRange,
} from './kinesis-limits';
import { jsonError, jsonResponse, restXmlError, type ServiceError } from './protocols';
import type { Around, Forwarded, Send } from './proxy';
import type { AwsRequest, AwsResponse, AwsService } from './service';

/**
 * What stands between an authorized request and the emulators: the Kinesis shard limits (the
 * emulator has none) and the faults injected into a run, each answered in the service's own
 * error shape, so every SDK sees what it would see from AWS.
 */

type Json = Record<string, unknown>;

function parse(body: Buffer | string): Json {
  try {
    const value = JSON.parse(body.toString() || '{}') as unknown;
    return typeof value === 'object' && value !== null ? (value as Json) : {};
  } catch {
    return {};
  }
}

const operation = (request: AwsRequest) => String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';

const streamOf = (input: Json): string | undefined => {
  if (typeof input.StreamName === 'string') return input.StreamName;
  if (typeof input.StreamARN === 'string') return input.StreamARN.split(':stream/')[1]?.split('/')[0];
  if (typeof input.ShardIterator === 'string') return shardIteratorShard(input.ShardIterator)?.stream;
  return undefined;
};

/** Kinesis's answer for each injected fault (AWS JSON 1.1). */
export function kinesisFaultError(fault: Fault, stream: string | undefined, accountId: string): ServiceError {
  switch (fault.name) {
    case 'aws:kinesis:inject-api-throttle-error':
      return { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 };
    case 'aws:kinesis:inject-api-internal-error':
      return {
        code: 'InternalFailure',
        message: 'The request processing has failed because of an unknown error, exception or failure.',
        status: 500,
      };
    case 'aws:kinesis:inject-api-unavailable-error':
      return {
        code: 'ServiceUnavailable',
        message: 'The request has failed due to a temporary failure of the server.',
        status: 503,
      };
    case 'aws:kinesis:inject-api-provisioned-throughput-exception':
      return {
        code: 'ProvisionedThroughputExceededException',
        message: `Rate exceeded for stream ${stream ?? ''} under account ${accountId}.`,
        status: 400,
      };
    default:
      return {
        code: 'ExpiredIteratorException',
        message: 'Iterator expired. The iterator exceeds the maximum age allowed of 300000 milliseconds.',
        status: 400,
      };
  }
}

/**
 * The headers of a Kinesis call the endpoint makes to kinesalite itself: the emulator wants a
 * signature's shape, not a valid one.
 */
export function kinesaliteCallHeaders(target: string): Record<string, string> {
  return {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `Kinesis_20131202.${target}`,
    'x-amz-date': '20260101T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=LOCAL/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
  };
}

/** A kinesalite call the endpoint makes itself. */
function ownCall(target: string, body: Json): Forwarded {
  return {
    method: 'POST',
    url: '/',
    headers: kinesaliteCallHeaders(target),
    body: Buffer.from(JSON.stringify(body)),
  };
}

export interface KinesisGuardOptions {
  /** The shard limits; none when absent (`--no-limits`). */
  readonly limiter?: KinesisLimiter;
  readonly faults?: Faults;
  readonly accountId: string;
  /** How long a stream's shards are trusted before they are listed again. @default 10 s */
  readonly shardMapMs?: number;
  readonly now?: () => number;
}

const base64Bytes = (data: unknown) => (typeof data === 'string' ? Buffer.byteLength(data, 'base64') : 0);
const keyBytes = (key: unknown) => (typeof key === 'string' ? Buffer.byteLength(key, 'utf8') : 0);
/** What a record counts against a shard's byte budget: its data and its partition key. */
const recordBytes = (record: Json) => base64Bytes(record.Data) + keyBytes(record.PartitionKey);

/** One page of kinesalite's ListShards answer, as far as the shard map reads it. */
interface ShardPage {
  readonly Shards?: {
    ShardId: string;
    HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
    SequenceNumberRange: { EndingSequenceNumber?: string };
  }[];
  readonly NextToken?: string;
}

/** The hash key ranges of a page's open shards (a closed shard has an ending sequence number). */
function openRanges(page: ShardPage): ShardRange[] {
  return (page.Shards ?? [])
    .filter((shard) => shard.SequenceNumberRange.EndingSequenceNumber === undefined)
    .map((shard) => ({
      shardId: shard.ShardId,
      start: BigInt(shard.HashKeyRange.StartingHashKey),
      end: BigInt(shard.HashKeyRange.EndingHashKey),
    }));
}

/** A stream's open shards, listed page by page (undefined for a stream kinesalite does not know). */
async function listOpenShards(stream: string, send: Send): Promise<ShardRange[] | undefined> {
  const ranges: ShardRange[] = [];
  let token: string | undefined;
  do {
    const answer = await send(ownCall('ListShards', token ? { NextToken: token } : { StreamName: stream }));
    if (answer.status !== 200) return undefined;
    const page = parse(answer.body) as ShardPage;
    ranges.push(...openRanges(page));
    token = page.NextToken;
  } while (token);
  return ranges;
}

type ShardMap = (stream: string, send: Send) => Promise<ShardRange[] | undefined>;

/** Each stream's open shards, trusted for `ttlMs` before they are listed again. */
function shardMaps(ttlMs: number, now: () => number): ShardMap {
  const maps = new Map<string, { at: number; ranges: ShardRange[] }>();
  return async (stream, send) => {
    const cached = maps.get(stream);
    if (cached && now() - cached.at < ttlMs) return cached.ranges;
    const ranges = await listOpenShards(stream, send);
    if (ranges) maps.set(stream, { at: now(), ranges });
    return ranges;
  };
}

/** The shard a record goes to (undefined when kinesalite will refuse its explicit hash key). */
function shardOf(ranges: readonly ShardRange[], record: Json): string | undefined {
  try {
    return shardFor(
      ranges,
      String(record.PartitionKey ?? ''),
      typeof record.ExplicitHashKey === 'string' ? record.ExplicitHashKey : undefined,
    );
  } catch {
    return undefined; // an explicit hash key that is not a number: kinesalite refuses it
  }
}

/** One limited Kinesis call: what each per-API rule below decides on. */
interface KinesisCall {
  readonly limiter: KinesisLimiter;
  readonly accountId: string;
  readonly stream: string;
  readonly input: Json;
  readonly forwarded: Forwarded;
  readonly send: Send;
  /** The stream's open shards. */
  readonly shardRanges: () => Promise<ShardRange[] | undefined>;
}

type KinesisRule = (call: KinesisCall) => Promise<AwsResponse>;

const throttled = (shardId: string, stream: string, accountId: string) =>
  jsonError(
    {
      code: 'ProvisionedThroughputExceededException',
      message: rateExceededMessage(shardId, stream, accountId),
    },
    '1.1',
  );

/** PutRecord: the whole call fails when its shard has no write budget left. */
async function putRecord(call: KinesisCall): Promise<AwsResponse> {
  const { input, stream } = call;
  if (base64Bytes(input.Data) > KINESIS_REQUEST_LIMITS.recordBytes) return call.send(call.forwarded);
  const ranges = await call.shardRanges();
  const shardId = ranges && shardOf(ranges, input);
  if (shardId !== undefined && !call.limiter.admitWrite(stream, shardId, recordBytes(input)))
    return throttled(shardId, stream, call.accountId);
  return call.send(call.forwarded);
}

/** The records of a PutRecords request the limits judge (undefined when kinesalite refuses it as AWS does). */
function putRecordsEntries(input: Json): Json[] | undefined {
  const records = input.Records;
  if (
    !Array.isArray(records) ||
    records.length === 0 ||
    records.length > KINESIS_REQUEST_LIMITS.putRecordsRecords
  )
    return undefined;
  const entries = records as Json[];
  // An oversized record: kinesalite refuses the request as AWS's validation does.
  if (entries.some((r) => base64Bytes(r.Data) > KINESIS_REQUEST_LIMITS.recordBytes)) return undefined;
  return entries;
}

interface PutRecordsOutput {
  FailedRecordCount?: number;
  Records?: Json[];
  EncryptionType?: string;
}

/** kinesalite's answer for the records the limits let through, or its error as it is. */
async function putAdmitted(
  call: KinesisCall,
  kept: Json[],
): Promise<PutRecordsOutput | { failed: AwsResponse }> {
  if (kept.length === 0) return { Records: [] };
  const answer = await call.send({
    ...call.forwarded,
    body: Buffer.from(JSON.stringify({ ...call.input, Records: kept })),
  });
  return answer.status === 200 ? (parse(answer.body) as PutRecordsOutput) : { failed: answer };
}

/** kinesalite's results in request order, with a throttling error where a shard refused its record. */
function mergedResults(call: KinesisCall, upstream: PutRecordsOutput, refused: (string | undefined)[]) {
  let next = 0;
  const results = refused.map((shardId) =>
    shardId === undefined
      ? (upstream.Records?.[next++] ?? {})
      : {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: rateExceededMessage(shardId, call.stream, call.accountId),
        },
  );
  const failed = (upstream.FailedRecordCount ?? 0) + refused.filter((s) => s !== undefined).length;
  return jsonResponse(
    {
      FailedRecordCount: failed,
      Records: results,
      ...(upstream.EncryptionType ? { EncryptionType: upstream.EncryptionType } : {}),
    },
    '1.1',
  );
}

/** PutRecords: each record is admitted or refused on its own shard's budget, as AWS does. */
async function putRecords(call: KinesisCall): Promise<AwsResponse> {
  const entries = putRecordsEntries(call.input);
  if (!entries) return call.send(call.forwarded); // kinesalite answers as AWS does
  const sizes = entries.map(recordBytes);
  if (sizes.reduce((a, b) => a + b, 0) > KINESIS_REQUEST_LIMITS.putRecordsBytes)
    return jsonError({ code: 'InvalidArgumentException', message: 'Records size exceeds 5 MB limit' }, '1.1');
  const ranges = await call.shardRanges();
  if (!ranges) return call.send(call.forwarded);
  const refused = entries.map((record, i) => {
    const shardId = shardOf(ranges, record);
    return shardId === undefined || call.limiter.admitWrite(call.stream, shardId, sizes[i])
      ? undefined
      : shardId;
  });
  if (refused.every((s) => s === undefined)) return call.send(call.forwarded);
  const upstream = await putAdmitted(
    call,
    entries.filter((_, i) => refused[i] === undefined),
  );
  return 'failed' in upstream ? upstream.failed : mergedResults(call, upstream, refused);
}

/** GetRecords: 5 calls a second per shard, and what it returns charged to the read budget. */
async function getRecords(call: KinesisCall): Promise<AwsResponse> {
  const { input, limiter } = call;
  const shard = typeof input.ShardIterator === 'string' ? shardIteratorShard(input.ShardIterator) : undefined;
  if (!shard) return call.send(call.forwarded);
  if (!limiter.admitRead(shard.stream, shard.shardId))
    return throttled(shard.shardId, shard.stream, call.accountId);
  const answer = await call.send(call.forwarded);
  if (answer.status === 200) {
    const out = parse(answer.body) as { Records?: Json[] };
    const bytes = (out.Records ?? []).reduce((n, r) => n + recordBytes(r), 0);
    limiter.chargeRead(shard.stream, shard.shardId, bytes);
  }
  return answer;
}

/** The operations the shard limits apply to; every other one goes to kinesalite as it is. */
const kinesisRules: ReadonlyMap<string, KinesisRule> = new Map([
  ['PutRecord', putRecord],
  ['PutRecords', putRecords],
  ['GetRecords', getRecords],
]);

/** The Kinesis limits and faults, around kinesalite. */
export function kinesisGuard(options: KinesisGuardOptions): Around {
  const { limiter, faults, accountId } = options;
  const shardMap = shardMaps(options.shardMapMs ?? 10_000, options.now ?? Date.now);
  return async (request, forwarded, send) => {
    const op = operation(request);
    const input = jsonBody(request);
    const stream = streamOf(input);
    const fault = faults?.pick('kinesis', stream, op);
    if (fault) return jsonError(kinesisFaultError(fault, stream, accountId), '1.1');
    const rule = kinesisRules.get(op);
    if (!limiter || stream === undefined || !rule) return send(forwarded);
    const shardRanges = () => shardMap(stream, send);
    return rule({ limiter, accountId, stream, input, forwarded, send, shardRanges });
  };
}

/** The table a DynamoDB request names (the first, for batch and transaction requests). */
function tableOf(input: Json): string | undefined {
  if (typeof input.TableName === 'string') return input.TableName;
  if (input.RequestItems && typeof input.RequestItems === 'object') return Object.keys(input.RequestItems)[0];
  if (Array.isArray(input.TransactItems)) {
    for (const item of input.TransactItems as Record<string, { TableName?: string }>[])
      for (const part of Object.values(item)) if (part?.TableName) return part.TableName;
  }
  return undefined;
}

/** DynamoDB throttling injected at the endpoint (AWS JSON 1.0, DynamoDB's error namespace). */
export function dynamodbGuard(faults: Faults): Around {
  return async (request, forwarded, send) => {
    const fault = faults.pick('dynamodb', tableOf(jsonBody(request)));
    if (!fault) return send(forwarded);
    const error: ServiceError =
      fault.name === 'local:dynamodb:inject-api-throttle-error'
        ? { code: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }
        : {
            code: 'ProvisionedThroughputExceededException',
            message:
              'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
          };
    return jsonError(error, '1.0', 'com.amazonaws.dynamodb.v20120810');
  };
}

/**
 * A delivery stream's destination down: S3 refuses the object writes of the sessions the
 * delivery stream writes with (they are named after it), as S3 does when it cannot serve.
 */
export function s3Guard(faults: Faults): Around {
  return async (request, forwarded, send) => {
    const writes = request.method === 'PUT' || request.method === 'POST';
    if (!writes || request.caller.kind !== 'role') return send(forwarded);
    const fault = faults.pick('firehose', request.caller.sessionName);
    if (!fault) return send(forwarded);
    return restXmlError({
      code: 'ServiceUnavailable',
      message: 'Please reduce your request rate.',
      status: 503,
    });
  };
}

/**
 * The faults of a running pipeline, at its endpoint: `LocalFaults.List`, `LocalFaults.Add`
 * (`{"Faults": ["aws:kinesis:inject-api-throttle-error:50@wildrydes"]}`) and `LocalFaults.Clear`
 * (`{"Name": …}`, every fault without one), unsigned AWS JSON as `npm run fault` sends them.
 */
export function faultsService(faults: Faults): AwsService {
  const listed = () => ({ Faults: faults.list().map(describeFault) });
  return {
    signingNames: [],
    targetPrefixes: ['LocalFaults.'],
    async handle(request) {
      const input = parse(request.body);
      switch (operation(request)) {
        case 'List':
          return jsonResponse(listed(), '1.1');
        case 'Add': {
          const specs = Array.isArray(input.Faults) ? input.Faults.map(String) : [];
          try {
            const parsed = specs.map(parseFault);
            parsed.forEach((f) => faults.add(f));
          } catch (error) {
            if (!(error instanceof FaultSpecError)) throw error;
            return jsonError({ code: 'InvalidArgumentException', message: error.message }, '1.1');
          }
          return jsonResponse(listed(), '1.1');
        }
        case 'Clear':
          faults.clear(typeof input.Name === 'string' ? input.Name : undefined);
          return jsonResponse(listed(), '1.1');
        default:
          return jsonError({ code: 'UnknownOperationException', message: 'Unknown operation' }, '1.1');
      }
    },
  };
}
