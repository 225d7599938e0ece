import { destination, haversineMetres } from '#core/geo';
import { kilometresPerHour, speedBetween } from '#core/speed';

const start = { lat: 40.7549, lon: -73.984 };

describe('speedBetween', () => {
  it('is the great-circle distance over the time between two fixes', () => {
    const next = destination(start, 45, 300);
    expect(speedBetween({ position: start, time: 0 }, { position: next, time: 10_000 })).toBeCloseTo(30, 6);
  });

  it('uses the positions, not any reported distance: a long way in a short time is fast', () => {
    const across = { lat: 40.7, lon: -74.0 };
    const metres = haversineMetres(start, across);
    expect(speedBetween({ position: start, time: 1_000 }, { position: across, time: 1_500 })).toBeCloseTo(
      metres / 0.5,
      6,
    );
  });

  it('is zero for a unicorn standing still', () => {
    expect(speedBetween({ position: start, time: 0 }, { position: start, time: 1_000 })).toBe(0);
  });

  it('is undefined when no time passed or time ran backwards', () => {
    const next = destination(start, 90, 30);
    expect(speedBetween({ position: start, time: 5_000 }, { position: next, time: 5_000 })).toBeUndefined();
    expect(speedBetween({ position: start, time: 5_000 }, { position: next, time: 4_000 })).toBeUndefined();
  });

  it('converts to km/h', () => {
    expect(kilometresPerHour(30)).toBeCloseTo(108, 9);
  });
});
