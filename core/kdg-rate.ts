/**
 * The Kinesis Data Generator's two send rates, as pure functions of a (real or simulated) second:
 *
 * - **Constant**: the same number of records every second.
 * - **Periodic**: a mean μ and standard deviation σ for every hour of every day of the week
 *   (the generator's 24 × 7 grid of "Mu" and "Sigma", local time, Sunday first). Each second's
 *   count is drawn from the normal distribution N(μ, σ) (Marsaglia's polar method, as the
 *   generator draws it) and the generator sends that many records: every whole record up to the
 *   draw, so a draw of 99.3 sends 100 and a draw of 0 or less sends none. With linear smoothing,
 *   μ and σ move in a straight line from this hour's values at the top of the hour to the next
 *   hour's values at the top of the next (Saturday 23:00 leads to Sunday 0:00), as the
 *   generator's help page describes it.
 *
 * The generator's form defaults every cell to μ 100, σ 10 with smoothing on; so do these.
 */

export interface HourRate {
  /** Mean records per second. */
  readonly mu: number;
  /** Standard deviation of records per second. */
  readonly sigma: number;
}

export interface PeriodicRate {
  /** `week[day][hour]`, day 0 = Sunday, hour 0–23, in the zone the seconds are read in. */
  readonly week: readonly (readonly HourRate[])[];
  /** Linear smoothing between hours. @default true */
  readonly smoothing: boolean;
}

/** How many records each second gets. */
export type RateMode =
  | { readonly kind: 'constant'; readonly recordsPerSecond: number }
  | { readonly kind: 'periodic'; readonly periodic: PeriodicRate };

/** The generator form's value for every cell. */
export const DEFAULT_HOUR_RATE: HourRate = { mu: 100, sigma: 10 };

/** Where hour of day and day of week are read: this machine's zone (as the generator) or UTC. */
export type RateZone = 'local' | 'utc';

function wallClock(ms: number, zone: RateZone) {
  const d = new Date(ms);
  return zone === 'utc'
    ? { day: d.getUTCDay(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() }
    : { day: d.getDay(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() };
}

/** μ and σ in force at `ms`: the hour's cell, or with smoothing the line towards the next hour's. */
export function hourRateAt(periodic: PeriodicRate, ms: number, zone: RateZone = 'local'): HourRate {
  const { day, hour, minute, second } = wallClock(ms, zone);
  const here = periodic.week[day][hour];
  if (!periodic.smoothing) return here;
  const next = hour === 23 ? periodic.week[(day + 1) % 7][0] : periodic.week[day][hour + 1];
  const f = (minute * 60 + second) / 3600;
  return { mu: here.mu + (next.mu - here.mu) * f, sigma: here.sigma + (next.sigma - here.sigma) * f };
}

/**
 * A draw from N(mu, sigma) by Marsaglia's polar method, from uniform numbers in [0, 1).
 */
export function normalDraw(mu: number, sigma: number, uniform: () => number): number {
  for (;;) {
    const u = 2 * uniform() - 1;
    const v = 2 * uniform() - 1;
    const r2 = u * u + v * v;
    if (r2 > 0 && r2 < 1) return mu + sigma * v * Math.sqrt((-2 * Math.log(r2)) / r2);
  }
}

/** The records a draw stands for: every whole record up to it (99.3 → 100), none below 0. */
export const recordsForDraw = (draw: number): number => Math.max(0, Math.ceil(draw - 1e-9));

/**
 * How many records the second starting at `ms` gets. `index` counts the seconds of the run from 0;
 * a constant rate below one record per second (or with a fraction) is spread so that after n
 * seconds floor(n × rate) records have been sent.
 */
export function recordsInSecond(
  mode: RateMode,
  ms: number,
  index: number,
  uniform: () => number,
  zone: RateZone = 'local',
): number {
  if (mode.kind === 'constant') {
    const rate = mode.recordsPerSecond;
    return Math.floor(rate * (index + 1) + 1e-9) - Math.floor(rate * index + 1e-9);
  }
  const { mu, sigma } = hourRateAt(mode.periodic, ms, zone);
  return recordsForDraw(sigma === 0 ? mu : normalDraw(mu, sigma, uniform));
}

/** Every simulated second from `from` to `to`, both included, as milliseconds since the epoch. */
export function* simulatedSeconds(from: number, to: number): Generator<number> {
  for (let t = from; t <= to; t += 1000) yield t;
}
