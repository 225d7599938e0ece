/**
 * The SQL types the local engine knows, named as Athena (Trino) names them, and Trino's rules
 * for combining them: implicit coercions to a common type, what compares with what. A type the
 * rules do not cover is an error, as it is in Athena, where DuckDB would cast silently.
 */
export type SqlType = string;

export const VARCHAR = 'varchar';
export const BOOLEAN = 'boolean';
export const INTEGER = 'integer';
export const BIGINT = 'bigint';
export const DOUBLE = 'double';
export const DECIMAL = 'decimal';
export const DATE = 'date';
/** The type of NULL: coerces to anything. */
export const UNKNOWN = 'unknown';

const INTEGERS = ['tinyint', 'smallint', INTEGER, BIGINT];

export const isInteger = (t: SqlType) => INTEGERS.includes(t);
export const isNumeric = (t: SqlType) => isInteger(t) || t === DECIMAL || t === DOUBLE;
export const isArray = (t: SqlType) => t.startsWith('array(');
export const elementType = (t: SqlType): SqlType => t.slice('array('.length, -1);
export const arrayOf = (t: SqlType): SqlType => `array(${t})`;

/** `timestamp(3)` or `timestamp(3) with time zone`: its precision (digits of a second) and zone. */
export function timestampType(t: SqlType): { precision: number; zoned: boolean } | undefined {
  const match = /^timestamp\((\d)\)( with time zone)?$/.exec(t);
  return match ? { precision: Number(match[1]), zoned: match[2] !== undefined } : undefined;
}

export const timestamp = (precision = 3, zoned = false): SqlType =>
  `timestamp(${precision})${zoned ? ' with time zone' : ''}`;

export const isTemporal = (t: SqlType) => t === DATE || timestampType(t) !== undefined;

/** The type both coerce to under Trino's implicit coercions, or undefined when there is none. */
export function commonType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a === b) return a;
  if (a === UNKNOWN) return b;
  if (b === UNKNOWN) return a;
  if (isInteger(a) && isInteger(b)) return INTEGERS[Math.max(INTEGERS.indexOf(a), INTEGERS.indexOf(b))];
  if (isNumeric(a) && isNumeric(b)) return a === DOUBLE || b === DOUBLE ? DOUBLE : DECIMAL;
  if (isTemporal(a) && isTemporal(b)) {
    const [ta, tb] = [timestampType(a), timestampType(b)];
    return timestamp(
      Math.max(ta?.precision ?? 0, tb?.precision ?? 0),
      ta?.zoned === true || tb?.zoned === true,
    );
  }
  if (isArray(a) && isArray(b)) {
    const element = commonType(elementType(a), elementType(b));
    return element === undefined ? undefined : arrayOf(element);
  }
  return undefined;
}

/** The DuckDB type a value of this type is held in. */
export function duckType(t: SqlType): string {
  const ts = timestampType(t);
  if (ts) return ts.zoned ? 'TIMESTAMPTZ' : 'TIMESTAMP';
  if (isArray(t)) return `${duckType(elementType(t))}[]`;
  if (t === UNKNOWN) return 'INTEGER';
  return t.toUpperCase();
}

/** A Glue (Hive DDL) column type as an Athena type the local reader supports, or undefined. */
export function glueToSql(glueType: string): SqlType | undefined {
  const t = glueType.trim().toLowerCase();
  const map: Record<string, SqlType> = {
    string: VARCHAR,
    varchar: VARCHAR,
    int: INTEGER,
    integer: INTEGER,
    bigint: BIGINT,
    smallint: 'smallint',
    tinyint: 'tinyint',
    double: DOUBLE,
    boolean: BOOLEAN,
  };
  return map[t];
}

/** The type named in a CAST, when the local engine supports casting to it. */
export function castTarget(name: string): SqlType | undefined {
  const map: Record<string, SqlType> = {
    varchar: VARCHAR,
    integer: INTEGER,
    int: INTEGER,
    bigint: BIGINT,
    smallint: 'smallint',
    tinyint: 'tinyint',
    double: DOUBLE,
    boolean: BOOLEAN,
    date: DATE,
    timestamp: timestamp(3),
    'timestamp with time zone': timestamp(3, true),
  };
  const precision = /^timestamp\(([0-6])\)( with time zone)?$/.exec(name);
  if (precision) return timestamp(Number(precision[1]), precision[2] !== undefined);
  return map[name];
}
