import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  embeddedMetrics,
  kinesisCallMetrics,
  lambdaInvocationMetrics,
} from '../../../local/metrics/aws-metrics';
import { MetricStore } from '../../../local/metrics/store';

const NOW = Date.UTC(2026, 10, 30, 13, 0, 30);

/** What Powertools' Metrics really prints for one invocation. */
function powertoolsLine(): string {
  const written: string[] = [];
  // The test setup turns Powertools' metrics off; a function's environment has them on.
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const metrics = new Metrics({ namespace: 'WildRydes', serviceName: 'summary-aggregation' });
    metrics.addMetric('RecordsAggregated', MetricUnit.Count, 7);
    metrics.addMetric('RecordsAggregated', MetricUnit.Count, 3);
    metrics.publishStoredMetrics();
  } finally {
    spy.mockRestore();
    process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  }
  return written.join('').trim();
}

describe('embedded metric format', () => {
  it("reads Powertools' own output into the namespace, dimensions, unit and values it names", () => {
    const data = embeddedMetrics(powertoolsLine());
    expect(data).toHaveLength(1);
    const [{ id, point }] = data;
    expect(id).toEqual({
      namespace: 'WildRydes',
      metricName: 'RecordsAggregated',
      dimensions: [{ name: 'service', value: 'summary-aggregation' }],
    });
    expect(point.unit).toBe('Count');
    const store = new MetricStore();
    store.put(id, point);
    const [stats] = store.statistics(
      'WildRydes',
      'RecordsAggregated',
      id.dimensions,
      60,
      0,
      Date.now() + 60_000,
      ['Sum', 'SampleCount'],
    );
    expect(stats).toMatchObject({ Sum: 10, SampleCount: 2 });
  });

  it('gives nothing for other log lines', () => {
    expect(embeddedMetrics('2026-11-30T13:00:00Z\tabc\tINFO\t{"message":"hello"}')).toEqual([]);
    expect(embeddedMetrics('{"_aws": broken')).toEqual([]);
  });
});

describe('Kinesis stream metrics', () => {
  const call = {
    streamName: 'wildrydes',
    status: 200,
    latencyMs: 12,
    now: NOW,
  };
  const byName = (data: ReturnType<typeof kinesisCallMetrics>) =>
    Object.fromEntries(data.map((d) => [d.id.metricName, d.point.values![0].value]));

  it('PutRecords: totals, successes, throttled and failed records, incoming records and bytes', () => {
    const data = kinesisCallMetrics({
      ...call,
      operation: 'PutRecords',
      input: {
        Records: [
          { Data: Buffer.from('abcd').toString('base64'), PartitionKey: 'k1' },
          { Data: Buffer.from('ef').toString('base64'), PartitionKey: 'k2' },
          { Data: Buffer.from('gh').toString('base64'), PartitionKey: 'k3' },
        ],
      },
      output: {
        FailedRecordCount: 2,
        Records: [
          { SequenceNumber: '1', ShardId: 'shardId-000000000000' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
        ],
      },
    });
    expect(data.every((d) => d.id.namespace === 'AWS/Kinesis')).toBe(true);
    expect(
      data.every((d) => JSON.stringify(d.id.dimensions) === '[{"name":"StreamName","value":"wildrydes"}]'),
    ).toBe(true);
    expect(byName(data)).toMatchObject({
      'PutRecords.Success': 1,
      'PutRecords.TotalRecords': 3,
      'PutRecords.SuccessfulRecords': 1,
      'PutRecords.ThrottledRecords': 1,
      'PutRecords.FailedRecords': 1,
      WriteProvisionedThroughputExceeded: 1,
      IncomingRecords: 1,
      IncomingBytes: 6,
    });
  });

  it('GetRecords: records, latency and the age of the last record returned', () => {
    const data = kinesisCallMetrics({
      ...call,
      operation: 'GetRecords',
      input: { ShardIterator: 'x' },
      output: {
        Records: [{ Data: 'AAAA', ApproximateArrivalTimestamp: (NOW - 90_000) / 1000 }],
        MillisBehindLatest: 0,
      },
    });
    expect(byName(data)).toMatchObject({
      'GetRecords.Records': 1,
      'GetRecords.Success': 1,
      'GetRecords.Latency': 12,
      'GetRecords.IteratorAgeMilliseconds': 90_000,
      ReadProvisionedThroughputExceeded: 0,
    });
  });

  it('a throttled GetRecords counts as ReadProvisionedThroughputExceeded', () => {
    const data = kinesisCallMetrics({
      ...call,
      operation: 'GetRecords',
      status: 400,
      input: {},
      output: { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' },
    });
    expect(byName(data)).toEqual({ 'GetRecords.Success': 0, ReadProvisionedThroughputExceeded: 1 });
  });
});

it('Lambda: an invocation of a Kinesis batch gives Errors and the IteratorAge of its last record', () => {
  const data = lambdaInvocationMetrics({
    functionName: 'fn',
    durationMs: 20,
    failed: true,
    event: { Records: [{ kinesis: { approximateArrivalTimestamp: (NOW - 5_000) / 1000 } }] },
    now: NOW,
  });
  expect(Object.fromEntries(data.map((d) => [d.id.metricName, d.point.values![0].value]))).toEqual({
    Invocations: 1,
    Errors: 1,
    Throttles: 0,
    Duration: 20,
    IteratorAge: 5_000,
  });
  expect(data[0].id).toMatchObject({
    namespace: 'AWS/Lambda',
    dimensions: [{ name: 'FunctionName', value: 'fn' }],
  });
});
