import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readStack } from '../../local/assembly';
import { describeFault, Faults, parseFault } from '../../local/faults';
import { startDynalite } from '../support/dynalite';
import { startLimitedEndpoint, type LimitedEndpoint } from '../support/limited-endpoint';
import { sdkFailure } from '../support/aws-endpoint';

/**
 * Faults named as AWS Fault Injection Service names its actions: the spec on the command line
 * (one clear line for a bad one), and each fault's effect at the endpoint as the SDK sees it.
 */

describe('a fault spec', () => {
  it('reads NAME[:PERCENT][@TARGET][?PARAMETER=VALUE&…] with FIS parameter names', () => {
    expect(parseFault('aws:kinesis:inject-api-throttle-error')).toEqual({
      name: 'aws:kinesis:inject-api-throttle-error',
      service: 'kinesis',
      percentage: 100,
    });
    expect(parseFault('aws:kinesis:inject-api-internal-error:25@wildrydes/PutRecords,GetRecords')).toEqual({
      name: 'aws:kinesis:inject-api-internal-error',
      service: 'kinesis',
      percentage: 25,
      target: 'wildrydes',
      operations: ['PutRecords', 'GetRecords'],
    });
    expect(
      parseFault('aws:kinesis:inject-api-unavailable-error@*?operations=GetShardIterator&percentage=10'),
    ).toEqual({
      name: 'aws:kinesis:inject-api-unavailable-error',
      service: 'kinesis',
      percentage: 10,
      operations: ['GetShardIterator'],
    });
    expect(
      parseFault('aws:lambda:invocation-add-delay:50@SummaryAggregation?startupDelayMilliseconds=2500'),
    ).toEqual({
      name: 'aws:lambda:invocation-add-delay',
      service: 'lambda',
      percentage: 50,
      target: 'SummaryAggregation',
      startupDelayMilliseconds: 2500,
    });
    expect(
      parseFault('aws:lambda:invocation-error?invocationPercentage=5&preventExecution=false'),
    ).toMatchObject({
      percentage: 5,
      preventExecution: false,
    });
    expect(parseFault('local:firehose:destination-outage@RawToS3')).toMatchObject({
      service: 'firehose',
      target: 'RawToS3',
    });
    expect(parseFault('aws:kinesis:inject-api-throttle-error?duration=PT1M30S')).toMatchObject({
      durationMs: 90_000,
    });
    const spec = 'aws:kinesis:inject-api-throttle-error:50@wildrydes/PutRecords';
    expect(describeFault(parseFault(spec))).toBe(spec);
  });

  it.each([
    [
      'aws:kinesis:inject-api-sloth-error',
      /^--fault aws:kinesis:inject-api-sloth-error: unknown fault "aws:kinesis:inject-api-sloth-error"; one of aws:kinesis:inject-api-throttle-error, /,
    ],
    ['aws:kinesis:inject-api-throttle-error:0', /the percentage must be 1 to 100, got "0"/],
    ['aws:kinesis:inject-api-throttle-error:150', /the percentage must be 1 to 100, got "150"/],
    [
      'aws:kinesis:inject-api-expired-iterator-exception@s/PutRecords',
      /affects GetRecords; not "PutRecords"/,
    ],
    ['aws:lambda:invocation-error@fn/Invoke', /only the Kinesis faults take operations/],
    [
      'aws:lambda:invocation-add-delay?startupDelayMilliseconds=soon',
      /startupDelayMilliseconds must be 0 to 900000, got "soon"/,
    ],
    ['aws:lambda:invocation-error?preventExecution=maybe', /preventExecution must be true or false/],
    [
      'aws:kinesis:inject-api-throttle-error?duration=soon',
      /duration is ISO 8601 hours, minutes and seconds \(PT30S, PT5M\), got "soon"/,
    ],
    ['aws:kinesis:inject-api-throttle-error?startTime=now', /unknown parameter "startTime"/],
  ])('refuses %s in one line', (spec, message) => {
    expect(() => parseFault(spec)).toThrow(message);
    try {
      parseFault(spec);
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('faults in force', () => {
  it('end by themselves after their FIS duration, and are logged on and off', () => {
    const timers: { ms: number; end: () => void }[] = [];
    const log: string[] = [];
    const faults = new Faults([], { after: (ms, end) => timers.push({ ms, end }), log: (m) => log.push(m) });
    faults.add(parseFault('aws:kinesis:inject-api-throttle-error@wildrydes?duration=PT2M'));
    faults.add(parseFault('aws:lambda:invocation-error'));
    expect(faults.pick('kinesis', 'wildrydes', 'PutRecords')?.name).toBe(
      'aws:kinesis:inject-api-throttle-error',
    );
    expect(timers.map((t) => t.ms)).toEqual([120_000]);
    timers[0].end();
    expect(faults.pick('kinesis', 'wildrydes', 'PutRecords')).toBeUndefined();
    expect(faults.list().map((f) => f.name)).toEqual(['aws:lambda:invocation-error']);
    expect(log).toEqual([
      'fault on: aws:kinesis:inject-api-throttle-error@wildrydes?duration=PT120S',
      'fault on: aws:lambda:invocation-error',
      'fault over (its duration ended): aws:kinesis:inject-api-throttle-error@wildrydes?duration=PT120S',
    ]);
  });
});

describe('Kinesis faults at the endpoint', () => {
  let endpoint: LimitedEndpoint;
  let dice = 0;
  const faults = new Faults([], { random: () => dice });
  beforeAll(async () => {
    endpoint = await startLimitedEndpoint({ faults, limits: false });
    await endpoint.kinesalite.createStream('target', 1);
    await endpoint.kinesalite.createStream('other', 1);
  });
  afterEach(() => faults.clear());
  afterAll(() => endpoint.stop());

  const put = (stream: string) =>
    endpoint.client().send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: [{ Data: Buffer.from('x'), PartitionKey: 'a' }],
      }),
    );
  const iterator = async (stream: string) =>
    (
      await endpoint.client().send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'LATEST',
        }),
      )
    ).ShardIterator;

  it.each([
    [
      'aws:kinesis:inject-api-throttle-error',
      { name: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
    ],
    ['aws:kinesis:inject-api-internal-error', { name: 'InternalFailure', status: 500 }],
    ['aws:kinesis:inject-api-unavailable-error', { name: 'ServiceUnavailable', status: 503 }],
    [
      'aws:kinesis:inject-api-provisioned-throughput-exception',
      { name: 'ProvisionedThroughputExceededException', status: 400 },
    ],
  ])('%s fails the targeted stream and operation only', async (name, shape) => {
    faults.add(parseFault(`${name}@target/PutRecords`));
    expect(await sdkFailure(put('target'))).toMatchObject(shape);
    expect((await put('other')).FailedRecordCount).toBe(0);
    const it = await iterator('target'); // another operation on the stream
    await endpoint.client().send(new GetRecordsCommand({ ShardIterator: it }));
  });

  it('aws:kinesis:inject-api-expired-iterator-exception fails GetRecords', async () => {
    const it = await iterator('target');
    faults.add(parseFault('aws:kinesis:inject-api-expired-iterator-exception@target'));
    expect(
      await sdkFailure(endpoint.client().send(new GetRecordsCommand({ ShardIterator: it }))),
    ).toMatchObject({
      name: 'ExpiredIteratorException',
      status: 400,
    });
    await endpoint
      .client()
      .send(new PutRecordCommand({ StreamName: 'target', Data: Buffer.from('x'), PartitionKey: 'a' }));
  });

  it('hits the given percentage of calls, and stops when cleared', async () => {
    faults.add(parseFault('aws:kinesis:inject-api-throttle-error:30@target'));
    dice = 0.25;
    expect((await sdkFailure(put('target'))).name).toBe('ThrottlingException');
    dice = 0.35;
    expect((await put('target')).FailedRecordCount).toBe(0);
    dice = 0;
    faults.clear('aws:kinesis:inject-api-throttle-error');
    expect((await put('target')).FailedRecordCount).toBe(0);
  });

  it('is added and cleared through the endpoint, as npm run fault does', async () => {
    const call = (op: string, body: object) =>
      fetch(endpoint.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `LocalFaults.${op}` },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    expect(await call('Add', { Faults: ['aws:kinesis:inject-api-unavailable-error@target'] })).toEqual({
      status: 200,
      body: { Faults: ['aws:kinesis:inject-api-unavailable-error@target'] },
    });
    expect((await sdkFailure(put('target'))).name).toBe('ServiceUnavailable');
    const bad = await call('Add', { Faults: ['aws:kinesis:nope'] });
    expect(bad).toMatchObject({ status: 400, body: { __type: 'InvalidArgumentException' } });
    expect(await call('Clear', {})).toEqual({ status: 200, body: { Faults: [] } });
    expect((await put('target')).FailedRecordCount).toBe(0);
  });
});

describe('the DynamoDB throttle at the endpoint', () => {
  it('fails the targeted table with ThrottlingException or ProvisionedThroughputExceededException', async () => {
    const dynalite = await startDynalite();
    const faults = new Faults();
    const endpoint = await startLimitedEndpoint({
      faults,
      dynamodb: String(
        await dynalite.client.config.endpoint!().then((e) => `http://${e.hostname}:${e.port}`),
      ),
    });
    const client = new DynamoDBClient({
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    try {
      await dynalite.createSummaryTable('summaries');
      await dynalite.createSummaryTable('others');
      const get = (table: string) =>
        client.send(
          new GetItemCommand({ TableName: table, Key: { Name: { S: 'a' }, StatusTime: { S: 't' } } }),
        );
      faults.add(parseFault('local:dynamodb:inject-api-throttle-error@summaries'));
      expect(await sdkFailure(get('summaries'))).toEqual({
        name: 'ThrottlingException',
        message: 'Rate of requests exceeds the allowed throughput.',
        status: 400,
      });
      await get('others');
      faults.clear();
      faults.add(parseFault('local:dynamodb:inject-api-provisioned-throughput-exception'));
      expect(await sdkFailure(get('others'))).toMatchObject({
        name: 'ProvisionedThroughputExceededException',
        status: 400,
      });
      faults.clear();
      await get('summaries');
    } finally {
      client.destroy();
      await endpoint.stop();
      await dynalite.stop();
    }
  });
});

describe('the Firehose destination outage at the endpoint', () => {
  it("fails the delivery stream's S3 writes with ServiceUnavailable, and no one else's", async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { etag: '"0"' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const stack = readStack(
      {
        Resources: {
          Lake: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'lake' } },
          Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'delivery' } },
          Policy: {
            Type: 'AWS::IAM::Policy',
            Properties: {
              PolicyName: 'write',
              Roles: [{ Ref: 'Role' }],
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::lake/*' }],
              },
            },
          },
        },
      },
      'Test',
      'us-east-1',
      '/tmp',
      { sqs: 'http://127.0.0.1:1' },
    );
    const faults = new Faults();
    const endpoint = await startLimitedEndpoint({
      faults,
      stacks: [stack],
      s3: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    });
    const as = (session: string) =>
      new S3Client({
        endpoint: endpoint.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        maxAttempts: 1,
        credentials: endpoint.access.roleCredentials('arn:aws:iam::000000000000:role/delivery', session),
      });
    const raw = as('RawToS3');
    const other = as('Other');
    try {
      const put = (client: S3Client) =>
        client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'raw/1.gz', Body: 'x' }));
      await put(raw);
      faults.add(parseFault('local:firehose:destination-outage@RawToS3'));
      expect(await sdkFailure(put(raw))).toMatchObject({ name: 'ServiceUnavailable', status: 503 });
      await put(other);
      faults.clear();
      await put(raw);
    } finally {
      raw.destroy();
      other.destroy();
      await endpoint.stop();
      upstream.close();
    }
  });
});
