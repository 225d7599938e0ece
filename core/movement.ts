import { bearingDegrees, destination, haversineMetres, type Position } from './geo';
import { formatStatusTime } from './status-time';
import { roundDistance, type UnicornStatus } from './telemetry';

/** A uniform random number in [0, 1). Injected so that paths are reproducible in tests. */
export type Random = () => number;

/** Mulberry32: a small, fast, seedable generator, plenty for simulated flight paths. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FlightSettings {
  /** Where unicorns gather: the workshop flies from midtown Manhattan. */
  readonly centre: Position;
  /** Unicorns start anywhere within this distance of the centre, and turn back beyond twice it. */
  readonly radiusMetres: number;
  /** Cruising speed; each unicorn varies within ±15%. The workshop's unicorns fly ~30 m/s. */
  readonly speedMps: number;
  /** Magic and health points start near this and drift within [min, max]. */
  readonly pointsStart: number;
  readonly pointsMin: number;
  readonly pointsMax: number;
}

export const DEFAULT_FLIGHT: FlightSettings = {
  centre: { lat: 40.7549, lon: -73.984 }, // Times Square / Bryant Park
  radiusMetres: 2_000,
  speedMps: 30,
  pointsStart: 150,
  pointsMin: 100,
  pointsMax: 200,
};

/** The workshop's unicorns: the first is the producer's default, the rest make up a local fleet. */
export const UNICORN_NAMES = [
  'Shadowfax',
  'Bucephalus',
  'Rocinante',
  'Pegasus',
  'Epona',
  'Artax',
  'Silver',
  'Trigger',
] as const;

/** How the fleet names its unicorns past the workshop's own names. */
const numberedName = (n: number) => `Unicorn-${n}`;

/** Names for a fleet of `n`: the workshop's names first, then `Unicorn-9`, `Unicorn-10`, ... */
export function fleetNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => UNICORN_NAMES[i] ?? numberedName(i + 1));
}

/** Whether a fleet of any size flies a unicorn named `name`. */
export function isFleetName(name: string): boolean {
  const numbered = /^Unicorn-([1-9]\d*)$/.exec(name);
  return (
    (UNICORN_NAMES as readonly string[]).includes(name) ||
    (numbered !== null && Number(numbered[1]) > UNICORN_NAMES.length)
  );
}

/**
 * A unicorn of your own, for examples beside a running fleet (the local run's banner): one no
 * fleet flies, so its records make a summary of their own instead of merging into a fleet unicorn's.
 */
export const OWN_UNICORN_NAME = 'Starlight';

export interface Unicorn {
  readonly name: string;
  readonly position: Position;
  /** Degrees clockwise from north. */
  readonly heading: number;
  readonly speedMps: number;
  readonly magicPoints: number;
  readonly healthPoints: number;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** A unicorn at a random spot near the centre, heading anywhere, with points near the start value. */
export function spawnUnicorn(name: string, random: Random, flight: FlightSettings = DEFAULT_FLIGHT): Unicorn {
  // sqrt gives a uniform spread over the disc rather than a crowd at the centre.
  const position = destination(flight.centre, random() * 360, flight.radiusMetres * Math.sqrt(random()));
  return {
    name,
    position,
    heading: random() * 360,
    speedMps: flight.speedMps * (0.85 + 0.3 * random()),
    magicPoints: Math.round(flight.pointsStart + (random() - 0.5) * 10),
    healthPoints: Math.round(flight.pointsStart + (random() - 0.5) * 10),
  };
}

/** Turns toward `target` by at most `maxTurn` degrees. */
function steer(heading: number, target: number, maxTurn: number): number {
  const diff = ((target - heading + 540) % 360) - 180;
  return (heading + clamp(diff, -maxTurn, maxTurn) + 360) % 360;
}

/**
 * Moves a unicorn forward by `seconds`: a smooth wander (a few degrees of turn per second),
 * curving back toward the centre when it strays too far, so paths are continuous and stay in
 * the neighbourhood. Returns the new unicorn and the metres flown, which is the great-circle
 * distance between the two positions.
 */
export function fly(
  unicorn: Unicorn,
  seconds: number,
  random: Random,
  flight: FlightSettings = DEFAULT_FLIGHT,
): { unicorn: Unicorn; metres: number } {
  let heading = (unicorn.heading + (random() - 0.5) * 20 * Math.min(seconds, 1) + 360) % 360;
  if (haversineMetres(unicorn.position, flight.centre) > 2 * flight.radiusMetres) {
    heading = steer(heading, bearingDegrees(unicorn.position, flight.centre), 30 * seconds);
  }
  const position = destination(unicorn.position, heading, unicorn.speedMps * seconds);
  const drift = (points: number) =>
    clamp(
      points + Math.round((random() - 0.5) * 4 * Math.min(seconds, 1)),
      flight.pointsMin,
      flight.pointsMax,
    );
  return {
    unicorn: {
      ...unicorn,
      position,
      heading,
      magicPoints: drift(unicorn.magicPoints),
      healthPoints: drift(unicorn.healthPoints),
    },
    metres: haversineMetres(unicorn.position, position),
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The status record a unicorn reports after flying `metres` since its last report. Positions
 * are rounded to 6 decimals (about 0.1 m) and Distance to the centimetre, for readable output.
 */
export function statusOf(unicorn: Unicorn, metres: number, time: Date | number): UnicornStatus {
  return {
    Name: unicorn.name,
    StatusTime: formatStatusTime(time),
    Latitude: round(unicorn.position.lat, 6),
    Longitude: round(unicorn.position.lon, 6),
    Distance: roundDistance(metres),
    MagicPoints: unicorn.magicPoints,
    HealthPoints: unicorn.healthPoints,
  };
}
