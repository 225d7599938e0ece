import { haversineMetres } from '#core/geo';
import {
  DEFAULT_FLIGHT,
  fleetNames,
  fly,
  isFleetName,
  OWN_UNICORN_NAME,
  seededRandom,
  spawnUnicorn,
  statusOf,
  UNICORN_NAMES,
} from '#core/movement';
import { parseUnicornStatus } from '#core/telemetry';

describe('fleet names', () => {
  it('are the workshop names first, then numbered ones', () => {
    expect(fleetNames(10)).toEqual([...UNICORN_NAMES, 'Unicorn-9', 'Unicorn-10']);
  });

  it('tell a fleet unicorn from any other name', () => {
    const fleet = fleetNames(2000);
    expect(fleet.every(isFleetName)).toBe(true);
    for (const other of ['Starlight', 'Unicorn-0', 'Unicorn-1', 'Unicorn-8', 'Unicorn-09', 'shadowfax']) {
      expect([other, isFleetName(other)]).toEqual([other, fleet.includes(other)]);
    }
  });

  it("suggest a unicorn of one's own that no fleet of any size flies", () => {
    expect(isFleetName(OWN_UNICORN_NAME)).toBe(false);
    expect(fleetNames(10_000)).not.toContain(OWN_UNICORN_NAME);
  });
});

describe('movement model', () => {
  it('flies about 30 m/s, and Distance equals the great-circle change in position', () => {
    const random = seededRandom(7);
    let unicorn = spawnUnicorn('Shadowfax', random);
    let previous = statusOf(unicorn, 0, 0);
    for (let i = 0; i < 600; i++) {
      const before = unicorn.position;
      const step = fly(unicorn, 1, random);
      unicorn = step.unicorn;
      expect(step.metres).toBeCloseTo(haversineMetres(before, unicorn.position), 9);
      expect(step.metres).toBeGreaterThan(25);
      expect(step.metres).toBeLessThan(35);
      const status = statusOf(unicorn, step.metres, Date.UTC(2017, 5, 5, 9, 17, i % 60));
      expect(parseUnicornStatus(status).ok).toBe(true);
      // What a reader sees agrees too: reported Distance vs. the reported positions, within rounding.
      const reported = haversineMetres(
        { lat: previous.Latitude, lon: previous.Longitude },
        { lat: status.Latitude, lon: status.Longitude },
      );
      expect(Math.abs(reported - status.Distance)).toBeLessThan(0.25);
      previous = status;
    }
  });

  it('keeps a continuous path that stays in the neighbourhood for an hour', () => {
    const random = seededRandom(11);
    let unicorn = spawnUnicorn('Bucephalus', random);
    let farthest = 0;
    for (let i = 0; i < 3600; i++) {
      unicorn = fly(unicorn, 1, random).unicorn;
      farthest = Math.max(farthest, haversineMetres(unicorn.position, DEFAULT_FLIGHT.centre));
    }
    expect(farthest).toBeLessThan(3 * DEFAULT_FLIGHT.radiusMetres);
  });

  it('keeps magic and health points near 150 and within bounds', () => {
    const random = seededRandom(3);
    let unicorn = spawnUnicorn('Rocinante', random);
    expect(Math.abs(unicorn.magicPoints - 150)).toBeLessThanOrEqual(5);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      unicorn = fly(unicorn, 1, random).unicorn;
      seen.add(unicorn.magicPoints).add(unicorn.healthPoints);
    }
    const values = [...seen];
    expect(Math.min(...values)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...values)).toBeLessThanOrEqual(200);
    expect(values.every(Number.isInteger)).toBe(true);
    expect(values.length).toBeGreaterThan(10); // they do drift
  });

  it('scales distance with the interval between reports', () => {
    const random = seededRandom(5);
    const unicorn = spawnUnicorn('Shadowfax', random);
    const half = fly(unicorn, 0.5, seededRandom(1)).metres;
    const two = fly(unicorn, 2, seededRandom(1)).metres;
    expect(two / half).toBeCloseTo(4, 5);
  });

  it('spreads unicorns over the area instead of one spot', () => {
    const random = seededRandom(99);
    const starts = Array.from({ length: 200 }, (_, i) => spawnUnicorn(`U${i}`, random).position);
    const distances = starts.map((p) => haversineMetres(p, DEFAULT_FLIGHT.centre));
    expect(Math.max(...distances)).toBeLessThanOrEqual(DEFAULT_FLIGHT.radiusMetres + 1);
    expect(new Set(starts.map((p) => `${p.lat.toFixed(4)},${p.lon.toFixed(4)}`)).size).toBe(200);
    // Pairs closer than 10 m are rare: a uniform spread over a 2 km disc.
    let close = 0;
    for (let i = 0; i < starts.length; i++)
      for (let j = i + 1; j < starts.length; j++) if (haversineMetres(starts[i], starts[j]) < 10) close++;
    expect(close).toBeLessThan(3);
  });

  it('is reproducible from a seed and differs between seeds', () => {
    expect(spawnUnicorn('A', seededRandom(1))).toEqual(spawnUnicorn('A', seededRandom(1)));
    expect(spawnUnicorn('A', seededRandom(1)).position).not.toEqual(
      spawnUnicorn('A', seededRandom(2)).position,
    );
  });
});
