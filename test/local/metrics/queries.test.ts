import { evaluateExpression, QueryError, runQueries } from '../../../local/metrics/queries';
import { MetricStore } from '../../../local/metrics/store';

const T0 = Date.UTC(2026, 10, 30, 13, 0, 0);
const metric = (metricName: string) => ({
  namespace: 'AWS/Kinesis',
  metricName,
  dimensions: [{ name: 'StreamName', value: 's' }],
});

function store() {
  const s = new MetricStore();
  const put = (name: string, t: number, value: number) =>
    s.put(metric(name), { timestamp: t, values: [{ value, count: 1 }], unit: 'Count' });
  put('PutRecords.SuccessfulRecords', T0, 9);
  put('PutRecords.TotalRecords', T0, 10);
  put('PutRecords.SuccessfulRecords', T0 + 60_000, 5);
  put('PutRecords.TotalRecords', T0 + 60_000, 5);
  // Only one side has data in the third minute: arithmetic between series leaves it out.
  put('PutRecords.TotalRecords', T0 + 120_000, 4);
  return s;
}

it('runs a dashboard math expression over the metrics it names, per period', () => {
  const [result] = runQueries(
    store(),
    [
      { id: 'e1', expression: '100 * ok0 / total0', label: 'Telemetry' },
      {
        id: 'ok0',
        metric: metric('PutRecords.SuccessfulRecords'),
        period: 60,
        stat: 'Sum',
        returnData: false,
      },
      { id: 'total0', metric: metric('PutRecords.TotalRecords'), period: 60, stat: 'Sum', returnData: false },
    ],
    T0,
    T0 + 180_000,
  );
  expect(result).toEqual({ id: 'e1', label: 'Telemetry', timestamps: [T0, T0 + 60_000], values: [90, 100] });
});

it('honours precedence, parentheses and unary minus', () => {
  expect(evaluateExpression('2 + 3 * 4', new Map())).toBe(14);
  expect(evaluateExpression('(2 + 3) * 4', new Map())).toBe(20);
  expect(evaluateExpression('-2 * -3', new Map())).toBe(6);
});

it('names what it cannot evaluate', () => {
  expect(() => evaluateExpression('FILL(m1, 0)', new Map([['m1', new Map()]]))).toThrow(
    new QueryError('The function FILL in "FILL(m1, 0)" is not supported locally.'),
  );
  expect(() => evaluateExpression('m2 * 2', new Map())).toThrow(/Unrecognized identifier m2/);
});
