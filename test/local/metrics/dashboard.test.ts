import { monitoringSnapshot, widgetQueries } from '../../../local/metrics/dashboard';
import type { AlarmStatus } from '../../../local/metrics/monitor';
import { MetricStore } from '../../../local/metrics/store';
import { functionErrorsAlarm } from '../../support/alarms';

const NOW = Date.UTC(2026, 10, 30, 13, 0, 30);
const ARN = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:app-Errors';

it("reads metric rows as CloudWatch does: '.' repeats the row above, options per row over the widget's", () => {
  const queries = widgetQueries({
    period: 300,
    stat: 'Average',
    metrics: [
      ['AWS/Kinesis', 'IncomingRecords', 'StreamName', 'a', { stat: 'Sum', period: 60 }],
      ['.', '.', '.', 'b'],
      [{ expression: 'm1 + m2', label: 'both', id: 'e1' }],
    ],
  });
  expect(queries).toEqual([
    expect.objectContaining({
      id: 'm1',
      metric: {
        namespace: 'AWS/Kinesis',
        metricName: 'IncomingRecords',
        dimensions: [{ name: 'StreamName', value: 'a' }],
      },
      stat: 'Sum',
      period: 60,
    }),
    expect.objectContaining({
      id: 'm2',
      metric: {
        namespace: 'AWS/Kinesis',
        metricName: 'IncomingRecords',
        dimensions: [{ name: 'StreamName', value: 'b' }],
      },
      stat: 'Average',
      period: 300,
    }),
    expect.objectContaining({ id: 'e1', expression: 'm1 + m2', label: 'both' }),
  ]);
});

it('draws graphs, alarm widgets with their threshold, alarm status and text from a body', () => {
  const store = new MetricStore();
  const fn = [{ name: 'FunctionName', value: 'fn' }];
  store.put(
    { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: fn },
    { timestamp: NOW - 60_000, values: [{ value: 2, count: 1 }], unit: 'Count' },
  );
  const definition = functionErrorsAlarm('Errors', 'app-Errors');
  const alarms: AlarmStatus[] = [
    { definition, state: 'ALARM', reason: 'because', updated: NOW, configurationUpdated: NOW },
  ];
  const body = JSON.stringify({
    widgets: [
      { type: 'text', x: 0, y: 0, width: 8, height: 2, properties: { markdown: '# Hi' } },
      { type: 'alarm', x: 8, y: 0, width: 16, height: 2, properties: { title: 'Alarms', alarms: [ARN] } },
      {
        type: 'metric',
        x: 0,
        y: 2,
        width: 12,
        height: 6,
        properties: { title: 'Errors alarm', annotations: { alarms: [ARN] } },
      },
      {
        type: 'metric',
        x: 12,
        y: 2,
        width: 12,
        height: 6,
        properties: {
          title: 'Errors',
          view: 'timeSeries',
          metrics: [['AWS/Lambda', 'Errors', 'FunctionName', 'fn', { stat: 'Sum', period: 60 }]],
        },
      },
      { type: 'log', x: 0, y: 8, width: 24, height: 6, properties: {} },
    ],
  });
  const snapshot = monitoringSnapshot({ dashboards: [{ name: 'd', body }], store, alarms, now: NOW });
  const [text, status, alarmGraph, graph, log] = snapshot.dashboards[0].widgets;
  expect(text).toMatchObject({ type: 'text', markdown: '# Hi', x: 0, width: 8 });
  expect(status).toMatchObject({
    type: 'alarms',
    title: 'Alarms',
    alarms: [{ name: 'app-Errors', state: 'ALARM' }],
  });
  expect(alarmGraph).toMatchObject({
    type: 'graph',
    thresholds: [{ value: 1 }],
    alarms: [{ state: 'ALARM' }],
    series: [{ label: 'app-Errors', values: [2] }],
  });
  expect(graph).toMatchObject({
    type: 'graph',
    series: [{ label: 'Errors fn', timestamps: [NOW - 90_000], values: [2] }],
  });
  expect(log).toMatchObject({ type: 'unsupported', error: 'log widgets are not drawn locally' });
  expect(snapshot.alarms).toEqual([
    { name: 'app-Errors', state: 'ALARM', reason: 'because', description: undefined },
  ]);
});
