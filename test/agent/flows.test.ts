import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { APACHE_LOG_FIELDS, generateAccessLog, parseApacheLog } from '#core/apache-log';
import { LogAgent } from '../../agent/agent';
import { parseAgentConfig } from '../../agent/config';
import type { Ec2Identity } from '../../agent/ec2-metadata';
import { TEST_CREDENTIALS } from '../support/dynalite';
import { fakeClock } from '../support/fake-clock';
import { startedAgent, stepAgent } from '../support/log-agent';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { startAwsTestServer, type AwsTestServer } from './aws-test-server';

let k: Kinesalite;
let aws: AwsTestServer;
let firehose: FirehoseClient;
let cloudwatch: CloudWatchClient;
let streams = 0;
const client = <T>(Client: new (config: object) => T, endpoint: string) =>
  new Client({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });

beforeAll(async () => {
  [k, aws] = await Promise.all([startKinesalite(), startAwsTestServer()]);
  firehose = client(FirehoseClient, aws.endpoint);
  cloudwatch = client(CloudWatchClient, aws.endpoint);
});
afterAll(async () => {
  firehose.destroy();
  cloudwatch.destroy();
  await Promise.all([k.stop(), aws.stop()]);
});

const noWait = { maxAttempts: 4, baseDelayMs: 0, maxDelayMs: 0 };
const START = Date.UTC(2017, 5, 5, 9, 17, 0);
const asFile = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

/** A Firehose flow (or a Kinesis one with `kinesisStream`) over access_log* in a new directory. */
async function setup(flow: object = {}, global: object = {}, ec2Identity?: Ec2Identity) {
  const name = `stream-${streams++}`;
  aws.createDeliveryStream(name);
  const dir = mkdtempSync(path.join(tmpdir(), 'log-agent-flows-'));
  const file = (n = 'access_log') => path.join(dir, n);
  const clock = fakeClock(START);
  const logs: string[] = [];
  const { config } = parseAgentConfig({
    checkpointFile: path.join(dir, 'checkpoints.json'),
    'cloudwatch.emitMetrics': false,
    ...global,
    flows: [
      {
        filePattern: path.join(dir, 'access_log*'),
        deliveryStream: name,
        initialPosition: 'START_OF_FILE',
        maxBufferAgeMillis: 1000,
        ...flow,
      },
    ],
  });
  const agent = () =>
    startedAgent(config, clock, logs, noWait, {
      kinesis: k.client,
      firehose,
      cloudwatch,
      ...(ec2Identity ? { ec2Identity: async () => ec2Identity } : {}),
    });
  const step = (a: LogAgent, times = 1) => stepAgent(a, clock, times);
  return { name, dir, file, clock, logs, config, agent, step, records: () => aws.records(name) };
}

describe('a Firehose flow (deliveryStream)', () => {
  it("sends LOGTOJSON records with PutRecordBatch, with the agent's field names, each line once", async () => {
    const t = await setup({
      dataProcessingOptions: [{ optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' }],
    });
    const log = generateAccessLog({ count: 30, start: START });
    writeFileSync(t.file(), asFile(log));
    const agent = t.agent();
    await t.step(agent);
    expect(t.records().map((r) => JSON.parse(r))).toEqual(
      log.map((line) => {
        const parsed = parseApacheLog(line, 'COMBINEDAPACHELOG');
        return parsed.ok && parsed.value;
      }),
    );
    expect(Object.keys(JSON.parse(t.records()[0]))).toEqual(APACHE_LOG_FIELDS.COMBINEDAPACHELOG);
    expect(agent.stats().flows[0]).toMatchObject({
      destination: 'firehose',
      stream: t.name,
      recordsSent: 30,
    });
    const saved = JSON.parse(readFileSync(t.config.checkpointFile, 'utf8'));
    expect(saved.flows[`fh:${t.name}:${path.join(t.dir, 'access_log*')}`].sources[0].offset).toBe(
      asFile(log).length,
    );
    agent.close();
  });

  it('checkpoints only what Firehose accepted: after a crash the rest is sent, none twice', async () => {
    const t = await setup();
    const log = generateAccessLog({ count: 10, start: START, seed: 5 });
    writeFileSync(t.file(), asFile(log));
    // Every attempt of the first send rejects all but the first three records.
    const firstThree = (i: number) => (i < 3 ? 'ok' : 'fail');
    aws.plan(
      firstThree,
      () => 'fail',
      () => 'fail',
      () => 'fail',
    );
    const first = t.agent();
    await t.step(first);
    expect(first.stats().flows[0]).toMatchObject({ recordsSent: 3, unsentRecords: 7, failedSends: 1 });
    expect(first.stats().flows[0].lastError).toBe('ServiceUnavailableException: Slow down.');
    first.close(); // a crash
    const second = t.agent();
    await t.step(second);
    expect(t.records()).toEqual(log.map((l) => `${l}\n`));
    second.close();
  });
});

describe('records of several lines, header lines, footers', () => {
  it('joins a line matching multiLineStartPattern and the lines after it into one record', async () => {
    const t = await setup({ multiLineStartPattern: '^\\[SEQUENCE=' });
    writeFileSync(t.file(), '[SEQUENCE=1] failed\n  at Main.run\n');
    const agent = t.agent();
    await agent.tick();
    // The rest of the record is written before the next look at the file.
    appendFileSync(t.file(), '  at Main.main\n[SEQUENCE=2] ok\n  still the second\n');
    t.clock.advance(1000);
    await agent.tick();
    await t.step(agent);
    // The first record ended where the second began; the second is complete once its file
    // has not grown for a poll.
    expect(t.records()).toEqual(['[SEQUENCE=1] failed\n  at Main.run\n  at Main.main\n']);
    await t.step(agent, 2);
    appendFileSync(t.file(), '[SEQUENCE=3] last\n');
    await t.step(agent, 4);
    expect(t.records()).toEqual([
      '[SEQUENCE=1] failed\n  at Main.run\n  at Main.main\n',
      '[SEQUENCE=2] ok\n  still the second\n',
      '[SEQUENCE=3] last\n',
    ]);
    agent.close();
  });

  it('skips skipHeaderLines at the start of every file, a rotated one included, but not again on a restart', async () => {
    const t = await setup({ skipHeaderLines: 2 });
    writeFileSync(t.file(), '#Version: 1.0\n#Fields: time event\n09:17 start\n');
    const first = t.agent();
    await t.step(first);
    await first.run(AbortSignal.abort());
    appendFileSync(t.file(), '09:18 more\n');
    const second = t.agent();
    await t.step(second);
    renameSync(t.file(), t.file('access_log.1'));
    writeFileSync(t.file(), '#Version: 1.0\n#Fields: time event\n09:19 rotated\n');
    await t.step(second, 2);
    expect(t.records()).toEqual(['09:17 start\n', '09:18 more\n', '09:19 rotated\n']);
    second.close();
  });

  it('stops sending a file at a line matching fileFooterPattern, until it holds new content', async () => {
    const t = await setup({ fileFooterPattern: '^# end of report' });
    writeFileSync(t.file(), 'line 1\n# end of report\nleft over\n');
    const agent = t.agent();
    await t.step(agent);
    truncateSync(t.file(), 0);
    writeFileSync(t.file(), 'next report\n');
    await t.step(agent, 2);
    expect(t.records()).toEqual(['line 1\n', 'next report\n']);
    agent.close();
  });
});

describe('record sizes', () => {
  it('cuts a record at maxRecordSizeBytes and ends it with truncatedRecordTerminator', async () => {
    const t = await setup({ maxRecordSizeBytes: 32, truncatedRecordTerminator: '[cut]\n' });
    writeFileSync(t.file(), `short\n${'x'.repeat(100)}\nafter\n`);
    const agent = t.agent();
    await t.step(agent);
    expect(t.records()).toEqual(['short\n', `${'x'.repeat(26)}[cut]\n`, 'after\n']);
    expect(agent.stats().flows[0].truncatedLines).toBe(1);
    expect(agent.statusLines()[0]).toMatch(/1 long lines cut/);
    agent.close();
  });

  it('joins records into records of up to aggregatedRecordSizeBytes', async () => {
    const t = await setup({ aggregatedRecordSizeBytes: 20 });
    const lines = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];
    writeFileSync(t.file(), asFile(lines));
    const agent = t.agent();
    await t.step(agent);
    expect(t.records()).toEqual(['one\ntwo\nthree\nfour\n', 'five\nsix\nseven\n']);
    expect(agent.stats().flows[0]).toMatchObject({ linesRead: 7, recordsSent: 2 });
    agent.close();
  });
});

describe('ADDEC2METADATA', () => {
  const identity: Ec2Identity = {
    privateIp: '10.0.1.17',
    availabilityZone: 'eu-west-1b',
    instanceId: 'i-0123456789abcdef0',
    instanceType: 't4g.micro',
    accountId: '123456789012',
    imageId: 'ami-0abcdef1234567890',
    region: 'eu-west-1',
  };
  const options = [
    { optionName: 'CSVTOJSON', customFieldNames: ['time', 'event'] },
    { optionName: 'ADDEC2METADATA', metadataFields: ['instanceId', 'availabilityZoneInitial', 'region'] },
  ];

  it("adds the instance's metadata to each record", async () => {
    const t = await setup({ dataProcessingOptions: options }, {}, identity);
    writeFileSync(t.file(), '09:17,start\n');
    const agent = t.agent();
    await agent.prepare();
    await t.step(agent);
    expect(t.records().map((r) => JSON.parse(r))).toEqual([
      {
        time: '09:17',
        event: 'start',
        instanceId: 'i-0123456789abcdef0',
        availabilityZoneInitial: 'b',
        region: 'eu-west-1',
      },
    ]);
    agent.close();
  });

  it('says once that there is no EC2 metadata here, and sends the records without it', async () => {
    const t = await setup({ dataProcessingOptions: options });
    writeFileSync(t.file(), '09:17,start\n09:18,stop\n');
    const agent = t.agent();
    await agent.prepare();
    await t.step(agent);
    expect(t.records()).toEqual(['{"time":"09:17","event":"start"}\n', '{"time":"09:18","event":"stop"}\n']);
    expect(t.logs.filter((l) => l.includes('no EC2 metadata here'))).toEqual([
      'ADDEC2METADATA: no EC2 metadata here (no instance metadata service answered), so records are sent without it, as the Kinesis Agent does',
    ]);
    agent.close();
  });
});

describe('cloudwatch.emitMetrics', () => {
  it("publishes the flow's metrics under its Destination every cloudwatch.metricsBufferTimeMillis", async () => {
    const stream = `metrics-${streams++}`;
    await k.createStream(stream, 1);
    const t = await setup(
      { deliveryStream: undefined, kinesisStream: stream },
      {
        'cloudwatch.emitMetrics': true,
        'cloudwatch.namespace': 'WebServers',
        'cloudwatch.metricsBufferTimeMillis': 5000,
      },
    );
    writeFileSync(t.file(), 'a\nb\nc\n');
    const agent = t.agent();
    const before = aws.metrics().length;
    await t.step(agent, 5);
    const published = aws.metrics().slice(before);
    expect(published).toHaveLength(1);
    expect(published[0].Namespace).toBe('WebServers');
    expect(published[0].MetricData).toContainEqual(
      expect.objectContaining({
        MetricName: 'RecordSendAttempts',
        Dimensions: [{ Name: 'Destination', Value: `KinesisStream:${stream}` }],
        StatisticValues: { SampleCount: 1, Sum: 3, Minimum: 3, Maximum: 3 },
      }),
    );
    agent.close();
  });
});
