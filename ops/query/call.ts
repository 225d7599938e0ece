import { SqlError, UnsupportedError } from './errors';
import { duckType, isInteger, isNumeric, BOOLEAN, DOUBLE, UNKNOWN, VARCHAR, type SqlType } from './types';

/**
 * What a function's translation works with: the arguments translated (DuckDB SQL and Athena
 * type), argument checks that fail as Trino does, and small SQL helpers.
 */

/** A translated expression: DuckDB SQL and its Athena type; `literal` holds a literal's value. */
export interface Typed {
  readonly sql: string;
  readonly type: SqlType;
  readonly literal?: string;
  readonly aggregate?: boolean;
}

export interface CallInfo {
  readonly name: string;
  readonly distinct: boolean;
  readonly star: boolean;
  /** Tells the user about an approximation that the local engine answers exactly. */
  readonly note: (message: string) => void;
}

export type Translate = (args: readonly Typed[], call: CallInfo) => { sql: string; type: SqlType };

export interface FunctionDef {
  readonly aggregate?: boolean;
  readonly translate: Translate;
}

/** A SQL string literal. */
export const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function badArguments(name: string, args: readonly Typed[]): never {
  throw new SqlError(`Unexpected parameters (${args.map((a) => a.type).join(', ')}) for function ${name}`);
}

export function arity(call: CallInfo, args: readonly Typed[], min: number, max = min): void {
  if (args.length < min || args.length > max) badArguments(call.name, args);
}

export const accepts = (t: SqlType, ...kinds: ((t: SqlType) => boolean)[]) =>
  t === UNKNOWN || kinds.some((k) => k(t));
export const varchar = (t: SqlType) => t === VARCHAR;
export const integer = (t: SqlType) => isInteger(t);
export const numeric = (t: SqlType) => isNumeric(t);
export const floating = (t: SqlType) => t === DOUBLE || isInteger(t);
/** What Trino coerces to double for a function taking a double: integers and decimals too. */
export const toDouble = (t: SqlType) => floating(t) || t === 'decimal';
export const boolean = (t: SqlType) => t === BOOLEAN;

export function check(call: CallInfo, args: readonly Typed[], ...kinds: ((t: SqlType) => boolean)[]): void {
  arity(call, args, kinds.length);
  args.forEach((a, i) => {
    if (!accepts(a.type, kinds[i])) badArguments(call.name, args);
  });
}

/** A literal argument's text, for arguments DuckDB needs as constants (formats, patterns, units). */
export function literalArgument(call: CallInfo, arg: Typed, what: string): string {
  if (arg.literal === undefined)
    throw new UnsupportedError(`${call.name}() with a ${what} that is not a literal`);
  return arg.literal;
}

/**
 * `arg` as the type `type`. Decimals are left to DuckDB's own coercion, which keeps each
 * decimal's precision and scale as Trino's does (a bare DECIMAL would be DECIMAL(18,3)).
 */
export const cast = (arg: Typed, type: SqlType) =>
  arg.type === type || type === 'decimal' ? arg.sql : `CAST(${arg.sql} AS ${duckType(type)})`;
export const same = (sql: string, type: SqlType) => ({ sql, type });
