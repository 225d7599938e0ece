import { gzipSync } from 'node:zlib';
import type { GlueTable } from '../../../ops/query/catalog';
import type { ObjectStore } from '../../../ops/query/lake';
import { glueToSql } from '../../../ops/query/types';

/**
 * Glue tables as the Wild Rydes templates declare them (checked against the synthesized template
 * in query-catalog.test.ts) and an in-memory object store, for the query engine's tests.
 */

const projection = {
  year: { type: 'integer', range: [2020, 2099] as const, digits: undefined },
  month: { type: 'integer', range: [1, 12] as const, digits: 2 },
  day: { type: 'integer', range: [1, 31] as const, digits: 2 },
  hour: { type: 'integer', range: [0, 23] as const, digits: 2 },
};

const partitionKeys = ['year', 'month', 'day', 'hour'].map((name) => ({
  name,
  type: 'varchar',
  glueType: 'string',
}));
const columns = (spec: [string, string][]) =>
  spec.map(([name, glueType]) => ({ name, type: glueToSql(glueType), glueType }));

export const UNICORN_STATUS: GlueTable = {
  stackName: 'WildRydes',
  database: 'wildrydes',
  name: 'unicorn_status',
  columns: columns([
    ['name', 'string'],
    ['statustime', 'string'],
    ['latitude', 'double'],
    ['longitude', 'double'],
    ['distance', 'double'],
    ['magicpoints', 'int'],
    ['healthpoints', 'int'],
  ]),
  partitionKeys,
  serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
  serdeParameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
  parameters: { 'projection.enabled': 'true' },
  location: 's3://lake/raw/',
  locationTemplate: 's3://lake/raw/year=${year}/month=${month}/day=${day}/hour=${hour}/',
  projection,
};

export const SENSOR_ALERTS: GlueTable = {
  ...UNICORN_STATUS,
  name: 'sensor_alerts',
  columns: columns([
    ['sensorid', 'string'],
    ['eventtimestamp', 'bigint'],
    ['ambienttemp', 'double'],
    ['measuredtemp', 'double'],
    ['status', 'string'],
  ]),
  serializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde',
  serdeParameters: { separatorChar: ',', quoteChar: '"', escapeChar: '\\' },
  location: 's3://lake/sensor-alerts/',
  locationTemplate: 's3://lake/sensor-alerts/year=${year}/month=${month}/day=${day}/hour=${hour}/',
};

/** An object store in memory: `bucket/key` to content; counts the objects read. */
export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  reads = 0;

  put(bucket: string, key: string, text: string): this {
    this.objects.set(`${bucket}/${key}`, key.endsWith('.gz') ? gzipSync(text) : Buffer.from(text));
    return this;
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/${prefix}`))
      .map((k) => k.slice(bucket.length + 1));
  }

  async get(bucket: string, key: string): Promise<Uint8Array> {
    this.reads += 1;
    return this.objects.get(`${bucket}/${key}`)!;
  }
}

export const jsonLines = (records: unknown[]) =>
  records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
