import { createHash } from 'node:crypto';
import { invalidMessageContents, invalidParameterValue } from './errors';
import type { MessageAttributes, MessageAttributeValue } from './model';

/**
 * Message bodies and message attributes as the SQS developer guide defines them: the
 * characters a body may hold, the attribute names and data types, the size a message counts
 * against MaximumMessageSize, and the MD5 digests SDKs check (`MD5OfMessageBody`,
 * `MD5OfMessageAttributes`: each attribute, in name order, as length-prefixed name, data type,
 * a transport byte — 1 for String and Number, 2 for Binary — and length-prefixed value).
 */

export const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF, as XML 1.0 allows. */
// eslint-disable-next-line no-control-regex
const INVALID_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function checkBody(body: string) {
  if (INVALID_CHARACTER.test(body)) throw invalidMessageContents();
}

const lengthPrefixed = (bytes: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
};

const isBinary = (value: MessageAttributeValue) => value.DataType.startsWith('Binary');

export function md5OfAttributes(attributes: MessageAttributes | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (!attributes || names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const value = attributes[name];
    parts.push(
      lengthPrefixed(Buffer.from(name, 'utf8')),
      lengthPrefixed(Buffer.from(value.DataType, 'utf8')),
    );
    if (isBinary(value)) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(value.BinaryValue ?? '', 'base64')));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8')));
    }
  }
  return md5(Buffer.concat(parts));
}

/** Bytes a message counts against MaximumMessageSize: body, and every attribute's name, type and value. */
export function messageSize(body: string, attributes: MessageAttributes | undefined): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += isBinary(value)
      ? Buffer.from(value.BinaryValue ?? '', 'base64').length
      : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

const NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** Checks message attributes (names, data types, values) as SendMessage does. */
export function checkAttributes(attributes: MessageAttributes | undefined, kind: 'user' | 'system' = 'user') {
  const entries = Object.entries(attributes ?? {});
  if (entries.length > 10)
    throw invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
    );
  for (const [name, value] of entries) {
    if (kind === 'system' && name !== 'AWSTraceHeader')
      throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    const badName =
      !NAME.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      (kind === 'user' && /^(aws\.|amazon\.)/i.test(name));
    if (badName)
      throw invalidParameterValue(
        `Message (${kind}) attribute name '${name}' is invalid. Names can contain alphanumeric characters, hyphens, underscores and periods, must not start or end with a period or have two in a row, and must not start with 'AWS.' or 'Amazon.'.`,
      );
    checkAttributeValue(name, value, kind);
  }
}

function checkAttributeValue(name: string, value: MessageAttributeValue, kind: string) {
  const type = value.DataType ?? '';
  if (!/^(String|Number|Binary)(\..+)?$/.test(type) || type.length > 256)
    throw invalidParameterValue(
      `The type of message (${kind}) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  const binary = type.startsWith('Binary');
  const present = binary ? value.BinaryValue : value.StringValue;
  if (present === undefined || present === '')
    throw invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type.split('.')[0]}'.`,
    );
  if (type.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(present))
    throw invalidParameterValue(`Can't cast the value of message (${kind}) attribute '${name}' to a number.`);
  if (!binary) checkBody(present);
}

/** The attributes named by MessageAttributeNames: `All`, `.*`, `prefix.*` or exact names. */
export function selectAttributes(
  attributes: MessageAttributes | undefined,
  names: readonly string[],
): MessageAttributes | undefined {
  if (!attributes || names.length === 0) return undefined;
  const wanted = (name: string) =>
    names.some(
      (pattern) =>
        pattern === 'All' ||
        pattern === '.*' ||
        pattern === name ||
        (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
    );
  const selected = Object.fromEntries(Object.entries(attributes).filter(([name]) => wanted(name)));
  return Object.keys(selected).length > 0 ? selected : undefined;
}
