/**
 * The local runtime end to end, from a freshly synthesized cloud assembly: producers put known
 * records, and everything downstream is checked against what can be read back independently.
 *
 * - Wild Rydes: every record reaches the data lake; the per-minute summaries in DynamoDB equal
 *   aggregates computed here from the records and their arrival times; a malformed record goes to
 *   the failure queue without stopping anything; a restart in the middle of a window neither
 *   loses nor double-counts a summary.
 * - IoT sensors: injected duplicates are removed exactly, the filter keeps exactly the alerts, the
 *   10-second aggregates match an independent computation, and the CSV objects parse back to the
 *   alert readings.
 *
 * Windows are cut by the emulator's arrival times, so these tests watch real time pass (a few
 * seconds, with short windows); every pipeline they start is stopped.
 */
import { DEFAULT_LABS } from '#core/labs';
import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordCommand as FirehosePutRecordCommand,
} from '@aws-sdk/client-firehose';
import { PutRecordCommand, type _Record } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseApacheLog } from '#core/apache-log';
import { compileTemplate } from '#core/kdg-template';
import { putRecordsReliably } from '#core/put-records';
import { decodeJson } from '#core/record-data';
import { isAlert, parseSensorCsvLine, splitCsvLines, type SensorReading } from '#core/sensor';
import { METRICS_NAMESPACE, SENSOR_SETTINGS } from '#core/settings';
import { formatStatusTime } from '#core/status-time';
import { parseUnicornStatus, type UnicornStatus } from '#core/telemetry';
import { FLEET_RECORDS, LOG_LINES_SHIPPED, unicornFleet, webServerLogs } from '../../bin/local-workloads';
import { runProducer } from '../../commands/producer';
import { sleep } from '../../cli/run-main';
import type { LocalStack } from '../../local/assembly';
import { localClients } from '../../local/aws-access';
import { windowStartOf } from '../../local/event-source';
import { startLocalPipeline, type LocalPipeline, type LocalPipelineOptions } from '../../local/runtime';
import { listShards, ShardReader } from '#core/shard-follower';
import { synthesizeAssembly, WITH_SENSORS } from '../support/assembly';
import { expectedTotals } from '../support/oracle';
import { waitUntil } from '../support/wait';

/**
 * Windows are shortened, and the event sources' batching window more so (0.2 s instead of the
 * template's seconds), so that a window sees non-final invocations (state saved) well before it
 * ends, even on a busy machine: that state is what a restart must carry over.
 */
const WINDOW_SECONDS = 6;
const BATCHING_WINDOW_SECONDS = 0.2;
let assembly: ReturnType<typeof synthesizeAssembly>;
const started: LocalPipeline[] = [];

beforeAll(() => {
  assembly = synthesizeAssembly(WITH_SENSORS);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
});
afterAll(() => assembly.remove());

async function start(dataDir: string, extra: Partial<LocalPipelineOptions> = {}) {
  const problems: string[] = [];
  const pipeline = await startLocalPipeline({
    assemblyDir: extra.assemblyDir ?? assembly.dir,
    dataDir,
    windowSeconds: WINDOW_SECONDS,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
    // Two readers share each shard's 5 GetRecords calls a second (the limits are on): 2.5 each.
    pollMs: 400,
    batchingWindowSeconds: BATCHING_WINDOW_SECONDS,
    bufferIntervalSeconds: 1,
    log: (message) => problems.push(message),
    ...extra,
  });
  started.push(pipeline);
  return { pipeline, problems };
}

async function stop(pipeline: LocalPipeline) {
  started.splice(started.indexOf(pipeline), 1);
  await pipeline.stop();
}

/** Every record on a stream, read back from the emulator with its arrival time. */
async function readStream(pipeline: LocalPipeline, stream: string): Promise<_Record[]> {
  const all: _Record[] = [];
  for (const shard of await listShards(pipeline.kinesis, stream)) {
    const reader = new ShardReader(pipeline.kinesis, stream, shard.ShardId!, {
      start: { type: 'TRIM_HORIZON' },
    });
    for (;;) {
      const { records } = await reader.read(10_000);
      if (records.length === 0) break;
      all.push(...records);
    }
  }
  return all;
}

async function scan(pipeline: LocalPipeline, table: string) {
  const out = await DynamoDBDocumentClient.from(pipeline.dynamodb).send(
    new ScanCommand({ TableName: table, ConsistentRead: true }),
  );
  return (out.Items ?? []) as Record<string, never>[];
}

async function objects(pipeline: LocalPipeline, bucket: string, prefix: string) {
  const list = await pipeline.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const bodies: Buffer[] = [];
  for (const object of list.Contents ?? []) {
    const got = await pipeline.s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
    bodies.push(Buffer.from(await got.Body!.transformToByteArray()));
  }
  return { keys: (list.Contents ?? []).map((o) => o.Key!), bodies };
}

const dataLakeBucket = (stack: LocalStack) => stack.outputs.DataLakeBucketName!;

async function fly(pipeline: LocalPipeline, names: string[], count: number, seed: number) {
  return runProducer(
    { stream: 'wildrydes', names, rate: 4, count, seed, quiet: true },
    {
      kinesis: pipeline.kinesis,
      out: () => undefined,
      now: Date.now,
      sleep,
      stop: new AbortController().signal,
      abandon: new AbortController().signal,
    },
  );
}

it('Wild Rydes: data lake complete, summaries exact, malformed record set aside, restart mid-window', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'local-e2e-'));
  const names = ['Shadowfax', 'Bucephalus', 'Rocinante'];

  // The fleet's status figure with no unicorns of its own: every record the stream received.
  const first = await start(dataDir, { workloads: [unicornFleet(0)] });
  // Fly from near the beginning of a window, so that the restart falls in its middle.
  await waitUntil(
    () => Date.now() % (WINDOW_SECONDS * 1000) < 200,
    'the start of a window',
    WINDOW_SECONDS * 1000 + 1000,
  );
  const phase1Window = windowStartOf(Date.now(), WINDOW_SECONDS);
  const phase1 = await fly(first.pipeline, names, 4, 1);
  await first.pipeline.kinesis.send(
    new PutRecordCommand({
      StreamName: 'wildrydes',
      PartitionKey: 'Poison',
      Data: Buffer.from('{"Name":"Poison",'),
    }),
  );
  const table = first.pipeline.stacks[0].outputs.SummaryTableName!;
  const aggregated = (p: LocalPipeline) =>
    p.status().consumers.find((c) => c.label === 'SummaryAggregation')!.records;
  // The aggregation has folded phase 1 into its window state, and the window is still open.
  await waitUntil(() => aggregated(first.pipeline) === phase1.sent + 1, 'phase 1 aggregated', 15_000);
  expect(first.pipeline.status().workloads[FLEET_RECORDS]).toBe(phase1.sent + 1);
  expect(await scan(first.pipeline, table)).toEqual([]);
  const stoppedAt = Date.now();
  await stop(first.pipeline);
  // The stop came before the window's end: the restart below really falls in its middle.
  expect(stoppedAt - phase1Window).toBeLessThan(WINDOW_SECONDS * 1000);

  const second = await start(dataDir);
  const { pipeline } = second;
  const phase2 = await fly(pipeline, names, 8, 2);
  const sent = phase1.sent + phase2.sent;
  expect(sent).toBe(names.length * 12);

  await waitUntil(
    async () => (await scan(pipeline, table)).reduce((n, item) => n + item.Records, 0) === sent,
    'every record in a stored summary',
  );
  const bucket = dataLakeBucket(pipeline.stacks[0]);
  const lakeLines = async () =>
    (await objects(pipeline, bucket, 'raw/')).bodies.flatMap((body) =>
      gunzipSync(body).toString().split('\n').filter(Boolean),
    );
  await waitUntil(async () => (await lakeLines()).length === sent + 1, 'every record in the data lake');

  // The oracle: the records read back from the stream, grouped by arrival window and unicorn.
  const records = await readStream(pipeline, 'wildrydes');
  expect(records).toHaveLength(sent + 1);
  const statuses: (UnicornStatus & { window: number })[] = [];
  for (const record of records) {
    const json = decodeJson(record.Data!);
    const status = json.ok ? parseUnicornStatus(json.value) : json;
    if (status.ok) {
      statuses.push({
        ...status.value,
        window: windowStartOf(record.ApproximateArrivalTimestamp!.getTime(), WINDOW_SECONDS),
      });
    }
  }
  expect(statuses).toHaveLength(sent);
  const items = await scan(pipeline, table);
  const expected = new Map<string, ReturnType<typeof expectedTotals>>();
  for (const s of statuses) {
    const key = `${s.Name}|${formatStatusTime(s.window)}`;
    if (!expected.has(key)) {
      expected.set(
        key,
        expectedTotals(
          statuses.filter((t) => t.window === s.window),
          s.Name,
        ),
      );
    }
  }
  expect(items.map((i) => `${i.Name}|${i.StatusTime}`).sort()).toEqual([...expected.keys()].sort());
  for (const item of items) {
    const want = expected.get(`${item.Name}|${item.StatusTime}`)!;
    expect(item.Distance).toBeCloseTo(want.Distance, 6);
    expect(item).toMatchObject({
      MinMagicPoints: want.MinMagicPoints,
      MaxMagicPoints: want.MaxMagicPoints,
      MinHealthPoints: want.MinHealthPoints,
      MaxHealthPoints: want.MaxHealthPoints,
      Records: want.Records,
    });
  }
  // Every record, the malformed one too, is in the data lake exactly once.
  expect((await lakeLines()).sort()).toEqual(records.map((r) => Buffer.from(r.Data!).toString()).sort());

  // The malformed record went to the aggregation's failure queue, with where to find it.
  const aggregation = pipeline.stacks[0].functions.find((f) => /^SummaryAggregation/.test(f.logicalId))!;
  const queue = aggregation.environment.FAILURE_QUEUE_URL.split('/').pop()!;
  const failures = pipeline.emulators.sqs.messages(queue).map((m) => JSON.parse(m.Body));
  expect(failures).toEqual([
    expect.objectContaining({
      kind: 'malformed-record',
      partitionKey: 'Poison',
      reason: expect.stringMatching(/not JSON/),
    }),
  ]);

  // The handlers' own metrics are in the app's namespace, under the service each function names.
  const cloudwatch = new CloudWatchClient({
    endpoint: pipeline.endpoint,
    region: pipeline.region,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
  });
  const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: METRICS_NAMESPACE }));
  cloudwatch.destroy();
  const services = listed.Metrics!.flatMap((m) => m.Dimensions!.filter((d) => d.Name === 'service'));
  expect(new Set(services.map((d) => d.Value))).toEqual(
    new Set(['summary-aggregation', 'summary-persistence']),
  );
  expect(second.problems.concat(first.problems)).toEqual([]);
});

it('IoT sensors: duplicates removed exactly, alerts filtered to CSV, 10-second aggregates exact', async () => {
  const { pipeline, problems } = await start(mkdtempSync(path.join(tmpdir(), 'local-sensors-')));
  const template = compileTemplate(
    readFileSync(path.join(__dirname, '..', '..', 'templates', 'sensor-reading.tmpl'), 'utf8'),
    {
      seed: 3,
    },
  );
  const t0 = Date.now();
  const texts = Array.from({ length: 200 }, (_, i) => template.render(t0 + i * 10));
  const entries = texts.map((text) => ({ data: Buffer.from(text), partitionKey: JSON.parse(text).sensorId }));
  const stream = pipeline.stacks[0].outputs.SensorStreamName!;
  await putRecordsReliably(pipeline.kinesis, stream, entries.slice(0, 100));
  // A producer's retry: the same readings again, moments later.
  const duplicates = entries.slice(0, 100).filter((_, i) => i % 5 === 0);
  await putRecordsReliably(pipeline.kinesis, stream, duplicates);
  await putRecordsReliably(pipeline.kinesis, stream, entries.slice(100));
  const readings = texts.map((t) => JSON.parse(t) as SensorReading);

  const table = pipeline.stacks[0].outputs.SensorAggregateTableName!;
  const counted = async () => (await scan(pipeline, table)).reduce((n, item) => n + item.count, 0);
  await waitUntil(async () => (await counted()) >= readings.length, 'every reading in an aggregate', 30_000);
  await sleep(3_000); // a duplicate counted late would show now
  expect(await counted()).toBe(readings.length);

  // Aggregates: per sensor and 10-second window of event time, computed here independently.
  const size = SENSOR_SETTINGS.windowSeconds * 1000;
  const groups = new Map<string, SensorReading[]>();
  for (const r of readings) {
    const key = `${r.sensorId}|${Math.floor(Number(r.eventTimestamp) / size) * size}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const items = await scan(pipeline, table);
  expect(items).toHaveLength(groups.size);
  for (const item of items) {
    const windowStart =
      typeof item.windowStart === 'number' ? item.windowStart : Date.parse(item.windowStart);
    const group = groups.get(`${item.sensorId}|${windowStart}`)!;
    expect(group).toBeDefined();
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(item.count).toBe(group.length);
    expect(item.avgAmbientTemp).toBeCloseTo(mean(group.map((r) => r.ambientTemp)), 6);
    expect(item.avgMeasuredTemp).toBeCloseTo(mean(group.map((r) => r.measuredTemp)), 6);
  }

  // Alerts: exactly the readings past the threshold, once each, as CSV in the data lake.
  const alerts = readings.filter((r) => isAlert(r));
  expect(alerts.length).toBeGreaterThan(0);
  expect(alerts.length).toBeLessThan(readings.length);
  const bucket = dataLakeBucket(pipeline.stacks[0]);
  const csvRows = async () =>
    (await objects(pipeline, bucket, 'sensor-alerts/')).bodies.flatMap((body) =>
      splitCsvLines(body.toString()).map((line) => {
        const row = parseSensorCsvLine(line);
        if (!row.ok) throw new Error(row.reason);
        return row.value;
      }),
    );
  await waitUntil(async () => (await csvRows()).length >= alerts.length, 'the alerts in S3', 30_000);
  const key = (r: SensorReading) => JSON.stringify(r);
  expect((await csvRows()).map(key).sort()).toEqual(alerts.map(key).sort());
  expect(problems).toEqual([]);
});

it('Log shipping: a generated access log, shipped by the agent, lands in S3 as JSON, each line once', async () => {
  const withWeblogs = synthesizeAssembly({ labs: [...DEFAULT_LABS, 'weblogs'] });
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'local-weblogs-'));
    const { pipeline, problems } = await start(dataDir, {
      assemblyDir: withWeblogs.dir,
      workloads: [webServerLogs()],
    });
    const outputs = pipeline.stacks.find((s) => s.outputs.WeblogBucketName)!.outputs;
    const shipped = async () =>
      (await objects(pipeline, outputs.WeblogBucketName!, outputs.WeblogPrefix!)).bodies.flatMap((body) =>
        (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body)
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, string | null>),
      );
    await waitUntil(async () => (await shipped()).length >= 10, 'ten access-log lines in S3', 30_000);

    // Every delivered record is one line of the access log, parsed, in the log's order, none twice.
    const log = readFileSync(path.join(dataDir, 'workloads', 'log-agent', 'access_log'), 'utf8')
      .split('\n')
      .filter(Boolean);
    const parsed = log.map((line) => {
      const record = parseApacheLog(line, 'COMBINEDAPACHELOG');
      if (!record.ok) throw new Error(record.reason);
      return record.value;
    });
    const delivered = await shipped();
    expect(delivered).toEqual(parsed.slice(0, delivered.length));
    expect(delivered[0]).toEqual(
      expect.objectContaining({
        host: expect.any(String),
        request: expect.stringMatching(/^(GET|POST|HEAD|PUT|DELETE) /),
      }),
    );
    expect(pipeline.status().workloads[LOG_LINES_SHIPPED]).toBeGreaterThanOrEqual(delivered.length);
    expect(problems).toEqual([]);
  } finally {
    await Promise.all(started.splice(0).map((p) => p.stop()));
    withWeblogs.remove();
  }
});

it('The one endpoint serves the Firehose and CloudWatch APIs over what the templates declare', async () => {
  const { pipeline, problems } = await start(mkdtempSync(path.join(tmpdir(), 'local-apis-')), {
    workloads: [],
  });
  const connection = {
    endpoint: pipeline.endpoint,
    region: pipeline.region,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
    maxAttempts: 1,
  };
  const firehose = new FirehoseClient(connection);
  const cloudwatch = new CloudWatchClient(connection);
  try {
    const declared = pipeline.stacks.flatMap((s) => s.deliveryStreams.map((d) => d.name));
    const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
    expect(listed.DeliveryStreamNames).toEqual([...declared].sort());
    // As on AWS, a delivery stream that reads a Kinesis stream takes no direct puts.
    await expect(
      firehose.send(
        new FirehosePutRecordCommand({
          DeliveryStreamName: declared[0],
          Record: { Data: Buffer.from('x') },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidArgumentException',
      message: 'This operation is not permitted on KinesisStreamAsSource delivery stream type.',
    });

    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'WildRydes/Test',
        MetricData: [{ MetricName: 'Rides', Value: 3, Unit: 'Count' }],
      }),
    );
    const metrics = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'WildRydes/Test' }));
    expect(metrics.Metrics).toEqual([{ Namespace: 'WildRydes/Test', MetricName: 'Rides', Dimensions: [] }]);
    expect(problems).toEqual([]);
  } finally {
    firehose.destroy();
    cloudwatch.destroy();
  }
});

it.each([
  [true, 'AccessDeniedException'],
  [false, undefined],
])('IAM evaluation on (%s): a guest session putting a record gets %s', async (enforceIam, denial) => {
  const { pipeline } = await start(mkdtempSync(path.join(tmpdir(), 'local-iam-')), {
    workloads: [],
    enforceIam,
  });
  const guestRoleArn = pipeline.stacks[0].outputs.GuestRoleArn!;
  const clients = localClients(
    pipeline.region,
    pipeline.endpoint,
    pipeline.access.roleCredentials(guestRoleArn, 'guest'),
  );
  const { kinesis } = clients;
  try {
    const put = kinesis.send(
      new PutRecordCommand({ StreamName: 'wildrydes', PartitionKey: 'Guest', Data: Buffer.from('{}') }),
    );
    if (denial) await expect(put).rejects.toMatchObject({ name: denial });
    else await expect(put).resolves.toMatchObject({ ShardId: expect.any(String) });
  } finally {
    clients.destroy();
  }
});
