/**
 * `npm run query` from a synthesized assembly: first the Glue tables as the query engine reads
 * them from the templates (the fixture tables of its other tests are checked against them),
 * then end to end: the local pipeline from the same assembly, known
 * unicorn records and sensor readings put on its streams, and the README's Athena query, run
 * unchanged (but for the partition values of the records' arrival) through the same session
 * `bin/query.ts` opens, answering exactly what was put. Then the command as a real process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { putRecordsReliably } from '#core/put-records';
import { isAlert, type SensorReading } from '#core/sensor';
import { formatStatusTime } from '#core/status-time';
import type { UnicornStatus } from '#core/telemetry';
import { readAssembly } from '../../local/assembly';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { readGlueCatalog } from '../../ops/query/catalog';
import { formatTable } from '../../ops/query/format';
import { openLocalSession, type QuerySession } from '../../ops/query/run';
import { synthesizeAssembly, WITH_SENSORS } from '../support/assembly';
import { waitUntil } from '../support/wait';
import { SENSOR_ALERTS, UNICORN_STATUS } from './query/fixtures';
import { ROOT, runScript } from '../support/run-command';
import { TEST_PACE } from '../support/pipeline-pace';

let assembly: ReturnType<typeof synthesizeAssembly>;
let pipeline: LocalPipeline;
let session: QuerySession;
const problems: string[] = [];

/** The README's query, as the README prints it. */
function readmeQuery(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = /```sql\n(SELECT name, count\(\*\) AS records[\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('The README has no unicorn_status query');
  return match[1].trim();
}

/** Unicorn statuses with known distances: `count` per unicorn. */
function statuses(names: string[], count: number): UnicornStatus[] {
  const now = Date.now();
  return names.flatMap((name, u) =>
    Array.from({ length: count + u }, (_, i) => ({
      Name: name,
      StatusTime: formatStatusTime(now + i * 1000),
      Latitude: 40.75 + i / 1000,
      Longitude: -73.98,
      Distance: 10 + u * 7.25 + i * 0.125,
      MagicPoints: 150 + i,
      HealthPoints: 140 - i,
    })),
  );
}

beforeAll(() => {
  assembly = synthesizeAssembly(WITH_SENSORS);
});

beforeAll(async () => {
  pipeline = await startLocalPipeline({
    ...TEST_PACE,
    assemblyDir: assembly.dir,
    dataDir: mkdtempSync(path.join(tmpdir(), 'query-e2e-')),
    windowSeconds: 2,
    log: (message) => problems.push(message),
  });
  session = await openLocalSession({
    assemblyDir: assembly.dir,
    endpoint: pipeline.endpoint,
    region: pipeline.region,
    runningOutputs: Object.fromEntries(pipeline.stacks.map((s) => [s.stackName, s.outputs])),
  });
});

afterAll(async () => {
  await session?.close();
  await pipeline?.stop();
  assembly?.remove();
});

describe('Glue tables from the templates', () => {
  const catalog = () => readGlueCatalog(assembly.dir);
  const bucket = () => readAssembly(assembly.dir, { sqs: 'http://127.0.0.1' })[0].outputs.DataLakeBucketName;
  const table = (name: string) => catalog().tables.find((t) => t.name === name)!;
  /** A fixture with the local bucket in place of `lake`. */
  const inBucket = <T>(value: T): T =>
    JSON.parse(JSON.stringify(value).replaceAll('s3://lake/', `s3://${bucket()}/`));

  it('finds the data lake table and the sensor alerts table in the wildrydes database', () => {
    expect(
      catalog()
        .tables.map((t) => `${t.database}.${t.name}`)
        .sort(),
    ).toEqual(['wildrydes.sensor_alerts', 'wildrydes.unicorn_status']);
  });

  it('reads unicorn_status: columns and types, JSON SerDe, location in the local bucket, projection', () => {
    const t = table('unicorn_status');
    expect(bucket()).toMatch(/^wildrydes-datalakebucket/);
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
    expect(catalog().outputs.WildRydes).toMatchObject({
      DataLakeBucketName: bucket(),
      AthenaWorkGroup: 'wildrydes',
    });
  });
});

async function lakeKeys(prefix: string): Promise<string[]> {
  const bucket = pipeline.stacks[0].outputs.DataLakeBucketName;
  const list = await pipeline.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (list.Contents ?? []).map((o) => o.Key!);
}

async function lakeLines(prefix: string): Promise<number> {
  const bucket = pipeline.stacks[0].outputs.DataLakeBucketName;
  let lines = 0;
  for (const key of await lakeKeys(prefix)) {
    const body = await pipeline.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await body.Body!.transformToByteArray());
    const text = key.endsWith('.gz')
      ? (await import('node:zlib')).gunzipSync(bytes).toString()
      : bytes.toString();
    lines += text.split('\n').filter(Boolean).length;
  }
  return lines;
}

/** The (year, month) partitions the objects under a prefix landed in. */
async function months(prefix: string): Promise<[string, string][]> {
  const found = new Set(
    (await lakeKeys(prefix)).map((k) => /year=(\d+)\/month=(\d+)\//.exec(k)!.slice(1, 3).join('/')),
  );
  return [...found].map((m) => m.split('/') as [string, string]);
}

it("answers the README's query with one row per unicorn, the counts and distances put", async () => {
  const names = ['Shadowfax', 'Bucephalus', 'Rocinante'];
  const put = statuses(names, 5);
  const stream = pipeline.stacks[0].outputs.StreamName!;
  const entries = put.map((s) => ({ data: Buffer.from(JSON.stringify(s)), partitionKey: s.Name }));
  expect((await putRecordsReliably(pipeline.kinesis, stream, entries)).failed).toEqual([]);
  await waitUntil(async () => (await lakeLines('raw/')) === put.length, 'every record in the data lake');

  const totals = new Map<string, { records: number; metres: number }>();
  for (const [year, month] of await months('raw/')) {
    const sql = readmeQuery()
      .replace(`year = '2026'`, `year = '${year}'`)
      .replace(`month = '11'`, `month = '${month}'`);
    const result = await session.run(sql);
    expect(result.columns).toEqual([
      { name: 'name', type: 'varchar' },
      { name: 'records', type: 'bigint' },
      { name: 'metres', type: 'double' },
    ]);
    process.stdout.write(`${sql}\n${formatTable(result)}${result.summary}\n`);
    for (const [name, records, metres] of result.rows) {
      const sum = totals.get(name as string) ?? { records: 0, metres: 0 };
      totals.set(name as string, {
        records: sum.records + Number(records),
        metres: sum.metres + (metres as number),
      });
    }
  }
  expect([...totals.keys()].sort()).toEqual([...names].sort());
  for (const name of names) {
    const mine = put.filter((s) => s.Name === name);
    expect(totals.get(name)!.records).toBe(mine.length);
    expect(totals.get(name)!.metres).toBeCloseTo(
      mine.reduce((a, s) => a + s.Distance, 0),
      9,
    );
  }
  expect(problems).toEqual([]);
});

it('reads the sensor alerts through their own CSV table', async () => {
  const t0 = Date.now();
  const readings: SensorReading[] = Array.from({ length: 40 }, (_, i) => ({
    sensorId: `sensor-${i % 4}`,
    eventTimestamp: t0 + i * 10,
    ambientTemp: 20,
    measuredTemp: i % 3 === 0 ? 55.5 + i : 25,
    status: i % 5 === 0 ? 'FAIL, "hot"' : 'OK',
  }));
  const alerts = readings.filter((r) => isAlert(r));
  const stream = pipeline.stacks[0].outputs.SensorStreamName!;
  const entries = readings.map((r) => ({ data: Buffer.from(JSON.stringify(r)), partitionKey: r.sensorId }));
  expect((await putRecordsReliably(pipeline.kinesis, stream, entries)).failed).toEqual([]);
  await waitUntil(
    async () => (await lakeLines('sensor-alerts/')) === alerts.length,
    'the alerts in the data lake',
    30_000,
  );

  const result = await session.run(
    `SELECT sensorid, count(*) AS alerts, max(measuredtemp) AS hottest, min(eventtimestamp) AS first,
            count_if(status = 'FAIL, "hot"') AS failed
     FROM wildrydes.sensor_alerts GROUP BY sensorid ORDER BY sensorid`,
  );
  const expected = [...new Set(alerts.map((a) => a.sensorId))].sort().map((id) => {
    const mine = alerts.filter((a) => a.sensorId === id);
    return [
      id,
      BigInt(mine.length),
      Math.max(...mine.map((a) => a.measuredTemp)),
      BigInt(Math.min(...mine.map((a) => a.eventTimestamp))),
      BigInt(mine.filter((a) => a.status === 'FAIL, "hot"').length),
    ];
  });
  expect(result.rows).toEqual(expected);
});

describe('the command', () => {
  let endpointsFile: string;
  beforeAll(() => {
    endpointsFile = path.join(mkdtempSync(path.join(tmpdir(), 'query-endpoints-')), 'endpoints.json');
    writeFileSync(
      endpointsFile,
      JSON.stringify({
        pid: process.pid,
        region: pipeline.region,
        ...pipeline.endpoints,
        endpoint: pipeline.endpoint,
        stacks: Object.fromEntries(pipeline.stacks.map((s) => [s.stackName, s.outputs])),
      }),
    );
  });

  function query(args: string[]) {
    return runScript('query', args, {
      ...process.env,
      WILDRYDES_ENDPOINTS_FILE: endpointsFile,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  }

  it('prints CSV for the running pipeline', async () => {
    const { code, stdout } = await query([
      '--assembly',
      assembly.dir,
      '--csv',
      'SELECT name, count(*) AS records FROM unicorn_status GROUP BY name ORDER BY name',
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe('name,records\r\nBucephalus,6\r\nRocinante,7\r\nShadowfax,5\r\n');
  });

  it.each([
    [
      'SELECT name, row_number() OVER (ORDER BY name) FROM unicorn_status',
      /^query: window functions \(OVER\): not supported by the local engine\n$/,
    ],
    ['SELEC name FROM unicorn_status', /^query: line 1:1: mismatched input 'SELEC': expected a statement\n$/],
  ])('fails on %s with one line and exit 1', async (sql, message) => {
    const { code, stdout, stderr } = await query(['--assembly', assembly.dir, sql]);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(code).toBe(1);
  });
});
