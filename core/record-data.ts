import { invalid, ok, type Parsed } from './result';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Short, printable preview of a payload for log lines and error messages. */
export function preview(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/**
 * Decodes a record's data blob as strict UTF-8 JSON. Invalid UTF-8 is rejected rather than
 * replaced, so a corrupt record is reported instead of being aggregated with mangled text.
 */
export function decodeJson(data: Uint8Array): Parsed<unknown> {
  let text: string;
  try {
    text = utf8.decode(data);
  } catch {
    return invalid('data is not valid UTF-8');
  }
  try {
    return ok(JSON.parse(text));
  } catch {
    return invalid(`data is not JSON: ${preview(text, 60)}`);
  }
}

/** Same as {@link decodeJson} for the base64 data of a Lambda Kinesis event record. */
export function decodeBase64Json(base64: string): Parsed<unknown> {
  return decodeJson(Buffer.from(base64, 'base64'));
}
