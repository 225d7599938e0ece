import { DuckDBInstance, DuckDBListValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { QueryError } from './errors';
import type { QueryResult, Value } from './format';
import type { OutputColumn } from './translate';
import { BIGINT, DATE, DOUBLE, elementType, isArray, isInteger, timestampType, type SqlType } from './types';

/**
 * The embedded engine: an in-memory DuckDB set up to answer as Athena does (UTC session, NULLs
 * last in either direction, Trino's integer division), reading only the tables loaded into it
 * (no files, no extensions from the network).
 */

const SETUP = [
  `SET TimeZone = 'UTC'`,
  `SET default_null_order = 'NULLS_LAST'`,
  `SET default_order = 'ASC'`,
  // Integer division truncates toward zero and fails on zero, as in Trino.
  `CREATE MACRO athena_int_div(a, b) AS CASE WHEN b = 0 THEN error('Division by zero') ELSE a // b END`,
  `CREATE MACRO athena_int_mod(a, b) AS CASE WHEN b = 0 THEN error('Division by zero') ELSE a % b END`,
  `SET enable_external_access = false`,
  `SET autoinstall_known_extensions = false`,
  `SET autoload_known_extensions = false`,
];

export interface Engine {
  readonly connection: DuckDBConnection;
  run(sql: string, columns: readonly OutputColumn[]): Promise<QueryResult>;
  close(): void;
}

/** A timestamp's micros as Trino prints it at its precision. */
function timestampText(micros: bigint, type: SqlType): string {
  const ts = timestampType(type)!;
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const rest = ((micros % 1000n) + 1000n) % 1000n;
  const iso = new Date(Number(ms)).toISOString();
  const seconds = iso.slice(0, 19).replace('T', ' ');
  const fraction = `${iso.slice(20, 23)}${String(rest).padStart(3, '0')}`.slice(0, ts.precision);
  return `${seconds}${fraction ? `.${fraction}` : ''}${ts.zoned ? ' UTC' : ''}`;
}

/** A DuckDB value as the result holds it for its Athena type. */
export function fromDuck(value: DuckDBValue, type: SqlType): Value {
  if (value === null || value === undefined) return null;
  if (isArray(type)) return (value as DuckDBListValue).items.map((v) => fromDuck(v, elementType(type)));
  if (timestampType(type)) return timestampText((value as { micros: bigint }).micros, type);
  if (type === BIGINT) return BigInt(value as bigint);
  if (isInteger(type) || type === DOUBLE) return Number(value);
  if (type === 'boolean') return value as boolean;
  if (type === DATE || type === 'decimal') return String(value);
  return String(value);
}

export async function openEngine(): Promise<Engine> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const statement of SETUP) await connection.run(statement);
  return {
    connection,
    async run(sql, columns) {
      let rows: DuckDBValue[][];
      try {
        rows = (await connection.runAndReadAll(sql)).getRows();
      } catch (error) {
        throw new QueryError(engineMessage((error as Error).message));
      }
      return { columns, rows: rows.map((row) => row.map((v, i) => fromDuck(v, columns[i].type))) };
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** DuckDB's message for a failing query, first line, without its error class prefix. */
function engineMessage(message: string): string {
  const first = message.split('\n')[0];
  return first.replace(
    /^(Invalid Input|Out of Range|Conversion|Binder|Parser|Catalog|Not implemented) Error: /,
    '',
  );
}
