/**
 * The Glue tables as the query engine reads them from a synthesized cloud assembly: columns,
 * types, SerDe, location resolved to the local runtime's bucket, partition projection. The
 * fixture tables the engine's other tests use are checked against them here.
 */
import { readAssembly } from '../../local/assembly';
import { readGlueCatalog, type GlueCatalog } from '../../ops/query/catalog';
import { synthesizeAssembly } from '../support/assembly';
import { SENSOR_ALERTS, UNICORN_STATUS } from './query/fixtures';

let assembly: ReturnType<typeof synthesizeAssembly>;
let catalog: GlueCatalog;
let bucket: string;

beforeAll(() => {
  assembly = synthesizeAssembly();
  catalog = readGlueCatalog(assembly.dir);
  bucket = readAssembly(assembly.dir, { sqs: 'http://127.0.0.1' })[0].outputs.DataLakeBucketName;
});
afterAll(() => assembly.remove());

const table = (name: string) => catalog.tables.find((t) => t.name === name)!;
/** A fixture with the local bucket in place of `lake`. */
const inBucket = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value).replaceAll('s3://lake/', `s3://${bucket}/`));

describe('Glue tables from the templates', () => {
  it('finds the data lake table and the sensor alerts table in the wildrydes database', () => {
    expect(catalog.tables.map((t) => `${t.database}.${t.name}`).sort()).toEqual([
      'wildrydes.sensor_alerts',
      'wildrydes.unicorn_status',
    ]);
  });

  it('reads unicorn_status: columns and types, JSON SerDe, location in the local bucket, projection', () => {
    const t = table('unicorn_status');
    expect(bucket).toMatch(/^wildrydes-datalakebucket/);
    expect(t).toEqual({
      ...inBucket(UNICORN_STATUS),
      parameters: expect.objectContaining({ classification: 'json', compressionType: 'gzip' }),
    });
    expect(t.columns.map((c) => `${c.name} ${c.glueType}`)).toEqual([
      'name string',
      'statustime string',
      'latitude double',
      'longitude double',
      'distance double',
      'magicpoints int',
      'healthpoints int',
    ]);
  });

  it('reads sensor_alerts: the CSV columns, Open CSV SerDe, its own prefix', () => {
    expect(table('sensor_alerts')).toEqual({
      ...inBucket(SENSOR_ALERTS),
      parameters: expect.objectContaining({ classification: 'csv' }),
    });
  });

  it('resolves the outputs, to check the assembly is the one the pipeline runs', () => {
    expect(catalog.outputs.WildRydes).toMatchObject({
      DataLakeBucketName: bucket,
      AthenaWorkGroup: 'wildrydes',
    });
  });
});
