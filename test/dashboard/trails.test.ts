import { DEFAULT_TRAIL_POINTS, Trail, type TrailPoint } from '../../dashboard/src/trails';

const T0 = Date.UTC(2024, 0, 1);
/** A point `seconds` after T0, moving north. */
const at = (seconds: number): TrailPoint => ({
  time: T0 + seconds * 1000,
  lat: 40.75 + seconds * 1e-4,
  lon: -73.98,
});
const seconds = (trail: Trail) => trail.points.map((p) => (p.time - T0) / 1000);

describe('Trail', () => {
  it('keeps every record of a unicorn reporting once a second, oldest first', () => {
    const trail = new Trail({ durationMs: 10_000, maxPoints: 12 });
    for (let s = 0; s <= 5; s++) trail.add(at(s));
    expect(seconds(trail)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trail.newest).toEqual(at(5));
  });

  it('drops points older than its duration', () => {
    const trail = new Trail({ durationMs: 10_000, maxPoints: 12 });
    for (let s = 0; s <= 25; s++) trail.add(at(s));
    expect(seconds(trail)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  });

  it('thins a fast producer to points spaced over the whole duration, the newest always last', () => {
    // 10 records a second for a minute, 32 points at most: one kept every 2 s, plus the head.
    const trail = new Trail({ durationMs: 60_000, maxPoints: 32 });
    for (let tenth = 0; tenth <= 1200; tenth++) trail.add(at(tenth / 10));
    const kept = seconds(trail);
    expect(kept.length).toBeLessThanOrEqual(32);
    expect(kept.at(-1)).toBe(120);
    expect(kept[0]).toBeGreaterThanOrEqual(60);
    expect(kept[0]).toBeLessThanOrEqual(62.1);
    const gaps = kept.slice(1, -1).map((s, i) => s - kept[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(60 / 30 - 1e-9);
  });

  it('never holds more than maxPoints, whatever the timing', () => {
    const trail = new Trail({ durationMs: 60_000, maxPoints: 5 });
    let time = 0;
    for (let i = 0; i < 1000; i++) {
      time += (i * 7919) % 13; // irregular gaps, some zero
      trail.add(at(time / 10));
      expect(trail.points.length).toBeLessThanOrEqual(5);
    }
  });

  it('stays in time order: a point not newer than the newest is ignored', () => {
    const trail = new Trail({ durationMs: 10_000, maxPoints: 12 });
    expect(trail.add(at(5))).toBe(true);
    expect(trail.add(at(5))).toBe(false);
    expect(trail.add(at(3))).toBe(false);
    expect(trail.add(at(6))).toBe(true);
    expect(seconds(trail)).toEqual([5, 6]);
  });

  it('keeps only the newest point after a long silence', () => {
    const trail = new Trail({ durationMs: 10_000, maxPoints: 12 });
    for (let s = 0; s <= 5; s++) trail.add(at(s));
    trail.add(at(100));
    expect(seconds(trail)).toEqual([100]);
  });

  it('needs room for at least three points', () => {
    expect(() => new Trail({ durationMs: 10_000, maxPoints: 2 })).toThrow('at least 3 points, got 2');
    expect(DEFAULT_TRAIL_POINTS).toBeGreaterThanOrEqual(3);
  });
});
