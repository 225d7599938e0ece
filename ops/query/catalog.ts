import { readAssemblyStacks, type AssemblyStack } from '../../system/cloud-assembly';
import { LOCAL_ACCOUNT, readAssembly } from '../../local/assembly';
import { resolveString, type IntrinsicContext, type ResolvedResource } from '../../system/intrinsics';
import { QueryError } from './errors';
import type { CatalogTable, TableColumn } from './translate';
import { glueToSql, VARCHAR } from './types';

/**
 * The Glue Data Catalog as the synthesized templates declare it: each `AWS::Glue::Table` with
 * its columns, partition keys, SerDe, location and partition projection, the location resolved
 * to the bucket the local runtime runs (`local/assembly.ts` names the local resources).
 */

export interface Projection {
  readonly type: string;
  readonly range?: readonly [number, number];
  readonly digits?: number;
}

export interface GlueTable extends CatalogTable {
  readonly stackName: string;
  readonly serializationLibrary: string;
  readonly serdeParameters: Readonly<Record<string, string>>;
  readonly parameters: Readonly<Record<string, string>>;
  /** `s3://bucket/prefix/`, resolved to the local bucket. */
  readonly location: string;
  /** With partition projection: where each partition's objects are, `${key}` for its values. */
  readonly locationTemplate?: string;
  readonly projection?: Readonly<Record<string, Projection>>;
}

export interface GlueCatalog {
  readonly tables: readonly GlueTable[];
  /** Each stack's resolved outputs, to check they are the running pipeline's. */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

interface TableInput {
  Name: string;
  PartitionKeys?: { Name: string; Type: string }[];
  Parameters?: Record<string, unknown>;
  StorageDescriptor?: {
    Columns?: { Name: string; Type: string }[];
    Location?: unknown;
    SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> };
  };
}

/** The assembly's stacks and templates (the one place that reads them, for an easy swap). */
function assemblyTemplates(dir: string): AssemblyStack[] {
  return readAssemblyStacks(dir);
}

const column = (c: { Name: string; Type: string }): TableColumn => ({
  name: c.Name.toLowerCase(),
  type: glueToSql(c.Type),
  glueType: c.Type,
});

function projectionOf(parameters: Readonly<Record<string, string>>, keys: readonly TableColumn[]) {
  if (parameters['projection.enabled']?.toLowerCase() !== 'true') return undefined;
  return Object.fromEntries(
    keys.map((k) => {
      const p = (name: string) => parameters[`projection.${k.name}.${name}`];
      const range = p('range')
        ?.split(',')
        .map((v) => Number(v.trim()));
      const projection: Projection = {
        type: p('type') ?? 'none',
        ...(range?.length === 2 ? { range: range as [number, number] } : {}),
        ...(p('digits') ? { digits: Number(p('digits')) } : {}),
      };
      return [k.name, projection];
    }),
  );
}

function glueTable(
  props: Record<string, unknown>,
  stackName: string,
  resolveText: (v: unknown, where: string) => string,
): GlueTable {
  const input = props.TableInput as TableInput;
  const where = `${stackName} table ${input.Name}`;
  const parameters = Object.fromEntries(
    Object.entries(input.Parameters ?? {}).map(([k, v]) => [k, resolveText(v, `${where} ${k}`)]),
  );
  const storage = input.StorageDescriptor ?? {};
  const partitionKeys = (input.PartitionKeys ?? []).map(column);
  return {
    stackName,
    database: resolveText(props.DatabaseName, `${where} DatabaseName`).toLowerCase(),
    name: input.Name.toLowerCase(),
    columns: (storage.Columns ?? []).map(column),
    partitionKeys: partitionKeys.map((k) => ({ ...k, type: k.type === VARCHAR ? VARCHAR : undefined })),
    serializationLibrary:
      storage.SerdeInfo?.SerializationLibrary ?? 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
    serdeParameters: storage.SerdeInfo?.Parameters ?? {},
    parameters,
    location: resolveText(storage.Location, `${where} Location`),
    locationTemplate: parameters['storage.location.template'],
    projection: projectionOf(parameters, partitionKeys),
  };
}

/** Every Glue table of a synthesized assembly, with locations in the local runtime's buckets. */
export function readGlueCatalog(assemblyDir: string): GlueCatalog {
  const local = new Map(readAssembly(assemblyDir, { sqs: 'http://127.0.0.1' }).map((s) => [s.stackName, s]));
  const tables: GlueTable[] = [];
  for (const stack of assemblyTemplates(assemblyDir)) {
    const resolved = local.get(stack.stackName);
    if (!resolved) continue;
    const resources: Record<string, ResolvedResource> = Object.fromEntries(
      resolved.buckets.map((b) => [
        b.logicalId,
        { ref: b.name, attributes: { Arn: `arn:aws:s3:::${b.name}` } },
      ]),
    );
    const ctx: IntrinsicContext = {
      region: resolved.region,
      accountId: LOCAL_ACCOUNT,
      stackName: stack.stackName,
      resources,
    };
    const resolveText = (value: unknown, where: string) => {
      try {
        return resolveString(value, ctx, where);
      } catch (error) {
        throw new QueryError(`Cannot read the Glue table: ${(error as Error).message}`);
      }
    };
    for (const resource of Object.values(stack.template.Resources ?? {})) {
      if (resource.Type === 'AWS::Glue::Table')
        tables.push(glueTable(resource.Properties ?? {}, stack.stackName, resolveText));
    }
  }
  return { tables, outputs: Object.fromEntries([...local.values()].map((s) => [s.stackName, s.outputs])) };
}
