import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudWatchService } from '../../../local/aws/cloudwatch';
import { startAwsEndpoint, type AwsEndpoint } from '../../../local/aws/endpoint';
import { AWS_CLI, awsCli, awsCliJson } from '../../support/aws-cli';
import { administrator, allowAll } from '../../support/aws-endpoint';
import { startFirehoseFixture, type FirehoseFixture } from '../../support/firehose';

/**
 * The AWS CLI v2 that Debian ships (2.9; it speaks the query protocol to CloudWatch) against
 * the local endpoint, with made-up credentials: what a workshop attendee types works as on AWS.
 * The CI installs Debian's awscli; without it these tests fail rather than skip.
 */

const home = mkdtempSync(path.join(tmpdir(), 'aws-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const aws = (endpoint: string, ...args: string[]) => awsCli(endpoint, args);
const awsJson = (endpoint: string, ...args: string[]) => awsCliJson(endpoint, args);

it(`has the AWS CLI v2 at ${AWS_CLI}`, async () => {
  const result = await aws('http://127.0.0.1:1', '--version');
  expect(result.stdout).toMatch(/^aws-cli\/2\./);
});

describe('aws cloudwatch (query protocol)', () => {
  let endpoint: AwsEndpoint;
  let service: CloudWatchService;
  const contentTypes: string[] = [];
  beforeEach(async () => {
    service = new CloudWatchService();
    endpoint = await startAwsEndpoint({
      port: 0,
      services: [
        {
          signingNames: service.signingNames,
          handle: (request) => {
            contentTypes.push(String(request.headers['content-type']));
            return service.handle(request);
          },
        },
      ],
      accountId: '000000000000',
      defaultRegion: 'us-east-1',
      callerOf: administrator,
      authorize: allowAll,
    });
  });
  afterEach(() => endpoint.stop());
  /** `aws cloudwatch <command> --namespace WildRydes <args>` against the endpoint, its JSON output. */
  const wildRydes = (command: string, ...args: string[]) =>
    awsJson(endpoint.url, 'cloudwatch', command, '--namespace', 'WildRydes', ...args);

  it('put-metric-data stores values, values with counts and statistic sets; get-metric-statistics and list-metrics read them', async () => {
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const at = new Date(minute + 5_000).toISOString();
    await wildRydes(
      'put-metric-data',
      '--metric-name',
      'Distance',
      '--value',
      '12.5',
      '--unit',
      'Count',
      '--timestamp',
      at,
      '--dimensions',
      'Unicorn=Shadowfax',
    );
    const file = path.join(home, 'metric-data.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          MetricName: 'Distance',
          Dimensions: [{ Name: 'Unicorn', Value: 'Shadowfax' }],
          Timestamp: at,
          Values: [1, 3],
          Counts: [2, 1],
          Unit: 'Count',
        },
        {
          MetricName: 'Distance',
          Dimensions: [{ Name: 'Unicorn', Value: 'Shadowfax' }],
          Timestamp: at,
          StatisticValues: { SampleCount: 2, Sum: 10, Minimum: 4, Maximum: 6 },
          Unit: 'Count',
        },
        { MetricName: 'Heartbeat', Value: 1, StorageResolution: 1 },
      ]),
    );
    await wildRydes('put-metric-data', '--metric-data', `file://${file}`);
    const stats = await wildRydes(
      'get-metric-statistics',
      '--metric-name',
      'Distance',
      '--dimensions',
      'Name=Unicorn,Value=Shadowfax',
      '--start-time',
      new Date(minute).toISOString(),
      '--end-time',
      new Date(minute + 60_000).toISOString(),
      '--period',
      '60',
      '--statistics',
      'Sum',
      'SampleCount',
      'Minimum',
      'Maximum',
    );
    expect(stats).toEqual({
      Label: 'Distance',
      Datapoints: [
        {
          Timestamp: new Date(minute).toISOString().replace('.000Z', '+00:00'),
          SampleCount: 6,
          Sum: 27.5,
          Minimum: 1,
          Maximum: 12.5,
          Unit: 'Count',
        },
      ],
    });
    expect(contentTypes).toEqual(Array(3).fill('application/x-www-form-urlencoded; charset=utf-8'));
    const listed = await wildRydes('list-metrics');
    expect(listed.Metrics).toEqual(
      expect.arrayContaining([
        {
          Namespace: 'WildRydes',
          MetricName: 'Distance',
          Dimensions: [{ Name: 'Unicorn', Value: 'Shadowfax' }],
        },
        { Namespace: 'WildRydes', MetricName: 'Heartbeat', Dimensions: [] },
      ]),
    );
  });

  it("prints CloudWatch's error for a reserved namespace", async () => {
    const result = await aws(
      endpoint.url,
      'cloudwatch',
      'put-metric-data',
      '--namespace',
      'AWS/Kinesis',
      '--metric-name',
      'M',
      '--value',
      '1',
    );
    expect(result.code).toBe(254);
    expect(result.stderr.trim()).toBe(
      'An error occurred (InvalidParameterValue) when calling the PutMetricData operation: The value AWS/Kinesis for parameter Namespace is invalid.',
    );
  });
});

describe('aws firehose', () => {
  let fixture: FirehoseFixture;
  beforeEach(async () => {
    fixture = await startFirehoseFixture();
  });
  afterEach(() => fixture.stop());

  it('list-delivery-streams and describe-delivery-stream print what the templates declare', async () => {
    expect(await awsJson(fixture.endpoint.url, 'firehose', 'list-delivery-streams')).toEqual({
      DeliveryStreamNames: ['clicks', 'mirror', 'shouting'],
      HasMoreDeliveryStreams: false,
    });
    const { DeliveryStreamDescription: described } = await awsJson(
      fixture.endpoint.url,
      'firehose',
      'describe-delivery-stream',
      '--delivery-stream-name',
      'mirror',
    );
    expect(described).toMatchObject({
      DeliveryStreamName: 'mirror',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'KinesisStreamAsSource',
      CreateTimestamp: '2026-11-30T12:00:00+00:00',
      Source: {
        KinesisStreamSourceDescription: {
          KinesisStreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/events',
        },
      },
      Destinations: [
        { ExtendedS3DestinationDescription: { BucketARN: 'arn:aws:s3:::lake', Prefix: 'mirror/' } },
      ],
    });
  });

  it('put-record-batch takes base64 data into the delivery stream, and shows the refusal for a Kinesis-fed one', async () => {
    // The CLI's shorthand for Record, a structure of one member, is its value alone: base64
    // (`Data=…` would be read as part of the base64). The JSON form works as well.
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    /** `aws firehose put-record-batch --delivery-stream-name <name> --records <records>`. */
    const putRecordBatch = (name: string, ...records: string[]) => [
      'firehose',
      'put-record-batch',
      '--delivery-stream-name',
      name,
      '--records',
      ...records,
    ];
    const out = await awsJson(
      fixture.endpoint.url,
      ...putRecordBatch('clicks', b64('{"ride":1}'), b64('{"ride":2}')),
    );
    await awsJson(
      fixture.endpoint.url,
      ...putRecordBatch('clicks', JSON.stringify([{ Data: b64('{"ride":3}') }])),
    );
    expect(out).toMatchObject({ FailedPutCount: 0, Encrypted: false });
    expect(out.RequestResponses).toHaveLength(2);
    await fixture.runners.get('clicks')!.flush();
    expect([...fixture.bucket.objects.values()].map(String)).toEqual([
      '{"ride":1}\n{"ride":2}\n{"ride":3}\n',
    ]);

    const refused = await aws(fixture.endpoint.url, ...putRecordBatch('mirror', b64('x')));
    expect(refused.code).toBe(254);
    expect(refused.stderr.trim()).toBe(
      'An error occurred (InvalidArgumentException) when calling the PutRecordBatch operation: This operation is not permitted on KinesisStreamAsSource delivery stream type.',
    );
  });
});
