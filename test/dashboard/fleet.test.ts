import { destination } from '#core/geo';
import { formatStatusTime } from '#core/status-time';
import type { UnicornStatus } from '#core/telemetry';
import { decodeStatus, Fleet, StreamClock } from '../../dashboard/src/fleet';

const T0 = Date.UTC(2017, 5, 5, 9, 17, 0);
const start = { lat: 40.7549, lon: -73.984 };

/** A record `seconds` after T0, `metres` north-east of the start. */
function status(
  name: string,
  seconds: number,
  metres = 0,
  extra: Partial<UnicornStatus> = {},
): UnicornStatus {
  const at = destination(start, 45, metres);
  return {
    Name: name,
    StatusTime: formatStatusTime(T0 + seconds * 1000),
    Latitude: at.lat,
    Longitude: at.lon,
    Distance: 30,
    MagicPoints: 150,
    HealthPoints: 150,
    ...extra,
  };
}

describe('Fleet', () => {
  it('adds a unicorn on its first record, without a speed yet', () => {
    const fleet = new Fleet(30_000);
    expect(fleet.apply(status('Shadowfax', 0), T0, T0)).toBe('added');
    expect(fleet.get('Shadowfax')).toMatchObject({ name: 'Shadowfax', time: T0, lastSeen: T0 });
    expect(fleet.get('Shadowfax')!.speedMps).toBeUndefined();
    expect(fleet.size).toBe(1);
  });

  it('moves it on the next record, with the speed from the two positions and StatusTimes', () => {
    const fleet = new Fleet(30_000);
    fleet.apply(status('Shadowfax', 0, 0), T0, T0);
    // Distance says 30 m, but the positions are 62 m apart over 2 s: 31 m/s.
    expect(fleet.apply(status('Shadowfax', 2, 62), T0 + 2_100, T0 + 2_100)).toBe('moved');
    expect(fleet.get('Shadowfax')!.speedMps).toBeCloseTo(31, 6);
    expect(fleet.get('Shadowfax')!.lastSeen).toBe(T0 + 2_100);
  });

  it('ignores a record not newer than the one shown (a replay or duplicate)', () => {
    const fleet = new Fleet(30_000);
    fleet.apply(status('Shadowfax', 5, 150), T0 + 5_000, T0 + 5_000);
    expect(fleet.apply(status('Shadowfax', 5, 150), T0 + 5_000, T0 + 6_000)).toBe('stale');
    expect(fleet.apply(status('Shadowfax', 4, 120), T0 + 4_000, T0 + 6_000)).toBe('stale');
    expect(fleet.get('Shadowfax')!.time).toBe(T0 + 5_000);
  });

  it('does not add a unicorn whose record is already older than the expiry', () => {
    const fleet = new Fleet(30_000);
    expect(fleet.apply(status('Shadowfax', 0), T0, T0 + 30_000)).toBe('expired');
    expect(fleet.size).toBe(0);
  });

  it('keeps a unicorn until the expiry after its last record, then removes it', () => {
    const fleet = new Fleet(30_000);
    fleet.apply(status('Shadowfax', 0), T0, T0);
    fleet.apply(status('Bucephalus', 0), T0, T0);
    fleet.apply(status('Bucephalus', 10, 300), T0 + 10_000, T0 + 10_000);
    expect(fleet.expire(T0 + 29_999)).toEqual([]);
    expect(fleet.expire(T0 + 30_000)).toEqual(['Shadowfax']);
    expect(fleet.get('Shadowfax')).toBeUndefined();
    expect(fleet.expire(T0 + 39_999)).toEqual([]);
    expect(fleet.expire(T0 + 40_000)).toEqual(['Bucephalus']);
    expect(fleet.size).toBe(0);
  });

  it('brings a unicorn back when its producer resumes, measuring speed afresh', () => {
    const fleet = new Fleet(30_000);
    fleet.apply(status('Shadowfax', 0, 0), T0, T0);
    fleet.apply(status('Shadowfax', 1, 30), T0 + 1_000, T0 + 1_000);
    fleet.expire(T0 + 31_000);
    expect(fleet.apply(status('Shadowfax', 60, 5_000), T0 + 60_000, T0 + 60_000)).toBe('added');
    expect(fleet.get('Shadowfax')!.speedMps).toBeUndefined();
  });

  it('reports what changed since the last call, once', () => {
    const fleet = new Fleet(30_000);
    fleet.apply(status('Shadowfax', 0), T0, T0);
    fleet.apply(status('Bucephalus', 0), T0, T0);
    fleet.apply(status('Shadowfax', 1, 30), T0 + 1_000, T0 + 1_000);
    const first = fleet.takeChanges();
    expect(first.changed.map((u) => u.name).sort()).toEqual(['Bucephalus', 'Shadowfax']);
    expect(first.changed.find((u) => u.name === 'Shadowfax')!.time).toBe(T0 + 1_000);
    expect(first.removed).toEqual([]);
    expect(fleet.takeChanges()).toEqual({ changed: [], removed: [] });

    fleet.apply(status('Shadowfax', 40, 900), T0 + 40_000, T0 + 40_000);
    fleet.expire(T0 + 40_000);
    expect(fleet.takeChanges()).toEqual({ changed: [fleet.get('Shadowfax')], removed: ['Bucephalus'] });
  });

  it('a unicorn that expires and returns between two draws is drawn as changed, not removed', () => {
    const fleet = new Fleet(30_000);
    fleet.apply(status('Shadowfax', 0), T0, T0);
    fleet.takeChanges();
    fleet.expire(T0 + 30_000);
    fleet.apply(status('Shadowfax', 31, 900), T0 + 31_000, T0 + 31_000);
    expect(fleet.takeChanges()).toEqual({ changed: [fleet.get('Shadowfax')], removed: [] });
  });
});

describe('Fleet trails', () => {
  const limits = { durationMs: 10_000, maxPoints: 32 };
  const trailSeconds = (fleet: Fleet, name: string) =>
    fleet.trail(name).map((p) => Math.round((p.time - T0) / 1000));

  it('keeps each unicorn its recent positions, in order, ending where its marker is', () => {
    const fleet = new Fleet(30_000, limits);
    for (let s = 0; s <= 3; s++) fleet.apply(status('Shadowfax', s, s * 30), T0 + s * 1000, T0 + s * 1000);
    fleet.apply(status('Bucephalus', 2, 0), T0 + 2_000, T0 + 2_000);
    expect(trailSeconds(fleet, 'Shadowfax')).toEqual([0, 1, 2, 3]);
    const newest = fleet.trail('Shadowfax').at(-1)!;
    const shown = fleet.get('Shadowfax')!.status;
    expect([newest.lat, newest.lon]).toEqual([shown.Latitude, shown.Longitude]);
    expect(trailSeconds(fleet, 'Bucephalus')).toEqual([2]);
  });

  it('is not extended by stale records (replays, duplicates)', () => {
    const fleet = new Fleet(30_000, limits);
    fleet.apply(status('Shadowfax', 5, 150), T0 + 5_000, T0 + 5_000);
    fleet.apply(status('Shadowfax', 4, 120), T0 + 5_000, T0 + 6_000);
    fleet.apply(status('Shadowfax', 5, 150), T0 + 5_000, T0 + 6_000);
    expect(trailSeconds(fleet, 'Shadowfax')).toEqual([5]);
  });

  it('reaches back its duration only', () => {
    const fleet = new Fleet(30_000, limits);
    for (let s = 0; s <= 20; s++) fleet.apply(status('Shadowfax', s, s * 30), T0 + s * 1000, T0 + s * 1000);
    expect(trailSeconds(fleet, 'Shadowfax')).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it('leaves with its unicorn, and a returning unicorn starts a new one', () => {
    const fleet = new Fleet(30_000, limits);
    fleet.apply(status('Shadowfax', 0, 0), T0, T0);
    fleet.apply(status('Shadowfax', 1, 30), T0 + 1_000, T0 + 1_000);
    fleet.expire(T0 + 31_000);
    expect(fleet.trail('Shadowfax')).toEqual([]);
    fleet.apply(status('Shadowfax', 35, 900), T0 + 35_000, T0 + 35_000);
    expect(trailSeconds(fleet, 'Shadowfax')).toEqual([35]);
  });

  it('are off unless asked for', () => {
    const fleet = new Fleet(30_000);
    fleet.apply(status('Shadowfax', 0, 0), T0, T0);
    fleet.apply(status('Shadowfax', 1, 30), T0 + 1_000, T0 + 1_000);
    expect(fleet.trail('Shadowfax')).toEqual([]);
    const none = new Fleet(30_000, { durationMs: 0, maxPoints: 32 });
    none.apply(status('Shadowfax', 0, 0), T0, T0);
    none.apply(status('Shadowfax', 1, 30), T0 + 1_000, T0 + 1_000);
    expect(none.trail('Shadowfax')).toEqual([]);
  });
});

describe('decodeStatus', () => {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it('decodes and validates a record', () => {
    expect(decodeStatus(encode(status('Shadowfax', 0)))).toEqual({ ok: true, value: status('Shadowfax', 0) });
  });

  it('gives a reason for data that is not a unicorn status', () => {
    expect(decodeStatus(new TextEncoder().encode('{"Name":'))).toMatchObject({ ok: false });
    expect(decodeStatus(encode({ ...status('Shadowfax', 0), Distance: 'far' }))).toEqual({
      ok: false,
      reason: 'Distance must be a number',
    });
    expect(decodeStatus(undefined)).toMatchObject({ ok: false });
  });
});

describe('StreamClock', () => {
  it('is the local clock until it has seen a record', () => {
    expect(new StreamClock().now(1_000)).toBe(1_000);
  });

  it('estimates how far the stream clock is ahead from records read while caught up', () => {
    const clock = new StreamClock();
    // The stream's clock is 90 s ahead; records are read 0.2 to 1.5 s after they arrive.
    clock.observe(T0 + 90_000 - 1_500, T0);
    clock.observe(T0 + 91_000 - 200, T0 + 1_000);
    expect(clock.now(T0 + 1_000)).toBe(T0 + 1_000 + 90_000 - 200);
  });

  it('works for a clock behind, too', () => {
    const clock = new StreamClock();
    clock.observe(T0 - 45_000 - 300, T0);
    expect(clock.offset(T0)).toBe(-45_300);
  });

  it('forgets samples older than its window, so a corrected clock is followed', () => {
    const clock = new StreamClock(60_000);
    clock.observe(T0 + 10_000, T0);
    clock.observe(T0 + 30_000 + 2_000, T0 + 30_000);
    expect(clock.offset(T0 + 30_000)).toBe(10_000);
    expect(clock.offset(T0 + 60_000)).toBe(2_000);
    expect(clock.offset(T0 + 100_000)).toBe(0);
  });
});
