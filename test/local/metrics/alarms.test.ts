import { evaluateAlarm, type AlarmRule, type TreatMissingData } from '../../../local/metrics/alarms';

/**
 * The evaluation rules of the CloudWatch User Guide ("Evaluating an alarm", "Configuring how
 * CloudWatch alarms treat missing data"), for an alarm of 3 evaluation periods and 3
 * datapoints to alarm under each TreatMissingData; the M-out-of-N rule; the use of older real
 * datapoints before filling in missing ones; and the guard against premature transitions.
 */

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 30, 13, 0, 30);
/** Start of the k-th most recent complete minute (1 = the last one). */
const ago = (k: number) => Math.floor(NOW / MINUTE) * MINUTE - k * MINUTE;

/** Datapoints from a row written oldest first: `0` fine, `X` breaching, `-` missing. */
function row(text: string) {
  const cells = text.split(' ');
  return cells.flatMap((cell, i) =>
    cell === '-' ? [] : [{ timestamp: ago(cells.length - i), value: cell === 'X' ? 10 : 0 }],
  );
}

const rule = (overrides: Partial<AlarmRule> = {}): AlarmRule => ({
  period: 60,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 5,
  comparisonOperator: 'GreaterThanThreshold',
  ...overrides,
});

const TREATMENTS: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

describe('3 evaluation periods, 3 datapoints to alarm, from the state INSUFFICIENT_DATA', () => {
  // Data points oldest first; the state for missing, ignore, breaching, notBreaching.
  const table: [string, string[]][] = [
    ['0 X X', ['OK', 'OK', 'OK', 'OK']],
    ['0 0 0', ['OK', 'OK', 'OK', 'OK']],
    ['X X X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
    // Missing ones filled in as breaching make three; missing: two are not enough; ignore: kept.
    ['- X X', ['OK', 'INSUFFICIENT_DATA', 'ALARM', 'OK']],
    ['0 - -', ['OK', 'INSUFFICIENT_DATA', 'OK', 'OK']],
  ];
  it.each(table)('%s', (points, expected) => {
    const states = TREATMENTS.map(
      (treat) =>
        evaluateAlarm(rule({ treatMissingData: treat }), row(points), NOW, 'INSUFFICIENT_DATA').state,
    );
    expect(states).toEqual(expected);
  });

  it('with every datapoint missing: INSUFFICIENT_DATA, the state kept, ALARM, OK', () => {
    const states = TREATMENTS.map(
      (treat) => evaluateAlarm(rule({ treatMissingData: treat }), [], NOW, 'ALARM').state,
    );
    expect(states).toEqual(['INSUFFICIENT_DATA', 'ALARM', 'ALARM', 'OK']);
    expect(evaluateAlarm(rule({ treatMissingData: 'ignore' }), [], NOW, 'OK').state).toBe('OK');
  });
});

describe('M out of N', () => {
  const threeOfFive = rule({ evaluationPeriods: 5, datapointsToAlarm: 3 });
  it('alarms when M of the last N datapoints breach, in any order', () => {
    expect(evaluateAlarm(threeOfFive, row('X 0 X 0 X'), NOW, 'OK').state).toBe('ALARM');
    expect(evaluateAlarm(threeOfFive, row('X 0 0 0 X'), NOW, 'ALARM').state).toBe('OK');
  });

  it('evaluates the N most recent real datapoints when enough exist, reaching past missing ones', () => {
    // Two breaching points four and five periods back, then a gap of two: still among the last
    // three real ones, so the missing ones are not filled in as fine.
    const r = rule({ evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: 'notBreaching' });
    const points = [
      { timestamp: ago(5), value: 10 },
      { timestamp: ago(4), value: 10 },
      { timestamp: ago(3), value: 0 },
    ];
    expect(evaluateAlarm(r, points, NOW, 'OK').state).toBe('ALARM');
    // Six periods back is beyond the evaluation range (N + 2): filled in as fine, then.
    const older = points.map((p) => ({ ...p, timestamp: p.timestamp - MINUTE }));
    expect(evaluateAlarm(r, older, NOW, 'ALARM').state).toBe('OK');
  });

  it('leaves out datapoints beyond the evaluation range and the current, incomplete period', () => {
    const r = rule({ evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: 'missing' });
    expect(evaluateAlarm(r, [{ timestamp: ago(10), value: 10 }], NOW, 'OK').state).toBe('INSUFFICIENT_DATA');
    expect(evaluateAlarm(r, [{ timestamp: ago(0), value: 10 }], NOW, 'OK').state).toBe('INSUFFICIENT_DATA');
  });
});

it('goes to ALARM before M real datapoints when the oldest breaching one is M periods old and none since is fine', () => {
  const r = rule({ evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: 'missing' });
  expect(evaluateAlarm(r, row('- X -'), NOW, 'OK').state).toBe('ALARM');
  expect(evaluateAlarm(r, row('- - X'), NOW, 'OK').state).toBe('OK');
  expect(evaluateAlarm(r, row('X 0 -'), NOW, 'OK').state).toBe('OK');
});

describe('comparison operators', () => {
  it.each([
    ['GreaterThanOrEqualToThreshold', 5, 'ALARM'],
    ['GreaterThanThreshold', 5, 'OK'],
    ['LessThanThreshold', 4, 'ALARM'],
    ['LessThanOrEqualToThreshold', 5, 'ALARM'],
    ['LessThanThreshold', 5, 'OK'],
  ] as const)('%s with %d against 5', (comparisonOperator, value, state) => {
    const r = rule({ comparisonOperator, evaluationPeriods: 1, datapointsToAlarm: 1 });
    expect(evaluateAlarm(r, [{ timestamp: ago(1), value }], NOW, 'OK').state).toBe(state);
  });
});

it('gives CloudWatch-worded reasons', () => {
  const r = rule({
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
  });
  expect(evaluateAlarm(r, [{ timestamp: ago(1), value: 3 }], NOW, 'OK').reason).toBe(
    'Threshold Crossed: 1 out of the last 1 datapoints [3.0 (30/11/26 12:59:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).',
  );
  expect(evaluateAlarm(r, [], NOW, 'ALARM').reason).toBe(
    'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].',
  );
});
