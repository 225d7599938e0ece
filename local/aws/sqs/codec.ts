import { jsonError, jsonResponse, queryError, queryParams, queryResponse, xmlEscape } from '../protocols';
import type { AwsRequest, AwsResponse } from '../service';
import { invalidAction, SqsError } from './errors';
import type { Input } from './input';

/**
 * SQS's two wire protocols. Current SDKs speak AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`,
 * errors with `__type` and, SQS being awsQueryCompatible, the query code in `x-amzn-query-error`).
 * The AWS CLI v1 and older v2 speak the query protocol: a form (`Action=…&Version=2012-11-05`,
 * lists as `AttributeName.1`, maps as `Attribute.1.Name`/`Attribute.1.Value`), posted to `/` or
 * to the queue URL, answered in XML in the 2012-11-05 namespace. Both are decoded to the JSON
 * protocol's input shapes, and answers encoded back from its output shapes.
 */

export const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const TARGET_PREFIX = 'AmazonSQS.';

export interface Decoded {
  readonly protocol: 'json' | 'query';
  readonly operation: string;
  readonly input: Input;
}

export function decode(request: AwsRequest): Decoded {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const text = request.body.toString('utf8');
    let input: unknown;
    try {
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new SqsError('SerializationException', 'The request body is not valid JSON.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new SqsError('SerializationException', 'The request body must be a JSON object.');
    return { protocol: 'json', operation, input: input as Input };
  }
  const params = queryParams(request);
  const operation = params.get('Action');
  if (!operation) throw new SqsError('MissingAction', 'The request must contain the parameter Action.');
  return { protocol: 'query', operation, input: queryInput(params, operation) };
}

type Tree = string | Tree[] | { [key: string]: Tree };

/** `A.1.B=x` → `{ A: [{ B: 'x' }] }` (`member` steps of non-flattened lists skipped). */
function tree(params: URLSearchParams): { [key: string]: Tree } {
  const root: { [key: string]: Tree } = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version' || key.startsWith('X-Amz-')) continue;
    const steps = key.split('.').filter((step) => step !== 'member');
    let node: { [key: string]: Tree } = root;
    steps.forEach((step, i) => {
      if (i === steps.length - 1) node[step] = value;
      else {
        const next = (node[step] ??= {});
        node = typeof next === 'object' && !Array.isArray(next) ? next : {};
      }
    });
  }
  return listed(root) as { [key: string]: Tree };
}

function listed(node: Tree): Tree {
  if (typeof node === 'string' || Array.isArray(node)) return node;
  const keys = Object.keys(node);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k)))
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => listed(node[k]));
  return Object.fromEntries(keys.map((k) => [k, listed(node[k])]));
}

/** Query names of lists → the JSON protocol's member names. */
const LISTS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
  SendMessageBatchRequestEntry: 'Entries',
  DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
  StringListValue: 'StringListValues',
  BinaryListValue: 'BinaryListValues',
};

/** Query names of maps (flattened key/value entries) → member name, key and value names. */
const MAPS: Record<string, readonly [string, string, string]> = {
  Attribute: ['Attributes', 'Name', 'Value'],
  MessageAttribute: ['MessageAttributes', 'Name', 'Value'],
  MessageSystemAttribute: ['MessageSystemAttributes', 'Name', 'Value'],
  Tag: ['Tags', 'Key', 'Value'],
};

function renamed(node: Tree): unknown {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(renamed);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const map = MAPS[key];
    if (map && Array.isArray(value)) {
      const [name, keyName, valueName] = map;
      out[name] = Object.fromEntries(
        value.flatMap((entry) =>
          typeof entry === 'object' && !Array.isArray(entry) && typeof entry[keyName] === 'string'
            ? [[entry[keyName], renamed(entry[valueName] ?? '')]]
            : [],
        ),
      );
    } else {
      out[LISTS[key] ?? key] = renamed(Array.isArray(value) || !LISTS[key] ? value : [value]);
    }
  }
  return out;
}

function queryInput(params: URLSearchParams, operation: string): Input {
  const input = renamed(tree(params)) as Input;
  // CreateQueue's tags are `tags` in the JSON protocol, TagQueue's are `Tags`.
  if (operation === 'CreateQueue' && input.Tags !== undefined) {
    input.tags = input.Tags;
    delete input.Tags;
  }
  return input;
}

/** Output members that the query protocol lists flattened, by their element name. */
const FLATTENED: Record<string, string> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Failed: 'BatchResultErrorEntry',
  StringListValues: 'StringListValue',
  BinaryListValues: 'BinaryListValue',
};

const XML_MAPS: Record<string, readonly [string, string, string]> = {
  Attributes: ['Attribute', 'Name', 'Value'],
  MessageAttributes: ['MessageAttribute', 'Name', 'Value'],
  Tags: ['Tag', 'Key', 'Value'],
};

function element(name: string, value: unknown, operation: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const item = name === 'Successful' ? `${operation}ResultEntry` : (FLATTENED[name] ?? name);
    return value.map((v) => `<${item}>${content(v, operation)}</${item}>`).join('');
  }
  const map = XML_MAPS[name];
  if (map && typeof value === 'object') {
    const [item, keyName, valueName] = map;
    return Object.entries(value as Record<string, unknown>)
      .map(
        ([k, v]) =>
          `<${item}><${keyName}>${xmlEscape(k)}</${keyName}><${valueName}>${content(v, operation)}</${valueName}></${item}>`,
      )
      .join('');
  }
  return `<${name}>${content(value, operation)}</${name}>`;
}

function content(value: unknown, operation: string): string {
  if (typeof value === 'object' && value !== null)
    return Object.entries(value)
      .map(([k, v]) => element(k, v, operation))
      .join('');
  return xmlEscape(String(value));
}

/** Operations whose query answer has no `<…Result>` element: they return nothing. */
const NO_RESULT = new Set([
  'SetQueueAttributes',
  'PurgeQueue',
  'DeleteQueue',
  'TagQueue',
  'UntagQueue',
  'DeleteMessage',
  'ChangeMessageVisibility',
]);

export function encode(protocol: Decoded['protocol'], operation: string, output: object): AwsResponse {
  if (protocol === 'json') return jsonResponse(JSON.parse(JSON.stringify(output)) as unknown, '1.0');
  return queryResponse(operation, NO_RESULT.has(operation) ? undefined : content(output, operation), XMLNS);
}

export function encodeError(protocol: Decoded['protocol'], error: SqsError): AwsResponse {
  return protocol === 'json' ? jsonError(error, '1.0', error.namespace) : queryError(error, XMLNS);
}

/** An operation SQS does not have. */
export const unknownOperation = (operation: string) => invalidAction(operation);
