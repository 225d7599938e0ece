import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { AwsRequest, AwsResponse, Caller } from './service';

/**
 * Responses and errors in the wire protocols AWS services speak, so that every SDK and the AWS
 * CLI (whose older versions speak the query protocol where current SDKs speak JSON) read them
 * as they read AWS's own.
 */

export const requestId = () => randomUUID();

/** `awsJson1_0` / `awsJson1_1`: the protocol of Kinesis, DynamoDB, Firehose, Cognito, SQS and CloudWatch (current SDKs). */
export function jsonResponse(body: unknown, version: '1.0' | '1.1', status = 200): AwsResponse {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': requestId() },
    body: JSON.stringify(body ?? {}),
  };
}

export interface ServiceError {
  /** The error code (`ResourceNotFoundException`, `AccessDenied`). */
  readonly code: string;
  readonly message: string;
  readonly status?: number;
  /** Who is at fault, for the query protocol's <Type>. @default 'Sender' */
  readonly fault?: 'Sender' | 'Receiver';
  /**
   * For JSON services that keep their query-protocol error codes (SQS: awsQueryCompatible), the
   * query code (`AWS.SimpleQueueService.NonExistentQueue`).
   */
  readonly queryCode?: string;
  /**
   * The JSON member the message goes in: most services write `message`; some errors have
   * `Message` (Firehose's AccessDeniedException). @default 'message'
   */
  readonly messageKey?: 'message' | 'Message';
}

export function jsonError(error: ServiceError, version: '1.0' | '1.1', namespace?: string): AwsResponse {
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': requestId(),
    'x-amzn-errortype': error.code,
  };
  if (error.queryCode) headers['x-amzn-query-error'] = `${error.queryCode};${error.fault ?? 'Sender'}`;
  return {
    status: error.status ?? 400,
    headers,
    body: JSON.stringify({
      __type: namespace ? `${namespace}#${error.code}` : error.code,
      [error.messageKey ?? 'message']: error.message,
    }),
  };
}

/** One input value breaking a constraint of the API model. */
export interface ConstraintViolation {
  /** The value as received (`undefined` when missing). */
  readonly value: unknown;
  /** The member, as the model names it (`roleSessionName`). */
  readonly member: string;
  /** What it must do: `not be null`, `have length greater than or equal to 2`. */
  readonly constraint: string;
}

/** AWS's message for input the API model refuses: `1 validation error detected: Value 'x' at 'member' failed to satisfy constraint: Member must …`. */
export function validationMessage(violations: readonly ConstraintViolation[]): string {
  const n = violations.length;
  const each = violations.map(
    (v) =>
      `Value ${v.value === undefined || v.value === null ? 'null' : `'${String(v.value)}'`} at '${v.member}' ` +
      `failed to satisfy constraint: Member must ${v.constraint}`,
  );
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${each.join('; ')}`;
}

export const xmlEscape = (text: string) =>
  text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

/**
 * `awsQuery`: the protocol of STS, SNS, and SQS and CloudWatch for older clients. `resultXml`
 * is the content of `<ActionResult>`; without it (an action with no output) there is none.
 */
export function queryResponse(action: string, resultXml: string | undefined, xmlns: string): AwsResponse {
  const id = requestId();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id },
    body:
      `<?xml version="1.0"?><${action}Response xmlns="${xmlns}">` +
      (resultXml === undefined ? '' : `<${action}Result>${resultXml}</${action}Result>`) +
      `<ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

export function queryError(error: ServiceError, xmlns: string): AwsResponse {
  const id = requestId();
  return {
    status: error.status ?? 400,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id },
    body:
      `<?xml version="1.0"?><ErrorResponse xmlns="${xmlns}"><Error><Type>${error.fault ?? 'Sender'}</Type>` +
      `<Code>${xmlEscape(error.queryCode ?? error.code)}</Code><Message>${xmlEscape(error.message)}</Message>` +
      `<Detail/></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  };
}

/** `restXml` errors: S3's. */
export function restXmlError(error: ServiceError, resource = ''): AwsResponse {
  const id = requestId();
  return {
    status: error.status ?? 403,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': id },
    body:
      `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${xmlEscape(error.code)}</Code>` +
      `<Message>${xmlEscape(error.message)}</Message><Resource>${xmlEscape(resource)}</Resource>` +
      `<RequestId>${id}</RequestId></Error>`,
  };
}

/** Which protocol a request speaks: AWS JSON (an X-Amz-Target header) or query (a form body). */
export function protocolOf(request: Pick<AwsRequest, 'headers' | 'method'>): 'json' | 'query' | 'rest' {
  if (request.headers['x-amz-target']) return 'json';
  const type = String(request.headers['content-type'] ?? '');
  if (request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) return 'query';
  return 'rest';
}

/**
 * The query protocol's parameters: `Attribute.1.Name=…` and `MessageAttribute.1.Value.StringValue`
 * style keys, as a flat map (the service reads what it needs).
 */
export function queryParams(request: Pick<AwsRequest, 'body' | 'query'>): URLSearchParams {
  const params = new URLSearchParams(request.query);
  for (const [key, value] of new URLSearchParams(request.body.toString('utf8'))) params.set(key, value);
  return params;
}

/** `Prefix.1`, `Prefix.2`, … (or `Prefix.member.1`, …) values of a query request, in order. */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const value = params.get(`${prefix}.${i}`) ?? params.get(`${prefix}.member.${i}`);
    if (value === null) return out;
    out.push(value);
  }
}

/**
 * A query-protocol request's parameters as the structure they encode, the shape an AWS JSON
 * request would have: `MetricData.member.1.Dimensions.member.2.Name=…` becomes
 * `{ MetricData: [{ Dimensions: [, { Name: … }] }] }` (lists by `member.N` or `N`), leaves stay
 * strings, and an empty list (`MetricData=`) is the empty string.
 */
export function queryObject(params: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      let part: string | number = parts[i];
      if (part === 'member' && /^\d+$/.test(parts[i + 1] ?? '')) part = parts[++i];
      const index = /^\d+$/.test(part) && Array.isArray(node) ? Number(part) - 1 : part;
      const last = i === parts.length - 1;
      const holder = node as Record<string | number, unknown>;
      if (last) {
        holder[index] = value;
        break;
      }
      const next = parts[i + 1] === 'member' || /^\d+$/.test(parts[i + 1]) ? [] : {};
      if (typeof holder[index] !== 'object' || holder[index] === null) holder[index] = next;
      node = holder[index] as Record<string, unknown> | unknown[];
    }
  }
  return root;
}

/** The operation an AWS JSON request names in its X-Amz-Target header (`Firehose_20150804.PutRecord`). */
export function jsonOperation(request: Pick<AwsRequest, 'headers'>, prefix: string): string | undefined {
  const target = String(request.headers['x-amz-target'] ?? '');
  return target.startsWith(prefix) ? target.slice(prefix.length) : undefined;
}

/** The request body, inflated when the client compressed it (`Content-Encoding: gzip`, as the SDK does for CloudWatch). */
export function requestBody(request: Pick<AwsRequest, 'body' | 'headers'>): Buffer {
  const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
  return encoding.split(',').some((e) => e.trim() === 'gzip') ? gunzipSync(request.body) : request.body;
}

/** IAM's denial as services word it: who, what action, on which resource (none for `*`), and why. */
export function notAuthorizedMessage(
  caller: Caller,
  action: string,
  resource: string,
  reason?: string,
): string {
  const who = caller.kind === 'anonymous' ? 'anonymous' : caller.arn;
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  const why = reason ? ` ${/^because /.test(reason) ? reason : `because ${reason}`}` : '';
  return `User: ${who} is not authorized to perform: ${action}${on}${why}`;
}
