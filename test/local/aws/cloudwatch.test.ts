import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
  type MetricDatum,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchService } from '../../../local/aws/cloudwatch';
import type { AwsEndpoint } from '../../../local/aws/endpoint';
import type { AwsRequest, Caller, Decision } from '../../../local/aws/service';
import { allowAll, sdkFailure, startServiceEndpoint } from '../../support/aws-endpoint';

/**
 * CloudWatch metrics on the local endpoint: the SDK's own client (AWS JSON 1.0, gzip for large
 * bodies) and signed query-protocol requests as the AWS CLI v2 sends them; what is put can be
 * read back, and AWS's checks answer with AWS's codes and words.
 */

const NOW = Date.UTC(2026, 10, 30, 12, 0, 30);
const MINUTE = Date.UTC(2026, 10, 30, 12, 0, 0);

let endpoint: AwsEndpoint;
let service: CloudWatchService;
let client: CloudWatchClient;
let served: Awaited<ReturnType<typeof startServiceEndpoint<CloudWatchClient>>>;
const seen: { target?: string; encoding?: string; contentType?: string }[] = [];
const asked: { action: string; resource: string; context: Readonly<Record<string, string>> }[] = [];
let decide: (caller: Caller, action: string) => Promise<Decision> = allowAll;

beforeEach(async () => {
  service = new CloudWatchService({ now: () => NOW });
  seen.length = 0;
  asked.length = 0;
  decide = allowAll;
  const watched = {
    signingNames: service.signingNames,
    targetPrefixes: service.targetPrefixes,
    handle: (request: AwsRequest) => {
      seen.push({
        target: request.headers['x-amz-target'] as string | undefined,
        encoding: request.headers['content-encoding'] as string | undefined,
        contentType: request.headers['content-type'],
      });
      return service.handle(request);
    },
  };
  served = await startServiceEndpoint([watched], CloudWatchClient, {
    authorize: async (caller, action, resource, context) => {
      asked.push({ action, resource, context });
      return decide(caller, action);
    },
  });
  ({ endpoint, client } = served);
});
afterEach(() => served.stop());

const put = (MetricData: MetricDatum[], Namespace = 'WildRydes') =>
  client.send(new PutMetricDataCommand({ Namespace, MetricData }));

describe('with the SDK (AWS JSON 1.0)', () => {
  it('stores a value, values with counts and a statistic set, and reads them back', async () => {
    const dimensions = [{ Name: 'Unicorn', Value: 'Shadowfax' }];
    await put([
      {
        MetricName: 'Distance',
        Dimensions: dimensions,
        Value: 10,
        Unit: 'Count',
        Timestamp: new Date(MINUTE + 1_000),
      },
      {
        MetricName: 'Distance',
        Dimensions: dimensions,
        Values: [2, 30],
        Counts: [3, 1],
        Unit: 'Count',
        Timestamp: new Date(MINUTE),
      },
      {
        MetricName: 'Distance',
        Dimensions: dimensions,
        StatisticValues: { SampleCount: 4, Sum: 20, Minimum: 1, Maximum: 9 },
        Unit: 'Count',
        Timestamp: new Date(MINUTE - 60_000),
      },
    ]);
    expect(seen[0]).toMatchObject({
      target: 'GraniteServiceVersion20100801.PutMetricData',
      contentType: 'application/x-amz-json-1.0',
    });
    expect(
      service.store.statistics(
        'WildRydes',
        'Distance',
        [{ name: 'Unicorn', value: 'Shadowfax' }],
        60,
        MINUTE - 60_000,
        MINUTE + 60_000,
        ['Sum', 'SampleCount', 'Average'],
      ),
    ).toEqual([
      { timestamp: MINUTE - 60_000, unit: 'Count', Sum: 20, SampleCount: 4, Average: 5 },
      { timestamp: MINUTE, unit: 'Count', Sum: 46, SampleCount: 5, Average: 9.2 },
    ]);
    const stats = await client.send(
      new GetMetricStatisticsCommand({
        Namespace: 'WildRydes',
        MetricName: 'Distance',
        Dimensions: dimensions,
        StartTime: new Date(MINUTE - 60_000),
        EndTime: new Date(MINUTE + 60_000),
        Period: 60,
        Statistics: ['Maximum', 'SampleCount'],
        ExtendedStatistics: ['p50'],
      }),
    );
    expect(stats.Label).toBe('Distance');
    expect(stats.Datapoints).toEqual([
      { Timestamp: new Date(MINUTE - 60_000), Maximum: 9, SampleCount: 4, Unit: 'Count' },
      {
        Timestamp: new Date(MINUTE),
        Maximum: 30,
        SampleCount: 5,
        Unit: 'Count',
        ExtendedStatistics: { p50: 2 },
      },
    ]);
    const { Metrics } = await client.send(new ListMetricsCommand({ Namespace: 'WildRydes' }));
    expect(Metrics).toEqual([{ Namespace: 'WildRydes', MetricName: 'Distance', Dimensions: dimensions }]);
  });

  it('takes 1,000 metrics in one call (the SDK gzips the body), refuses 1,001', async () => {
    const data = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        MetricName: `M${i}`,
        Value: i,
        Dimensions: [{ Name: 'Index', Value: String(i) }],
      }));
    await put(data(1000));
    expect(seen[0].encoding).toBe('gzip');
    expect(service.store.metrics({ namespace: 'WildRydes' })).toHaveLength(1000);
    expect(await sdkFailure(put(data(1001)))).toEqual({
      name: 'InvalidParameterValueException',
      code: 'InvalidParameterValue',
      status: 400,
      message: 'The collection MetricData must not have a size greater than 1000.',
    });
  });

  it("answers AWS's checks with AWS's codes and words", async () => {
    const cases: [Promise<unknown>, string, string][] = [
      [
        put([{ MetricName: 'M', Value: 1 }], 'AWS/EC2'),
        'InvalidParameterValue',
        'The value AWS/EC2 for parameter Namespace is invalid.',
      ],
      [
        client.send(new PutMetricDataCommand({ Namespace: 'N', MetricData: [] })),
        'MissingParameter',
        'The parameter MetricData is required.',
      ],
      [
        put([{ MetricName: 'M', Value: NaN }]),
        'InvalidParameterValue',
        'The value NaN for parameter MetricData.member.1.Value is invalid.',
      ],
      [
        put([{ MetricName: 'M', Value: 2 ** 361 }]),
        'InvalidParameterValue',
        `The value ${2 ** 361} for parameter MetricData.member.1.Value is invalid.`,
      ],
      [
        put([
          { MetricName: 'M', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } },
        ]),
        'InvalidParameterCombination',
        'The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.',
      ],
      [
        put([{ MetricName: 'M', Values: [1, 2], Counts: [1] }]),
        'InvalidParameterValue',
        'The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.',
      ],
      [
        put([
          {
            MetricName: 'M',
            Value: 1,
            Dimensions: Array.from({ length: 31 }, (_, i) => ({ Name: `D${i}`, Value: 'v' })),
          },
        ]),
        'InvalidParameterValue',
        'The collection MetricData.member.1.Dimensions must not have a size greater than 30.',
      ],
      [
        put([
          {
            MetricName: 'M',
            Value: 1,
            Dimensions: [
              { Name: 'A', Value: '1' },
              { Name: 'A', Value: '2' },
            ],
          },
        ]),
        'InvalidParameterValue',
        'No metric may specify the same dimension name twice.',
      ],
      [
        put([{ MetricName: 'M', Value: 1, StorageResolution: 5 }]),
        'InvalidParameterValue',
        'The parameter MetricData.member.1.StorageResolution must be a value in the set [ 1, 60 ].',
      ],
      [
        put([
          { MetricName: 'M', Value: 1, Timestamp: new Date(NOW - 15 * 86_400_000) },
          { MetricName: 'M', Value: 1, Timestamp: new Date(NOW - 16 * 86_400_000) },
        ]),
        'InvalidParameterValue',
        'The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.\nThe parameter MetricData.member.2.Timestamp must specify a time within the past two weeks.',
      ],
      [
        put([{ MetricName: 'M', Value: 1, Timestamp: new Date(NOW + 3 * 3_600_000) }]),
        'InvalidParameterValue',
        'The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future.',
      ],
    ];
    for (const [call, code, message] of cases) {
      expect(await sdkFailure(call)).toMatchObject({ code, message, status: 400 });
    }
    expect(service.store.metrics()).toEqual([]);
  });

  it('asks IAM for cloudwatch:PutMetricData with the namespace, and answers a denial', async () => {
    await put([{ MetricName: 'M', Value: 1 }], 'Allowed');
    expect(asked).toEqual([
      { action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'Allowed' } },
    ]);
    decide = async () => ({
      allowed: false,
      reason: 'no identity-based policy allows the cloudwatch:PutMetricData action',
    });
    expect(await sdkFailure(put([{ MetricName: 'M', Value: 1 }], 'Denied'))).toEqual({
      name: 'AccessDenied',
      code: 'AccessDenied',
      status: 403,
      message:
        'User: arn:aws:iam::000000000000:user/tester is not authorized to perform: cloudwatch:PutMetricData because no identity-based policy allows the cloudwatch:PutMetricData action',
    });
    expect(service.store.metrics({ namespace: 'Denied' })).toEqual([]);
  });
});

describe('in the query protocol', () => {
  /**
   * A query request for `monitoring`, as the AWS CLI sends it. The endpoint reads who signed it
   * and for which service from the Authorization header (it checks no signature).
   */
  async function query(params: Record<string, string>) {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization:
          'AWS4-HMAC-SHA256 Credential=tester/20261130/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Version: '2010-08-01', ...params }).toString(),
    });
    return { status: response.status, text: await response.text() };
  }

  it('stores what PutMetricData sends as members, and answers in XML', async () => {
    const answer = await query({
      Action: 'PutMetricData',
      Namespace: 'WildRydes',
      'MetricData.member.1.MetricName': 'Distance',
      'MetricData.member.1.Value': '12.5',
      'MetricData.member.1.Unit': 'Count',
      'MetricData.member.1.Timestamp': '2026-11-30T12:00:10Z',
      'MetricData.member.1.Dimensions.member.1.Name': 'Unicorn',
      'MetricData.member.1.Dimensions.member.1.Value': 'Shadowfax',
      'MetricData.member.2.MetricName': 'Distance',
      'MetricData.member.2.Values.member.1': '1',
      'MetricData.member.2.Values.member.2': '3',
      'MetricData.member.2.Counts.member.1': '2',
      'MetricData.member.2.Counts.member.2': '1',
      'MetricData.member.2.Unit': 'Count',
      'MetricData.member.2.Timestamp': '2026-11-30T12:00:20.500Z',
      'MetricData.member.2.Dimensions.member.1.Name': 'Unicorn',
      'MetricData.member.2.Dimensions.member.1.Value': 'Shadowfax',
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(
      /^<\?xml version="1.0"\?><PutMetricDataResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/PutMetricDataResponse>$/,
    );
    const stats = await query({
      Action: 'GetMetricStatistics',
      Namespace: 'WildRydes',
      MetricName: 'Distance',
      'Dimensions.member.1.Name': 'Unicorn',
      'Dimensions.member.1.Value': 'Shadowfax',
      StartTime: '2026-11-30T12:00:00Z',
      EndTime: '2026-11-30T12:01:00Z',
      Period: '60',
      'Statistics.member.1': 'Sum',
      'Statistics.member.2': 'SampleCount',
    });
    expect(stats.text).toContain(
      '<GetMetricStatisticsResult><Label>Distance</Label><Datapoints><member><Timestamp>2026-11-30T12:00:00Z</Timestamp><SampleCount>4</SampleCount><Sum>17.5</Sum><Unit>Count</Unit></member></Datapoints></GetMetricStatisticsResult>',
    );
  });

  it('answers errors as an ErrorResponse with the query code', async () => {
    const answer = await query({
      Action: 'PutMetricData',
      Namespace: 'AWS/Kinesis',
      'MetricData.member.1.MetricName': 'M',
      'MetricData.member.1.Value': '1',
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(
      /<ErrorResponse xmlns="http:\/\/monitoring.amazonaws.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>InvalidParameterValue<\/Code><Message>The value AWS\/Kinesis for parameter Namespace is invalid.<\/Message>/,
    );
    const unit = await query({
      Action: 'PutMetricData',
      Namespace: 'N',
      'MetricData.member.1.MetricName': 'M',
      'MetricData.member.1.Value': '1',
      'MetricData.member.1.Unit': 'Meters',
    });
    expect(unit.text).toContain(
      '<Message>The parameter MetricData.member.1.Unit must be a value in the set [ Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second, None ].</Message>',
    );
    const missing = await query({ Action: 'PutMetricData', 'MetricData.member.1.MetricName': 'M' });
    expect(missing.text).toContain(
      '<Code>MissingParameter</Code><Message>The parameter Namespace is required.</Message>',
    );
  });
});
