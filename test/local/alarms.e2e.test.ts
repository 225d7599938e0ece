/**
 * The template's alarms in a local run: a malformed record is set aside on the aggregation's
 * failure queue, CloudWatch's once-a-minute sampling sees the queue's depth, and the
 * DeadLetters alarm the template declares for that queue goes from OK to ALARM, with its
 * SNS action recorded. The alarms run on a clock of the test's (advanced a minute at a time);
 * the pipeline runs in real time. What the AWS CLI of a workshop attendee sees is checked
 * with Debian's AWS CLI v2 (query protocol): describe-alarms and get-metric-data.
 */
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { synthesizeAssembly } from '../support/assembly';
import { awsCliJson } from '../support/aws-cli';
import { manualClock } from '../support/manual-clock';
import { waitUntil } from '../support/wait';

let assembly: ReturnType<typeof synthesizeAssembly>;
let pipeline: LocalPipeline | undefined;

beforeAll(() => {
  assembly = synthesizeAssembly();
});
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});
afterAll(() => assembly.remove());

type Alarm = {
  AlarmName: string;
  StateValue: string;
  StateReason: string;
  Dimensions?: { Name: string; Value: string }[];
};

it('a malformed record puts the DeadLetters alarm of its failure queue in ALARM, as the AWS CLI shows', async () => {
  const alarmClock = manualClock(Date.now());
  const alarmLog: string[] = [];
  const problems: string[] = [];
  pipeline = await startLocalPipeline({
    assemblyDir: assembly.dir,
    dataDir: mkdtempSync(path.join(tmpdir(), 'local-alarms-')),
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
    windowSeconds: 5,
    batchingWindowSeconds: 0.2,
    pollMs: 50,
    alarmClock,
    alarmLog: (m) => alarmLog.push(m),
    log: (m) => problems.push(m),
  });
  const p = pipeline;
  const describe = async (...args: string[]) =>
    ((await awsCliJson(p.endpoint, ['cloudwatch', 'describe-alarms', ...args])).MetricAlarms ??
      []) as Alarm[];

  // The first evaluation at start: no data, treated as not breaching, is OK for every alarm.
  await waitUntil(() => p.alarms.lastEvaluated !== undefined, 'the first evaluation');
  const all = await describe();
  expect(all.length).toBe(p.stacks.flatMap((s) => s.alarms).length);
  expect(all.length).toBeGreaterThan(0);
  expect(new Set(all.map((a) => a.StateValue))).toEqual(new Set(['OK']));

  const aggregation = p.stacks[0].functions.find((f) => /^SummaryAggregation/.test(f.logicalId))!;
  const queue = aggregation.environment.FAILURE_QUEUE_URL.split('/').pop()!;
  const deadLetters = all.find((a) =>
    a.Dimensions?.some((d) => d.Name === 'QueueName' && d.Value === queue),
  )!;
  expect(deadLetters.AlarmName).toMatch(/DeadLetters/);

  await p.kinesis.send(
    new PutRecordCommand({ StreamName: 'wildrydes', PartitionKey: 'Poison', Data: Buffer.from('{"Name":') }),
  );
  await waitUntil(() => p.emulators.sqs.messages(queue).length > 0, 'the record on the failure queue');

  // A minute on: the queue's depth is sampled (in a period not yet complete: still OK).
  const evaluated = p.alarms.lastEvaluated!;
  alarmClock.advance(60_000);
  await waitUntil(() => p.alarms.lastEvaluated! > evaluated, 'the next evaluation');
  expect((await describe('--alarm-names', deadLetters.AlarmName))[0].StateValue).toBe('OK');

  // Another minute: that period is complete, its Maximum is 1, and the threshold is 1.
  const sampled = p.alarms.lastEvaluated!;
  alarmClock.advance(60_000);
  await waitUntil(() => p.alarms.lastEvaluated! > sampled, 'the evaluation after that');

  const alarming = await describe('--state-value', 'ALARM');
  expect(alarming.map((a) => a.AlarmName)).toEqual([deadLetters.AlarmName]);
  expect(alarming[0].StateReason).toMatch(
    /^Threshold Crossed: 1 out of the last 1 datapoints \[1\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\)\] was greater than or equal to the threshold \(1\.0\)/,
  );
  const byPrefix = await describe('--alarm-name-prefix', deadLetters.AlarmName.slice(0, -4));
  expect(byPrefix.map((a) => a.AlarmName)).toContain(deadLetters.AlarmName);

  // Shown on the status line, and the SNS action recorded.
  expect(p.status().alarms).toEqual([{ name: deadLetters.AlarmName, state: 'ALARM' }]);
  expect(p.alarms.actions.filter((a) => a.state === 'ALARM')).toEqual([
    expect.objectContaining({ name: deadLetters.AlarmName, action: expect.stringMatching(/^arn:aws:sns:/) }),
  ]);
  expect(alarmLog.some((line) => line.includes(`${deadLetters.AlarmName}: OK -> ALARM`))).toBe(true);

  // The aggregation's own Powertools metric, from the EMF line in its log.
  await waitUntil(
    () => p.cloudwatch.store.metrics({ namespace: 'WildRydes', metricName: 'MalformedRecords' }).length > 0,
    'the MalformedRecords metric',
  );

  // The metrics behind it, through GetMetricData: the queue depth, the stream's incoming
  // records, the function's invocations and its own count of malformed records.
  const end = new Date(alarmClock.now() + 60_000).toISOString();
  const start = new Date(Date.now() - 600_000).toISOString();
  const queries = [
    {
      Id: 'depth',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: queue }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
    },
    {
      Id: 'incoming',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Kinesis',
          MetricName: 'IncomingRecords',
          Dimensions: [{ Name: 'StreamName', Value: 'wildrydes' }],
        },
        Period: 60,
        Stat: 'Sum',
      },
    },
    {
      Id: 'invocations',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'FunctionName', Value: aggregation.name }],
        },
        Period: 60,
        Stat: 'Sum',
      },
    },
    {
      Id: 'malformed',
      MetricStat: {
        Metric: {
          Namespace: 'WildRydes',
          MetricName: 'MalformedRecords',
          Dimensions: [{ Name: 'service', Value: 'summary-aggregation' }],
        },
        Period: 60,
        Stat: 'Sum',
      },
    },
  ];
  const data = (await awsCliJson(p.endpoint, [
    'cloudwatch',
    'get-metric-data',
    '--metric-data-queries',
    JSON.stringify(queries),
    '--start-time',
    start,
    '--end-time',
    end,
  ])) as { MetricDataResults: { Id: string; Values: number[]; StatusCode: string }[] };
  const values = Object.fromEntries(data.MetricDataResults.map((r) => [r.Id, r.Values]));
  expect(Math.max(...values.depth)).toBe(1);
  const sum = (id: string) => values[id].reduce((a, b) => a + b, 0);
  expect(sum('incoming')).toBeGreaterThanOrEqual(1);
  expect(sum('invocations')).toBeGreaterThanOrEqual(1);
  expect(sum('malformed')).toBe(1);
  expect(data.MetricDataResults.every((r) => r.StatusCode === 'Complete')).toBe(true);
});
