import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchService } from '../../../local/aws/cloudwatch';
import type { AlarmStatus } from '../../../local/metrics/monitor';
import { functionErrorsAlarm } from '../../support/alarms';
import { startServiceEndpoint } from '../../support/aws-endpoint';

/**
 * DescribeAlarms and GetMetricData through the SDK's own client (AWS JSON 1.0): its
 * deserializers read the dates, lists and numbers the endpoint answers with.
 */

const NOW = Date.UTC(2026, 10, 30, 12, 0, 30);
const MINUTE = Date.UTC(2026, 10, 30, 12, 0, 0);

const status = (name: string, state: AlarmStatus['state']): AlarmStatus => ({
  definition: functionErrorsAlarm(`Logical${name}`, name, {
    TreatMissingData: 'notBreaching',
    AlarmActions: ['arn:aws:sns:us-east-1:000000000000:topic'],
  }),
  state,
  reason: `${name} is ${state}`,
  updated: MINUTE,
  configurationUpdated: MINUTE - 60_000,
});

let client: CloudWatchClient;
let served: Awaited<ReturnType<typeof startServiceEndpoint<CloudWatchClient>>>;

beforeEach(async () => {
  const service = new CloudWatchService({
    now: () => NOW,
    alarms: () => [status('app-Errors', 'ALARM'), status('app-Age', 'OK'), status('other', 'OK')],
  });
  served = await startServiceEndpoint([service], CloudWatchClient);
  ({ client } = served);
});
afterEach(() => served.stop());

it('DescribeAlarms answers metric alarms by prefix, name and state', async () => {
  const byPrefix = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'app-' }));
  expect(byPrefix.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['app-Age', 'app-Errors']);
  const [alarm] = (await client.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }))).MetricAlarms!;
  expect(alarm).toMatchObject({
    AlarmName: 'app-Errors',
    StateValue: 'ALARM',
    StateReason: 'app-Errors is ALARM',
    StateUpdatedTimestamp: new Date(MINUTE),
    MetricName: 'Errors',
    Namespace: 'AWS/Lambda',
    Statistic: 'Sum',
    Dimensions: [{ Name: 'FunctionName', Value: 'fn' }],
    Period: 60,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: ['arn:aws:sns:us-east-1:000000000000:topic'],
    ActionsEnabled: true,
  });
  const named = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['other', 'missing'] }));
  expect(named.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['other']);
  const paged = await client.send(new DescribeAlarmsCommand({ MaxRecords: 2 }));
  expect(paged.MetricAlarms).toHaveLength(2);
  const rest = await client.send(new DescribeAlarmsCommand({ MaxRecords: 2, NextToken: paged.NextToken }));
  expect(rest.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['other']);
});

it('DescribeAlarms refuses names and a prefix together', async () => {
  await expect(
    client.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })),
  ).rejects.toMatchObject({ name: 'InvalidParameterCombinationException' });
});

it('GetMetricData answers metric stats and an expression over them, newest first', async () => {
  const dims = [{ Name: 'StreamName', Value: 's' }];
  await client.send(
    new PutMetricDataCommand({
      Namespace: 'Local',
      MetricData: [
        { MetricName: 'ok', Dimensions: dims, Value: 9, Timestamp: new Date(MINUTE - 60_000) },
        { MetricName: 'total', Dimensions: dims, Value: 10, Timestamp: new Date(MINUTE - 60_000) },
        { MetricName: 'ok', Dimensions: dims, Value: 4, Timestamp: new Date(MINUTE) },
        { MetricName: 'total', Dimensions: dims, Value: 5, Timestamp: new Date(MINUTE) },
      ],
    }),
  );
  const stat = (id: string, name: string) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'Local', MetricName: name, Dimensions: dims },
      Period: 60,
      Stat: 'Sum',
    },
    ReturnData: false,
  });
  const out = await client.send(
    new GetMetricDataCommand({
      StartTime: new Date(MINUTE - 600_000),
      EndTime: new Date(MINUTE + 60_000),
      MetricDataQueries: [
        { Id: 'pct', Expression: '100 * ok / total', Label: 'Success (%)' },
        stat('ok', 'ok'),
        stat('total', 'total'),
      ],
    }),
  );
  expect(out.MetricDataResults).toEqual([
    {
      Id: 'pct',
      Label: 'Success (%)',
      Timestamps: [new Date(MINUTE), new Date(MINUTE - 60_000)],
      Values: [80, 90],
      StatusCode: 'Complete',
      Messages: [],
    },
  ]);
});
