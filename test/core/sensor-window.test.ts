import type { SensorReading } from '#core/sensor';
import {
  averagesOf,
  eventWindowStart,
  restoreSensorWindowState,
  tallyReading,
  windowParts,
} from '#core/sensor-window';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 10); // a window start
const reading = (
  sensorId: string,
  offsetMs: number,
  ambientTemp: number,
  measuredTemp: number,
): SensorReading => ({
  sensorId,
  eventTimestamp: T0 + offsetMs,
  ambientTemp,
  measuredTemp,
  status: 'OK',
});

describe('sensor windows', () => {
  it('puts a reading in the 10-second event-time window it was taken in', () => {
    expect(eventWindowStart(T0)).toBe(T0);
    expect(eventWindowStart(T0 + 9_999)).toBe(T0);
    expect(eventWindowStart(T0 + 10_000)).toBe(T0 + 10_000);
    expect(eventWindowStart(T0 - 1)).toBe(T0 - 10_000);
  });

  it('tallies count, sums and alerts per sensor and window, and emits one part each', () => {
    const state = restoreSensorWindowState({});
    state.seg = 'shardId-000000000001:49';
    for (const r of [
      reading('b', 100, 20, 45), // alert
      reading('a', 200, 20, 22),
      reading('a', 9_000, 24, 30),
      reading('a', 10_500, 10, 50), // next window, alert
    ]) {
      tallyReading(state, r);
    }
    expect(windowParts(state)).toEqual([
      {
        sensorId: 'a',
        windowStart: '2026-11-22T10:00:10.000Z',
        windowEnd: '2026-11-22T10:00:20.000Z',
        count: 2,
        ambientTempSum: 44,
        measuredTempSum: 52,
        alerts: 0,
        partId: 'shardId-000000000001:49',
      },
      {
        sensorId: 'a',
        windowStart: '2026-11-22T10:00:20.000Z',
        windowEnd: '2026-11-22T10:00:30.000Z',
        count: 1,
        ambientTempSum: 10,
        measuredTempSum: 50,
        alerts: 1,
        partId: 'shardId-000000000001:49',
      },
      {
        sensorId: 'b',
        windowStart: '2026-11-22T10:00:10.000Z',
        windowEnd: '2026-11-22T10:00:20.000Z',
        count: 1,
        ambientTempSum: 20,
        measuredTempSum: 45,
        alerts: 1,
        partId: 'shardId-000000000001:49',
      },
    ]);
    expect(averagesOf({ count: 2, ambientTempSum: 44, measuredTempSum: 52, alerts: 0 })).toEqual({
      avgAmbientTemp: 22,
      avgMeasuredTemp: 26,
    });
  });

  it('keeps sensor ids with a bar in them apart from the window start', () => {
    const state = { seg: 's:1', t: {} };
    tallyReading(state, reading('dock|3', 0, 1, 2));
    expect(windowParts(state)[0].sensorId).toBe('dock|3');
  });

  it('emits nothing for a segment without records', () => {
    expect(windowParts(restoreSensorWindowState(undefined))).toEqual([]);
  });

  it('restores a copy of the state, survives JSON, and rejects a state that is not its own', () => {
    const state = restoreSensorWindowState(null);
    state.seg = 's:1';
    tallyReading(state, reading('a', 0, 1, 2));
    const carried = JSON.parse(JSON.stringify(state));
    const restored = restoreSensorWindowState(carried);
    tallyReading(restored, reading('a', 0, 1, 2));
    expect(carried.t[`${T0}|a`][0]).toBe(1); // the caller's object is not changed
    expect(restored.t[`${T0}|a`][0]).toBe(2);
    expect(() => restoreSensorWindowState({ u: {} })).toThrow(/expected \{ seg, t \}/);
    expect(() => restoreSensorWindowState({ t: { x: [1, 2, 3, 4] } })).toThrow(/at "x"/);
    expect(() => restoreSensorWindowState({ t: { '1|a': [1, 2] } })).toThrow(/at "1\|a"/);
  });
});
