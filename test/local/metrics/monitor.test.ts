import { readAlarmDefinition } from '../../../local/metrics/alarm-definition';
import { sqsQueueMetrics } from '../../../local/metrics/aws-metrics';
import { AlarmMonitor } from '../../../local/metrics/monitor';
import { MetricStore } from '../../../local/metrics/store';
import { manualClock } from '../../support/manual-clock';
import { waitUntil } from '../../support/wait';

const START = Date.UTC(2026, 10, 30, 13, 0, 10);

const deadLetters = readAlarmDefinition(
  'DeadLetters',
  'app-DeadLetters',
  'arn:aws:cloudwatch:us-east-1:000000000000:alarm:app-DeadLetters',
  {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Namespace: 'AWS/SQS',
    Dimensions: [{ Name: 'QueueName', Value: 'failures' }],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
    OKActions: ['arn:aws:sns:us-east-1:000000000000:alarms'],
  },
);

it('samples once a minute on its clock, evaluates, keeps every change and tells those of ALARM', async () => {
  const clock = manualClock(START);
  const store = new MetricStore();
  let depth = 0;
  const log: string[] = [];
  const monitor = new AlarmMonitor({
    store,
    alarms: [deadLetters],
    clock,
    samplers: [(now) => sqsQueueMetrics('failures', depth, now)],
    log: (m) => log.push(m),
  });
  expect(monitor.alarms()[0]).toMatchObject({
    state: 'INSUFFICIENT_DATA',
    reason: 'Unchecked: Initial alarm creation',
  });
  monitor.start();
  try {
    // At start: nothing complete yet, treated as not breaching.
    await waitUntil(() => monitor.lastEvaluated === START, 'the first evaluation');
    expect(monitor.alarms()[0].state).toBe('OK');
    expect(log).toEqual([]);

    depth = 2;
    const minute = async (n: number) => {
      const before = monitor.lastEvaluated!;
      clock.advance(60_000);
      await waitUntil(() => monitor.lastEvaluated! > before, `evaluation ${n}`);
    };
    await minute(1); // 13:01:10: samples 2 in a period that is not complete
    expect(monitor.alarms()[0].state).toBe('OK');
    depth = 0;
    await minute(2); // 13:02:10: the 13:01 period's Maximum is 2
    expect(monitor.alarms()[0]).toMatchObject({ state: 'ALARM', updated: START + 120_000 });
    await minute(3); // the 13:02 period's Maximum is 0
    expect(monitor.alarms()[0].state).toBe('OK');
  } finally {
    await monitor.stop();
  }
  expect(monitor.changes.map((c) => `${c.from}->${c.to}`)).toEqual([
    'INSUFFICIENT_DATA->OK',
    'OK->ALARM',
    'ALARM->OK',
  ]);
  expect(monitor.actions.map((a) => a.state)).toEqual(['OK', 'ALARM', 'OK']);
  expect(log).toEqual([
    expect.stringMatching(
      /^alarm app-DeadLetters: OK -> ALARM: Threshold Crossed: 1 out of the last 1 datapoints \[2\.0/,
    ),
    'alarm app-DeadLetters: ALARM action: notify arn:aws:sns:us-east-1:000000000000:alarms (SNS is not emulated: not sent)',
    expect.stringMatching(/^alarm app-DeadLetters: ALARM -> OK: /),
    'alarm app-DeadLetters: OK action: notify arn:aws:sns:us-east-1:000000000000:alarms (SNS is not emulated: not sent)',
  ]);
});
