import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { isProbeName, probeName } from '#core/names';
import {
  AWS_TIMING,
  awsPointers,
  dataLakeProbeSql,
  deadline,
  deployedPaths,
  formatResult,
  probeLogLine,
  probeReading,
  probeStatus,
} from '../../ops/verify/paths';
import { verifyDeployment, type VerifyClients } from '../../ops/verify/probes';
import { formatDeployment, verifySummary } from '../../ops/verify/run';
import { outputsFileTargets } from '../../ops/verify/targets';
import { parseApacheLog } from '#core/apache-log';
import { parseSensorReading, isAlert } from '#core/sensor';
import { parseUnicornStatus } from '#core/telemetry';
import { manualClock } from '../support/manual-clock';

const WILD_RYDES = {
  Region: 'us-east-1',
  StreamName: 'wildrydes',
  SummaryStreamName: 'wildrydes-summary',
  SummaryTableName: 'UnicornSensorData',
  IdentityPoolId: 'us-east-1:pool',
  GuestRoleArn: 'arn:aws:iam::1:role/guest',
  DataLakeBucketName: 'lake',
  GlueTable: 'wildrydes.unicorn_status',
  AlarmTopicArn: 'arn:aws:sns:us-east-1:1:alarms',
};

describe('the paths follow the deployed labs', () => {
  it('the default labs: no sensor or log path', () => {
    expect(deployedPaths(WILD_RYDES).map((p) => p.id)).toEqual([
      'telemetry',
      'summary',
      'table',
      'datalake',
      'guest',
      'alarms',
    ]);
  });

  it('streaming only: the stream and the dashboard guest', () => {
    const { Region, StreamName, IdentityPoolId, GuestRoleArn } = WILD_RYDES;
    expect(deployedPaths({ Region, StreamName, IdentityPoolId, GuestRoleArn }).map((p) => p.id)).toEqual([
      'telemetry',
      'guest',
    ]);
  });

  it('sensors and logs where deployed; the weblog stack joins its main stack', () => {
    const [target] = outputsFileTargets({
      WildRydes: { ...WILD_RYDES, SensorStreamName: 's', SensorAggregateTableName: 't' },
      'WildRydes-Weblogs': {
        WeblogStreamName: 'weblogs',
        WeblogBucketName: 'b',
        WeblogPrefix: 'weblogs/',
        WeblogDirectDeliveryName: 'weblogs-direct',
        WeblogDirectPrefix: 'weblogs-direct/',
      },
    });
    expect(deployedPaths(target.outputs).map((p) => p.id)).toEqual([
      'telemetry',
      'summary',
      'table',
      'datalake',
      'guest',
      'sensors',
      'logs',
      'directlogs',
      'alarms',
    ]);
    // A weblog stack from before the Direct PUT delivery stream: the stream's log path only.
    const [older] = outputsFileTargets({
      WildRydes: WILD_RYDES,
      'WildRydes-Weblogs': { WeblogStreamName: 'weblogs', WeblogBucketName: 'b', WeblogPrefix: 'weblogs/' },
    });
    expect(deployedPaths(older.outputs).map((p) => p.id)).toContain('logs');
    expect(deployedPaths(older.outputs).map((p) => p.id)).not.toContain('directlogs');
  });
});

it('probes are valid records with an unmistakable name, and the sensor probe is no alert', () => {
  const name = probeName('abc');
  expect(isProbeName(name)).toBe(true);
  expect(isProbeName('Shadowfax')).toBe(false);
  expect(parseUnicornStatus(probeStatus(name, Date.UTC(2026, 10, 30, 12)))).toEqual({
    ok: true,
    value: expect.objectContaining({ Name: name, StatusTime: '2026-11-30 12:00:00.000' }),
  });
  const reading = parseSensorReading(probeReading(name, 1_000));
  expect(reading.ok && isAlert(reading.value)).toBe(false);
  const line = JSON.parse(probeLogLine(name, Date.UTC(2026, 10, 30, 12, 5, 9))) as Record<string, string>;
  expect(line.request).toBe(`GET /verify/${name} HTTP/1.1`);
  // The same datetime form the log agent's parser produces.
  const parsed = parseApacheLog(
    `127.0.0.1 - - [${line.datetime}] "GET / HTTP/1.1" 200 0 "-" "x"`,
    'COMBINEDAPACHELOG',
  );
  expect(parsed.ok && parsed.value.datetime).toBe('30/Nov/2026:12:05:09 +0000');
});

it('deadlines: a summary by its window end plus slack, raw records by the buffer plus slack', () => {
  const putAt = Date.UTC(2026, 10, 30, 12, 0, 10);
  expect(deadline('summary', putAt, AWS_TIMING) - putAt).toBe(50_000 + 20_000);
  expect(deadline('datalake', putAt, AWS_TIMING) - putAt).toBe(80_000);
  expect(deadline('sensors', putAt, AWS_TIMING) - putAt).toBe(10_000 + 20_000);
  expect(deadline('guest', putAt, AWS_TIMING) - putAt).toBe(20_000);
});

it('the data lake query reads only the delivery hours the probe can be in', () => {
  expect(
    dataLakeProbeSql(
      'wildrydes.unicorn_status',
      "VerifyProbe-a'b",
      Date.UTC(2026, 10, 30, 23, 59),
      Date.UTC(2026, 11, 1, 0, 1),
    ),
  ).toBe(
    "SELECT name, statustime FROM wildrydes.unicorn_status WHERE name = 'VerifyProbe-a''b' AND ((year = '2026' AND month = '11' AND day = '30' AND hour = '23') OR (year = '2026' AND month = '12' AND day = '01' AND hour = '00'))",
  );
});

it('a failed path prints ✗ with its time and where to look', () => {
  expect(
    formatResult({
      id: 'summary',
      label: 'summary stream',
      status: 'failed',
      ms: 81_234,
      detail: 'A summary of VerifyProbe-x not seen within 80 s',
      pointer: 'log group of Lambda function WildRydes-SummaryAggregationFunction…',
    }),
  ).toBe(
    '✗ summary stream    81.2 s  A summary of VerifyProbe-x not seen within 80 s\n    look at: log group of Lambda function WildRydes-SummaryAggregationFunction…',
  );
});

it('against a deployment whose topic is gone: the alarm path fails with its pointer, and the run fails', async () => {
  const missing = Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException' });
  const sent: string[] = [];
  const clients = {
    sns: {
      send: async (command: GetTopicAttributesCommand) => {
        sent.push(command.input.TopicArn!);
        throw missing;
      },
    },
  } as unknown as VerifyClients;
  let now = 0;
  const results = await verifyDeployment(
    {
      name: 'alice',
      outputs: { AlarmTopicArn: 'arn:aws:sns:us-east-1:1:alarms' },
      timing: AWS_TIMING,
      pointers: awsPointers('WildRydes-alice'),
      clients,
    },
    { now: () => (now += 100), sleep: async () => undefined, runId: 'x' },
  );
  expect(sent).toEqual(['arn:aws:sns:us-east-1:1:alarms']);
  expect(results).toEqual([
    {
      id: 'alarms',
      label: 'alarm topic',
      status: 'failed',
      ms: expect.any(Number),
      detail: 'NotFoundException: Topic does not exist',
      pointer: 'the alarm topic (does it exist, may these credentials read it?)',
    },
  ]);
  const deployment = { name: 'alice', results };
  expect(formatDeployment(deployment, true)).toMatch(/^alice:\n {2}✗ alarm topic/);
  expect(verifySummary([deployment, { name: 'bob', results: [] }])).toBe(
    '1 of 2 deployments work; failed: alice.',
  );
});

it('npm run verify without a running pipeline or outputs says what to do, in one line', async () => {
  const { runScript } = await import('../support/run-command');
  const { code, stderr } = await runScript('verify');
  expect(stderr).toBe(
    'verify: No local pipeline is running: start it with npm start, or pass --outputs FILE for a deployed stack (see verify --help)\n',
  );
  expect(code).toBe(2);
});

it('a summary that comes late in a whole window still leaves the table path its own time', async () => {
  // On AWS's timing (60 s windows, 20 s slack) the summary can come near a minute after the
  // put; the table path, which starts from it, then gets its own slack rather than the
  // run's, long spent.
  const clock = manualClock(Date.UTC(2026, 10, 30, 17, 21, 5));
  const startedAt = clock.now();
  const name = probeName('late');
  const summary = {
    Name: name,
    StatusTime: '2026-11-30 17:21:00.000',
    SummaryId: 'shardId-000000000000:1',
    Distance: 0,
    MinMagicPoints: 100,
    MaxMagicPoints: 100,
    MinHealthPoints: 100,
    MaxHealthPoints: 100,
    Records: 1,
  };
  let itemLooks = 0;
  const clients = {
    kinesis: {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        switch (command.constructor.name) {
          case 'ListShardsCommand':
            return { Shards: [{ ShardId: 'shardId-000000000000' }] };
          case 'GetShardIteratorCommand':
            return { ShardIterator: 'it' };
          case 'PutRecordCommand':
            return { ShardId: 'shardId-000000000000', SequenceNumber: '1' };
          case 'GetRecordsCommand': {
            // The window's final invocation: 52 s after the run started.
            const due = clock.now() - startedAt >= 52_000;
            return {
              Records: due && itemLooks === 0 ? [{ Data: Buffer.from(JSON.stringify(summary)) }] : [],
              NextShardIterator: 'it',
              MillisBehindLatest: 0,
            };
          }
          default:
            throw new Error(`unexpected ${command.constructor.name}`);
        }
      },
    },
    dynamodb: {
      send: async (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'DeleteItemCommand') return {};
        // Persisted a few seconds after the summary, as the persistence's batching window allows.
        itemLooks += 1;
        return itemLooks < 4 ? {} : { Item: { Records: { N: '1' } } };
      },
    },
  } as unknown as VerifyClients;
  const running = verifyDeployment(
    {
      name: 'alice',
      outputs: {
        StreamName: 'wildrydes',
        SummaryStreamName: 'wildrydes-summary',
        SummaryTableName: 'UnicornSensorData',
      },
      timing: AWS_TIMING,
      pointers: awsPointers('WildRydes'),
      clients,
    },
    { now: clock.now, sleep: clock.sleep, runId: 'late' },
  );
  let done = false;
  void running.finally(() => (done = true));
  // Time moves a tenth of a second whenever everything awake has had its turn.
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(100);
  }
  const results = await running;
  expect(results.map((r) => [r.id, r.status, r.detail])).toEqual([
    ['telemetry', 'ok', expect.any(String)],
    ['summary', 'ok', expect.stringContaining('window 2026-11-30 17:21:00.000')],
    ['table', 'ok', expect.stringContaining(`item ${name}`)],
  ]);
  expect(results.find((r) => r.id === 'table')!.ms).toBeGreaterThan(52_000);
});
