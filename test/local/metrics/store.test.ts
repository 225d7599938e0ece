import { MetricStore, percentile, STATISTICS } from '../../../local/metrics/store';

/** The metric store: CloudWatch's statistics per period, from each form PutMetricData takes. */

const T = Date.UTC(2026, 10, 30, 12, 0, 0);
const ALL = STATISTICS;
const rider = [{ name: 'Unicorn', value: 'Shadowfax' }];

it('folds values, values with counts and statistic sets into per-period statistics', () => {
  const store = new MetricStore();
  const id = { namespace: 'WildRydes', metricName: 'Distance', dimensions: rider };
  store.put(id, { timestamp: T + 5_000, values: [{ value: 10, count: 1 }], unit: 'Count' });
  store.put(id, {
    timestamp: T + 50_000,
    values: [
      { value: 2, count: 3 },
      { value: 30, count: 1 },
    ],
    unit: 'Count',
  });
  store.put(id, {
    timestamp: T + 70_000,
    statisticValues: { sampleCount: 4, sum: 20, minimum: 1, maximum: 9 },
    unit: 'Count',
  });
  expect(store.statistics('WildRydes', 'Distance', rider, 60, T, T + 180_000, ALL)).toEqual([
    { timestamp: T, unit: 'Count', SampleCount: 5, Sum: 46, Minimum: 2, Maximum: 30, Average: 9.2 },
    { timestamp: T + 60_000, unit: 'Count', SampleCount: 4, Sum: 20, Minimum: 1, Maximum: 9, Average: 5 },
  ]);
  expect(
    store.statistics('WildRydes', 'Distance', rider, 120, T, T + 180_000, ['Sum', 'SampleCount']),
  ).toEqual([{ timestamp: T, unit: 'Count', Sum: 66, SampleCount: 9 }]);
});

it('keeps one-second data apart for sub-minute periods, and rounds the start down', () => {
  const store = new MetricStore();
  const id = { namespace: 'N', metricName: 'M', dimensions: [] };
  for (let s = 0; s < 10; s++) {
    store.put(id, { timestamp: T + s * 1000 + 300, values: [{ value: s, count: 1 }], storageResolution: 1 });
  }
  const fives = store.statistics('N', 'M', [], 5, T + 400, T + 10_000, ['Sum', 'Maximum']);
  expect(fives).toEqual([
    { timestamp: T, unit: 'None', Sum: 0 + 1 + 2 + 3 + 4, Maximum: 4 },
    { timestamp: T + 5_000, unit: 'None', Sum: 5 + 6 + 7 + 8 + 9, Maximum: 9 },
  ]);
  // Standard resolution: the same data in one minute bucket.
  store.put(id, { timestamp: T + 1_000, values: [{ value: 100, count: 1 }] });
  expect(store.statistics('N', 'M', [], 60, T + 30_000, T + 60_000, ['SampleCount'])).toEqual([
    { timestamp: T, unit: 'None', SampleCount: 11 },
  ]);
});

it('tells metrics apart by their exact dimensions (in any order), and units apart', () => {
  const store = new MetricStore();
  const both = [
    { name: 'Unicorn', value: 'Shadowfax' },
    { name: 'Fleet', value: 'North' },
  ];
  store.put(
    { namespace: 'N', metricName: 'M', dimensions: both },
    { timestamp: T, values: [{ value: 1, count: 1 }] },
  );
  store.put(
    { namespace: 'N', metricName: 'M', dimensions: rider },
    { timestamp: T, values: [{ value: 5, count: 1 }] },
  );
  store.put(
    { namespace: 'N', metricName: 'M', dimensions: rider },
    { timestamp: T, values: [{ value: 7, count: 1 }], unit: 'Seconds' },
  );
  const reversed = [...both].reverse();
  expect(store.statistics('N', 'M', reversed, 60, T, T + 60_000, ['Sum'])).toEqual([
    { timestamp: T, unit: 'None', Sum: 1 },
  ]);
  expect(store.statistics('N', 'M', rider, 60, T, T + 60_000, ['Sum'])).toEqual([
    { timestamp: T, unit: 'None', Sum: 5 },
    { timestamp: T, unit: 'Seconds', Sum: 7 },
  ]);
  expect(store.statistics('N', 'M', rider, 60, T, T + 60_000, ['Sum'], { unit: 'Seconds' })).toEqual([
    { timestamp: T, unit: 'Seconds', Sum: 7 },
  ]);
  expect(store.statistics('N', 'M', [], 60, T, T + 60_000, ['Sum'])).toEqual([]);
  expect(store.metrics({ dimensions: [{ name: 'Unicorn' }] })).toHaveLength(2);
  expect(store.metrics({ dimensions: [{ name: 'Fleet', value: 'North' }] })).toEqual([
    { namespace: 'N', metricName: 'M', dimensions: [both[1], both[0]] },
  ]);
});

it('gives percentiles by nearest rank where every sample came as a value', () => {
  const store = new MetricStore();
  const id = { namespace: 'N', metricName: 'Latency', dimensions: [] };
  store.put(id, {
    timestamp: T,
    values: Array.from({ length: 100 }, (_, i) => ({ value: i + 1, count: 1 })),
  });
  const [point] = store.statistics('N', 'Latency', [], 60, T, T + 60_000, [], { percentiles: [50, 99, 100] });
  expect(point.percentiles).toEqual({ p50: 50, p99: 99, p100: 100 });
  store.put(id, { timestamp: T, statisticValues: { sampleCount: 1, sum: 1, minimum: 1, maximum: 1 } });
  const [mixed] = store.statistics('N', 'Latency', [], 60, T, T + 60_000, ['SampleCount'], {
    percentiles: [50],
  });
  expect(mixed).toEqual({ timestamp: T, unit: 'None', SampleCount: 101 });
  expect(
    percentile(
      new Map([
        [3, 2],
        [1, 1],
      ]),
      50,
    ),
  ).toBe(3);
});
