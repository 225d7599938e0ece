import type { Typed } from './call';
import { roundTimestamp, timestampText } from './datetime';
import { SqlError, UnsupportedError } from './errors';
import {
  BOOLEAN,
  castTarget,
  DATE,
  DOUBLE,
  duckType,
  isInteger,
  isNumeric,
  timestampType,
  UNKNOWN,
  VARCHAR,
  type SqlType,
} from './types';

/**
 * CAST and TRY_CAST as Trino does them. Where DuckDB's cast reads or writes values differently
 * (it reads '12.5' as the integer 13 and ' 7' as 7, rounds 2.5 to 2, writes timestamps without
 * their milliseconds), the translation checks the text first or formats the value itself; text
 * whose reading the local engine cannot vouch for is an error, never a guess.
 */

const INTEGER_TEXT = `'[+-]?[0-9]+'`;
const DECIMAL_TEXT = `'[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?'`;
const DATE_TEXT = `'[0-9]{4}-[0-9]{2}-[0-9]{2}'`;
const TIMESTAMP_TEXT = `'[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?'`;

/** Trino's short names in cast messages. */
const MESSAGE_NAME: Record<string, string> = {
  integer: 'INT',
  bigint: 'BIGINT',
  smallint: 'SMALLINT',
  tinyint: 'TINYINT',
};

/**
 * CASE over text: the forms Trino accepts are cast; text Trino might read but the local engine
 * cannot vouch for (`uncertain`) is an error naming it; anything else is what Trino rejects.
 */
function fromText(
  v: string,
  target: SqlType,
  accepted: string,
  castSql: string,
  tryCast: boolean,
  uncertain: string,
  extra = '',
): string {
  const name = MESSAGE_NAME[target] ?? target.toUpperCase();
  const invalid = tryCast ? 'NULL' : `error('Cannot cast ''' || ${v} || ''' to ${name}')`;
  return (
    `(CASE WHEN ${v} IS NULL THEN NULL WHEN regexp_full_match(${v}, ${accepted}) THEN ${castSql} ${extra}` +
    `WHEN regexp_matches(${v}, ${uncertain}) THEN error('CAST of ''' || ${v} || ''' to ${target} is not supported by the local engine') ` +
    `ELSE ${invalid} END)`
  );
}

/** Java's Long.parseLong also reads non-ASCII digits. */
const UNCERTAIN_INTEGER = `'[^\\x00-\\x7F]'`;
/** Java's Double.parseDouble also trims control characters and reads hex and f/d suffixes. */
const UNCERTAIN_DOUBLE = `'^[\\x00-\\x20]|[\\x00-\\x20]$|[0-9.][fFdD]$|0[xX]'`;
/** Trino's date and timestamp parsing takes more forms than the ISO ones checked here. */
const UNCERTAIN_TEMPORAL = `'[0-9]'`;

function toVarchar(arg: Typed, op: string): string {
  if (arg.type === VARCHAR) return arg.sql;
  if (isInteger(arg.type) || arg.type === BOOLEAN || arg.type === DATE) return `${op}(${arg.sql} AS VARCHAR)`;
  if (timestampType(arg.type)) return timestampText(arg.sql, arg.type);
  throw new UnsupportedError(
    `CAST of ${arg.type} to varchar`,
    'Athena writes it differently (1.5E0 for a double)',
  );
}

function toInteger(arg: Typed, target: SqlType, op: string, tryCast: boolean): string {
  const duck = duckType(target);
  if (isInteger(arg.type) || arg.type === BOOLEAN || arg.type === 'decimal')
    return `${op}(${arg.sql} AS ${duck})`;
  // Trino rounds half away from zero; DuckDB's cast rounds half to even.
  if (arg.type === DOUBLE) return `${op}(round(${arg.sql}) AS ${duck})`;
  if (arg.type === VARCHAR)
    return fromText(
      arg.sql,
      target,
      INTEGER_TEXT,
      `${op}(${arg.sql} AS ${duck})`,
      tryCast,
      UNCERTAIN_INTEGER,
    );
  throw new SqlError(`Cannot cast ${arg.type} to ${target}`);
}

function toDouble(arg: Typed, op: string, tryCast: boolean): string {
  if (isNumeric(arg.type) || arg.type === BOOLEAN) return `${op}(${arg.sql} AS DOUBLE)`;
  if (arg.type === VARCHAR) {
    const special = `WHEN ${arg.sql} IN ('NaN', 'Infinity', '+Infinity', '-Infinity') THEN CAST(replace(${arg.sql}, '+', '') AS DOUBLE) `;
    return fromText(
      arg.sql,
      DOUBLE,
      DECIMAL_TEXT,
      `CAST(${arg.sql} AS DOUBLE)`,
      tryCast,
      UNCERTAIN_DOUBLE,
      special,
    );
  }
  throw new SqlError(`Cannot cast ${arg.type} to double`);
}

function toTemporal(arg: Typed, target: SqlType, op: string, tryCast: boolean): string {
  const ts = timestampType(target);
  const duck = duckType(target);
  if (arg.type === VARCHAR) {
    if (ts?.zoned) throw new UnsupportedError('CAST of varchar to timestamp with time zone');
    const pattern = ts ? TIMESTAMP_TEXT : DATE_TEXT;
    const converted = ts
      ? roundTimestamp(`${op}(${arg.sql} AS TIMESTAMP)`, ts.precision)
      : `${op}(${arg.sql} AS DATE)`;
    return fromText(arg.sql, target, pattern, converted, tryCast, UNCERTAIN_TEMPORAL);
  }
  if (arg.type === DATE || timestampType(arg.type)) {
    const converted = `${op}(${arg.sql} AS ${duck})`;
    return ts ? roundTimestamp(converted, ts.precision) : converted;
  }
  throw new SqlError(`Cannot cast ${arg.type} to ${target}`);
}

/** `CAST(arg AS typeName)`, or TRY_CAST (NULL instead of an error for a value that does not convert). */
export function translateCast(arg: Typed, typeName: string, tryCast: boolean): Typed {
  const target = castTarget(typeName);
  if (target === undefined) throw new UnsupportedError(`CAST to ${typeName}`);
  const result = (sql: string): Typed => ({ sql, type: target, aggregate: arg.aggregate });
  if (arg.type === target) return result(arg.sql);
  if (arg.type === UNKNOWN) return result(`CAST(NULL AS ${duckType(target)})`);
  if (arg.type.startsWith('array(')) throw new UnsupportedError(`CAST of ${arg.type}`);
  const op = tryCast ? 'TRY_CAST' : 'CAST';
  if (target === VARCHAR) return result(toVarchar(arg, op));
  if (isInteger(target)) return result(toInteger(arg, target, op, tryCast));
  if (target === DOUBLE) return result(toDouble(arg, op, tryCast));
  if (target === BOOLEAN) {
    if (isInteger(arg.type)) return result(`${op}(${arg.sql} AS BOOLEAN)`);
    throw new UnsupportedError(`CAST of ${arg.type} to boolean`);
  }
  return result(toTemporal(arg, target, op, tryCast));
}
