import { DataError, UnsupportedError } from './errors';
import { readJsonLine, type JsonValue } from './json-line';
import { BIGINT, BOOLEAN, DOUBLE, VARCHAR, isInteger, type SqlType } from './types';

/**
 * Reading a Glue table's text objects line by line the way Athena's SerDes do:
 *
 * - OpenX JSON SerDe (`org.openx.data.jsonserde.JsonSerDe`), per Trino's implementation
 *   (Athena engine version 3): a line that is not a JSON object or array gives a row of NULLs, and
 *   so does a malformed one with `ignore.malformed.json`; text after the value is ignored; field
 *   names match columns case-insensitively (the last duplicate wins); a value that does not
 *   convert to its column's type is NULL (an object or array in a scalar column fails the query).
 * - Open CSV SerDe (`org.apache.hadoop.hive.serde2.OpenCSVSerde`): RFC 4180 quoting; missing
 *   fields are NULL; an empty or unreadable number fails the query, as Athena's does.
 *
 * Where the local reader cannot be sure of Athena's reading (JSON that only the SerDe's lenient
 * parser accepts, a backslash the CSV SerDe treats as an escape, a quoted line break), it stops
 * with an error naming the object and line instead of guessing.
 */

export type Cell = string | number | bigint | boolean | null;

export interface ColumnSpec {
  readonly name: string;
  readonly type: SqlType;
}

export interface LineDecoder {
  /** Header lines to skip at the start of each object. */
  readonly skipLines: number;
  /** The data columns' values of one line; `where` names the object and line for errors. */
  decode(line: string, where: () => string): Cell[];
}

const RANGES: Record<string, [bigint, bigint]> = {
  tinyint: [-128n, 127n],
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

const inRange = (value: bigint, type: SqlType) => value >= RANGES[type][0] && value <= RANGES[type][1];
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/u;
/** What Java's String.trim removes: every character up to and including the space. */
// eslint-disable-next-line no-control-regex -- the control characters are the point
const JAVA_TRIM = /^[\x00-\x20]+|[\x00-\x20]+$/g;

/** A decimal string (Java BigDecimal syntax) truncated toward zero, or undefined. */
function truncatedDecimal(text: string): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = `${m[2]}${m[3] ?? ''}`.replace(/^0+(?=\d)/, '');
  const exponent = Number(m[4] ?? 0) - (m[3] ?? '').length;
  if (/^0*$/.test(digits)) return 0n;
  if (exponent > 20) return RANGES.bigint[1] + 1n;
  const magnitude =
    exponent >= 0 ? BigInt(digits) * 10n ** BigInt(exponent) : BigInt(digits) / 10n ** BigInt(-exponent);
  return m[1] === '-' ? -magnitude : magnitude;
}

/** Trino's OpenX integer reading: decimal, hex (`0x1F`), octal (`017`), then any BigDecimal, truncated. */
export function openXLong(text: string, where: () => string): bigint | undefined {
  if (NON_ASCII_DIGIT.test(text))
    throw new DataError(`${where()}: "${text}" has non-ASCII digits, which the local reader does not read`);
  let value: bigint | undefined;
  if (/^0[xX][0-9a-fA-F]/.test(text)) value = /^0[xX][0-9a-fA-F]+$/.test(text) ? BigInt(text) : undefined;
  else if (/^0[0-8]/.test(text) && /^0[0-7]+$/.test(text)) value = BigInt(`0o${text.slice(1)}`);
  else if (/^[+-]?\d+$/.test(text)) value = BigInt(text);
  if (value !== undefined && inRange(value, BIGINT)) return value;
  if (value === undefined && !/^0[xX]/.test(text)) value = truncatedDecimal(text);
  return value !== undefined && inRange(value, BIGINT) ? value : undefined;
}

/** Java's Double.parseDouble, for the forms the local reader is sure of; null for non-numbers. */
export function javaDouble(text: string, where: () => string): number | null {
  const t = text.replace(JAVA_TRIM, '');
  const special = /^([+-]?)(NaN|Infinity)$/.exec(t);
  if (special) return special[2] === 'NaN' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(t)) return Number(t.replace(/[fFdD]$/, ''));
  if (/^[+-]?0[xX]/.test(t))
    throw new DataError(`${where()}: the hexadecimal number "${text}" is not read by the local reader`);
  return null;
}

function jsonText(value: JsonValue): string {
  switch (value.t) {
    case 'string':
      return value.v;
    case 'number':
      return value.raw;
    case 'boolean':
      return String(value.v);
    default:
      return '';
  }
}

function openXValue(value: JsonValue | undefined, column: ColumnSpec, where: () => string): Cell {
  if (value === undefined || value.t === 'null') return null;
  const structured = value.t === 'object' || value.t === 'array';
  if (column.type === BOOLEAN) return !structured && jsonText(value).toLowerCase() === 'true';
  if (column.type === VARCHAR) {
    if (value.t === 'string') return value.v;
    if (value.t === 'boolean') return String(value.v);
    throw new DataError(
      `${where()}: ${column.name}: a JSON ${value.t} in a string column is not read by the local reader (Athena writes it in its own form)`,
    );
  }
  if (structured)
    throw new DataError(
      `${where()}: ${column.name}: a JSON ${value.t} cannot be read as ${column.type} (Athena fails the query too)`,
    );
  if (value.t === 'boolean') return null;
  if (column.type === DOUBLE) return value.t === 'number' ? Number(value.raw) : javaDouble(value.v, where);
  const long = openXLong(jsonText(value), where);
  if (long === undefined || !inRange(long, column.type)) return null;
  return column.type === BIGINT ? long : Number(long);
}

export function openXJsonDecoder(
  columns: readonly ColumnSpec[],
  serde: Readonly<Record<string, string>>,
): LineDecoder {
  const option = (key: string) =>
    Object.entries(serde)
      .find(([k]) => k.toLowerCase() === key)?.[1]
      ?.toLowerCase();
  const unsupported = Object.keys(serde).find(
    (k) => /^mapping\./i.test(k) || (/^dots\.in\.keys$/i.test(k) && option(k.toLowerCase()) === 'true'),
  );
  if (unsupported) throw new UnsupportedError(`the JSON SerDe property ${unsupported}`);
  const ignoreMalformed = option('ignore.malformed.json') === 'true';
  const caseInsensitive = option('case.insensitive') !== 'false';
  const nulls = () => columns.map(() => null);
  return {
    skipLines: 0,
    decode(line, where) {
      const trimmed = line.replace(JAVA_TRIM, '');
      if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return nulls();
      const parsed = readJsonLine(trimmed);
      if (!parsed.ok) {
        if (!parsed.truncated) {
          throw new DataError(
            `${where()}: not strict JSON (${parsed.message}); Athena's lenient JSON parser may still read it, the local reader does not`,
          );
        }
        if (ignoreMalformed) return nulls();
        throw new DataError(
          `${where()}: malformed JSON (${parsed.message}); Athena fails the query too (HIVE_BAD_DATA)`,
        );
      }
      const { value } = parsed;
      if (value.t === 'array') return columns.map((c, i) => openXValue(value.items[i], c, where));
      if (value.t !== 'object') return nulls();
      const fields = new Map<string, JsonValue>();
      for (const [key, v] of value.entries) fields.set(caseInsensitive ? key.toLowerCase() : key, v);
      return columns.map((c) => openXValue(fields.get(c.name), c, where));
    },
  };
}

/** One CSV line's fields, RFC 4180; undefined with a reason for what Athena would read otherwise. */
export function csvFields(line: string): string[] | { unsupported: string } {
  if (line.includes('\\'))
    return { unsupported: 'a backslash, which the Open CSV SerDe reads as an escape character' };
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      for (i++; ; i++) {
        if (i >= line.length)
          return { unsupported: 'an unterminated quote (a quoted line break: Athena reads two rows)' };
        if (line[i] !== '"') field += line[i];
        else if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else break;
      }
      i++;
      if (i < line.length && line[i] !== ',') return { unsupported: 'text after a closing quote' };
    } else {
      const end = line.indexOf(',', i) < 0 ? line.length : line.indexOf(',', i);
      field = line.slice(i, end);
      if (field.includes('"')) return { unsupported: 'a quote inside an unquoted field' };
      i = end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++;
  }
}

function csvValue(text: string | undefined, column: ColumnSpec, where: () => string): Cell {
  if (text === undefined) return null;
  if (column.type === VARCHAR) return text;
  const fail = () => {
    throw new DataError(
      `${where()}: ${column.name}: "${text}" is not a ${column.type} (Athena fails the query too: HIVE_BAD_DATA)`,
    );
  };
  if (isInteger(column.type)) {
    if (!/^[+-]?\d+$/.test(text) || !inRange(BigInt(text), column.type)) fail();
    return column.type === BIGINT ? BigInt(text) : Number(text);
  }
  if (column.type === DOUBLE) {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) fail();
    return Number(text);
  }
  throw new UnsupportedError(`a ${column.type} column in a CSV table`);
}

export function openCsvDecoder(
  columns: readonly ColumnSpec[],
  serde: Readonly<Record<string, string>>,
  table: Readonly<Record<string, string>>,
): LineDecoder {
  const { separatorChar = ',', quoteChar = '"', escapeChar = '\\' } = serde;
  if (separatorChar !== ',' || quoteChar !== '"' || escapeChar !== '\\') {
    throw new UnsupportedError('an Open CSV SerDe with other separator, quote or escape characters');
  }
  const skipLines = Number(table['skip.header.line.count'] ?? 0);
  return {
    skipLines,
    decode(line, where) {
      if (line === '') return columns.map(() => null);
      const fields = csvFields(line);
      if (!Array.isArray(fields))
        throw new DataError(`${where()}: ${fields.unsupported}; not read by the local reader`);
      return columns.map((c, i) => csvValue(fields[i], c, where));
    },
  };
}

/** The lines of a text object as Hadoop's line reader splits them (LF, CR or CRLF). */
export function textLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
