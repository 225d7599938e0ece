import type { DuckDBConnection } from '@duckdb/node-api';
import { gunzipSync } from 'node:zlib';
import type { GlueTable } from './catalog';
import { DataError, UnsupportedError } from './errors';
import { openCsvDecoder, openXJsonDecoder, textLines, type Cell, type LineDecoder } from './serde';
import { ident, PATH_COLUMN, type PartitionFilter } from './translate';
import { duckType, VARCHAR, type SqlType } from './types';

/**
 * Loads a Glue table's objects from S3 into DuckDB, as Athena would read them: only objects in
 * the partitions partition projection describes (the location template, values in the projected
 * ranges and digits), not hidden (`_` or `.`), decompressed by file extension, each line read by
 * the table's SerDe; partition values come from the object's key. The WHERE clause's partition
 * terms narrow which objects are listed and read; the clause itself still runs in DuckDB.
 */

export interface ObjectStore {
  list(bucket: string, prefix: string): Promise<string[]>;
  get(bucket: string, key: string): Promise<Uint8Array>;
}

export interface LoadStats {
  objects: number;
  rows: number;
}

/** `s3://bucket/prefix` into its parts. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new DataError(`Not an S3 location: ${url}`);
  return { bucket: m[1], prefix: m[2] };
}

interface Partitioning {
  readonly bucket: string;
  /** The key of an object in a partition: its partition values, or undefined when Athena does not read it. */
  match(key: string): Record<string, string> | undefined;
  /** The list prefix that covers every object passing the filter. */
  prefix(filter: PartitionFilter): string;
}

function projectedValue(
  value: string,
  projection: { type: string; range?: readonly [number, number]; digits?: number },
): boolean {
  if (projection.type !== 'integer' || !projection.range) return false;
  const n = Number(value);
  const formatted = String(n).padStart(projection.digits ?? 0, '0');
  return /^\d+$/.test(value) && formatted === value && n >= projection.range[0] && n <= projection.range[1];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function partitioning(table: GlueTable): Partitioning {
  const hidden = (name: string) => name === '' || name.startsWith('_') || name.startsWith('.');
  if (table.partitionKeys.length === 0) {
    const { bucket, prefix } = parseS3Url(table.location);
    return {
      bucket,
      match: (key) =>
        key.startsWith(prefix) && !key.slice(prefix.length).includes('/') && !hidden(key.slice(prefix.length))
          ? {}
          : undefined,
      prefix: () => prefix,
    };
  }
  if (!table.projection || !table.locationTemplate) {
    throw new UnsupportedError(
      `the partitioned table ${table.database}.${table.name} without partition projection`,
      'its partitions are registered in Glue, not in the template',
    );
  }
  for (const [key, p] of Object.entries(table.projection)) {
    if (p.type !== 'integer' || !p.range)
      throw new UnsupportedError(`partition projection of type ${p.type} (${table.name}.${key})`);
  }
  const { bucket, prefix: template } = parseS3Url(table.locationTemplate.replace(/\/?$/, '/'));
  const parts = template.split(/(\$\{[^}]+\})/);
  const names = parts.filter((_, i) => i % 2 === 1).map((p) => p.slice(2, -1).toLowerCase());
  const pattern = new RegExp(
    `^${parts.map((p, i) => (i % 2 === 1 ? '([^/]+)' : escapeRegex(p))).join('')}([^/]+)$`,
  );
  return {
    bucket,
    match(key) {
      const m = pattern.exec(key);
      if (!m || hidden(m[m.length - 1])) return undefined;
      const values = Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
      return names.every((n) => projectedValue(values[n], table.projection![n])) ? values : undefined;
    },
    prefix(filter) {
      let prefix = '';
      for (let i = 0; i < parts.length; i++) {
        if (i % 2 === 0) prefix += parts[i];
        else if (filter[names[(i - 1) / 2]]?.length === 1) prefix += filter[names[(i - 1) / 2]][0];
        else break;
      }
      return prefix;
    },
  };
}

const passes = (values: Record<string, string>, filter: PartitionFilter) =>
  Object.entries(filter).every(([column, allowed]) => allowed.includes(values[column]));

function decoderFor(table: GlueTable): LineDecoder {
  const columns = table.columns.map((c) => ({ name: c.name, type: c.type! }));
  switch (table.serializationLibrary) {
    case 'org.openx.data.jsonserde.JsonSerDe':
      return openXJsonDecoder(columns, table.serdeParameters);
    case 'org.apache.hadoop.hive.serde2.OpenCSVSerde':
      return openCsvDecoder(columns, table.serdeParameters, table.parameters);
    default:
      throw new UnsupportedError(`the SerDe ${table.serializationLibrary} (${table.name})`);
  }
}

const COMPRESSED = /\.(deflate|bz2|lz4|snappy|zst|lzo)$/;

function objectText(key: string, body: Uint8Array): string {
  if (COMPRESSED.test(key)) throw new UnsupportedError(`reading ${key}`, 'it decompresses .gz only');
  return Buffer.from(key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

/**
 * The appender method for a column of each type the SerDes decode; the cell is of the matching
 * JavaScript type (string, boolean, number, or bigint for bigint).
 */
const APPEND_METHODS: Readonly<Record<string, keyof Appender>> = {
  varchar: 'appendVarchar',
  boolean: 'appendBoolean',
  double: 'appendDouble',
  bigint: 'appendBigInt',
  integer: 'appendInteger',
  smallint: 'appendSmallInt',
  tinyint: 'appendTinyInt',
};

function append(appender: Appender, cell: Cell, type: SqlType): void {
  if (cell === null) return appender.appendNull();
  if (!Object.hasOwn(APPEND_METHODS, type)) throw new UnsupportedError(`a ${type} column`);
  const method = appender[APPEND_METHODS[type]] as (this: Appender, value: Exclude<Cell, null>) => void;
  method.call(appender, cell);
}

/** Closes the appender; after a failure, a close error would only hide the first one. */
function closeAppender(appender: { closeSync(): void }, failed: boolean): void {
  try {
    appender.closeSync();
  } catch (error) {
    if (!failed) throw error;
  }
}

/** (Re)creates the table in DuckDB and loads the objects that pass any of the filters. */
export async function loadTable(
  connection: DuckDBConnection,
  table: GlueTable,
  filters: readonly PartitionFilter[],
  store: ObjectStore,
): Promise<LoadStats> {
  const layout = partitioning(table);
  const decoder = decoderFor(table);
  const columns = [
    ...table.columns.map((c) => ({ name: c.name, type: c.type! })),
    ...table.partitionKeys.map((c) => ({ name: c.name, type: VARCHAR })),
    { name: PATH_COLUMN, type: VARCHAR },
  ];
  const [schema, name] = [ident(table.database), ident(table.name)];
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await connection.run(
    `CREATE OR REPLACE TABLE ${schema}.${name} (${columns.map((c) => `${ident(c.name)} ${duckType(c.type)}`).join(', ')})`,
  );
  const keys = new Set<string>();
  const prefixes = new Set((filters.length ? filters : [{}]).map((f) => layout.prefix(f)));
  for (const prefix of prefixes) for (const key of await store.list(layout.bucket, prefix)) keys.add(key);
  const stats: LoadStats = { objects: 0, rows: 0 };
  const appender = await connection.createAppender(table.name, table.database);
  let failed = true;
  try {
    for (const key of [...keys].sort()) {
      const values = layout.match(key);
      if (!values || !(filters.length === 0 || filters.some((f) => passes(values, f)))) continue;
      const lines = textLines(objectText(key, await store.get(layout.bucket, key)));
      const path = `s3://${layout.bucket}/${key}`;
      stats.objects += 1;
      lines.slice(decoder.skipLines).forEach((line, i) => {
        const cells = decoder.decode(line, () => `${path} line ${i + 1 + decoder.skipLines}`);
        [...cells, ...table.partitionKeys.map((k) => values[k.name]), path].forEach((cell, c) =>
          append(appender, cell, columns[c].type),
        );
        appender.endRow();
        stats.rows += 1;
      });
    }
    appender.flushSync();
    failed = false;
  } finally {
    closeAppender(appender, failed);
  }
  return stats;
}
