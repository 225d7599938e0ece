import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_NAMES } from '#core/names';
import { clientConfig } from '../../cli/aws';
import { readGlueCatalog, type GlueCatalog, type GlueTable } from './catalog';
import { openEngine } from './engine';
import { QueryError, SqlError } from './errors';
import type { QueryResult } from './format';
import { loadTable, type ObjectStore } from './lake';
import { parseStatement } from './parser';
import { translateQuery, type Catalog } from './translate';
import { VARCHAR } from './types';

/**
 * A query session: statements run one after another, here against the local data lake (the
 * Glue tables of the synthesized templates, over the running pipeline's S3) and in athena.ts
 * against Athena.
 */

export interface StatementResult extends QueryResult {
  /** What the user should know about the answer (an estimate answered exactly, …). */
  readonly notes: readonly string[];
  /** One line on what was read and how long it took. */
  readonly summary: string;
}

export interface QuerySession {
  readonly description: string;
  run(sql: string): Promise<StatementResult>;
  close(): Promise<void>;
}

/** An S3 client for the local pipeline's one endpoint (path-style: the endpoint is an IP address). */
export function localS3Client(endpoint: string, region: string): S3Client {
  return new S3Client({ ...clientConfig({ endpointUrl: endpoint, region }, 'S3'), forcePathStyle: true });
}

export function s3Store(client: S3Client): ObjectStore {
  return {
    async list(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async get(bucket, key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body!.transformToByteArray();
    },
  };
}

export interface LocalSessionOptions {
  readonly assemblyDir: string;
  /** The local pipeline's AWS endpoint. */
  readonly endpoint: string;
  readonly region: string;
  /** For unqualified table names. @default the data lake's database (`wildrydes`) */
  readonly database?: string;
  /** The running pipeline's stack outputs, to check the assembly is the one it runs. */
  readonly runningOutputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

function checkSameAssembly(
  catalog: GlueCatalog,
  running: LocalSessionOptions['runningOutputs'],
  dir: string,
): void {
  for (const [stack, outputs] of Object.entries(running ?? {})) {
    const mine = catalog.outputs[stack];
    const differs = mine && Object.keys(outputs).find((k) => k in mine && mine[k] !== outputs[k]);
    if (differs) {
      throw new QueryError(
        `The assembly in ${dir} is not the one the running pipeline runs (${stack} ${differs} differs): pass --assembly`,
      );
    }
  }
}

function defaultDatabase(catalog: GlueCatalog, database: string | undefined): string {
  if (database !== undefined) return database.toLowerCase();
  const databases = [...new Set(catalog.tables.map((t) => t.database))];
  return databases.includes(DEFAULT_NAMES.glueDatabase)
    ? DEFAULT_NAMES.glueDatabase
    : (databases[0] ?? DEFAULT_NAMES.glueDatabase);
}

function showTables(catalog: Catalog, database: string | undefined): QueryResult {
  const db = (database ?? catalog.defaultDatabase).toLowerCase();
  if (!catalog.tables.some((t) => t.database === db)) throw new SqlError(`Schema '${db}' does not exist`);
  const names = catalog.tables
    .filter((t) => t.database === db)
    .map((t) => t.name)
    .sort();
  return { columns: [{ name: 'tab_name', type: VARCHAR }], rows: names.map((n) => [n]) };
}

/** A session over Glue tables whose objects are read from `store`, answered by DuckDB. */
export async function localSession(
  tables: readonly GlueTable[],
  database: string,
  store: ObjectStore,
  description: string,
  onClose: () => void = () => undefined,
): Promise<QuerySession> {
  const catalog: Catalog = { tables, defaultDatabase: database };
  const engine = await openEngine();
  return {
    description,
    async run(sql) {
      const started = Date.now();
      const statement = parseStatement(sql);
      if (statement.kind === 'showTables')
        return { ...showTables(catalog, statement.database), notes: [], summary: '' };
      const translation = translateQuery(statement.query, catalog);
      let objects = 0;
      let records = 0;
      for (const use of translation.uses) {
        const stats = await loadTable(engine.connection, use.table as GlueTable, use.filters, store);
        objects += stats.objects;
        records += stats.rows;
      }
      const result = await engine.run(translation.sql, translation.columns);
      const seconds = ((Date.now() - started) / 1000).toFixed(2);
      return {
        ...result,
        notes: translation.notes,
        summary: `${objects} objects, ${records} records read (${seconds} s)`,
      };
    },
    async close() {
      engine.close();
      onClose();
    },
  };
}

/** A session over the running local pipeline: the assembly's Glue tables, its S3 emulator. */
export async function openLocalSession(options: LocalSessionOptions): Promise<QuerySession> {
  const glue = readGlueCatalog(options.assemblyDir);
  checkSameAssembly(glue, options.runningOutputs, options.assemblyDir);
  const s3 = localS3Client(options.endpoint, options.region);
  const description = `the local data lake (S3 at ${options.endpoint}, tables from ${options.assemblyDir})`;
  return localSession(glue.tables, defaultDatabase(glue, options.database), s3Store(s3), description, () =>
    s3.destroy(),
  );
}
