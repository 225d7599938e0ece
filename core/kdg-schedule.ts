import { z } from 'zod';
import { DEFAULT_HOUR_RATE, type HourRate, type PeriodicRate } from './kdg-rate';

/**
 * The `datagen --periodic` schedule file: the Kinesis Data Generator's 24 × 7 grid of μ and σ
 * records per second, written by hour, range of hours, day and range of days.
 */

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function dayIndex(name: string): number {
  const lower = name.trim().toLowerCase();
  const i = DAY_NAMES.findIndex((day) => day === lower || day.slice(0, 3) === lower);
  if (i < 0) throw new Error(`"${name}" is not a day (sunday … saturday, or sun … sat)`);
  return i;
}

/** `mon`, `monday`, `mon-fri`, `sat,sun` → day indexes; a range may wrap (`fri-mon`). */
function daysOf(key: string): number[] {
  const days: number[] = [];
  for (const part of key.split(',')) {
    const [a, b] = part.split('-');
    const first = dayIndex(a);
    const last = b === undefined ? first : dayIndex(b);
    for (let d = first; ; d = (d + 1) % 7) {
      days.push(d);
      if (d === last) break;
    }
  }
  return days;
}

/** `9`, `9-17`, `0-6,22-23` → hours. */
function hoursOf(key: string): number[] {
  const hours: number[] = [];
  for (const part of key.split(',')) {
    const m = /^\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?$/.exec(part);
    const first = m ? Number(m[1]) : NaN;
    const last = m?.[2] === undefined ? first : Number(m[2]);
    if (!m || first > 23 || last > 23 || last < first) {
      throw new Error(`"${key}" is not an hour or range of hours from 0 to 23 (e.g. 9 or 9-17)`);
    }
    for (let h = first; h <= last; h++) hours.push(h);
  }
  return hours;
}

const hourRate = z.strictObject({
  mu: z.number().min(0),
  sigma: z.number().min(0),
});
const hourTable = z.record(z.string(), hourRate);

/**
 * The `--periodic` file (JSON or YAML): `default` for every cell (μ 100, σ 10 unless given),
 * `hours` by hour or range of hours for every day, `days` by day or range of days (`mon-fri`,
 * `sat,sun`), each by hour, overriding `hours`; `smoothing` (default true). Where keys overlap
 * (`9-17` and `12`, `mon-fri` and `fri`), the narrower one wins.
 */
export const periodicScheduleSchema = z.strictObject({
  smoothing: z.boolean().optional(),
  default: hourRate.optional(),
  hours: hourTable.optional(),
  days: z.record(z.string(), hourTable).optional(),
});
export type PeriodicSchedule = z.infer<typeof periodicScheduleSchema>;

/** A problem in a schedule file: the field's path and what is wrong. */
export class ScheduleError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): ScheduleError {
  const path = issue.path.map(String);
  let value: unknown = input;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  const field = path.length ? path.join('.') : '(top level)';
  const got = issue.code === 'unrecognized_keys' ? '' : `, got ${JSON.stringify(value) ?? 'nothing'}`;
  return new ScheduleError(field, `${issue.message}${got}`);
}

/** Keys and what they cover, wider first, so that where keys overlap the narrower one wins. */
function widestFirst<T>(table: Record<string, T>, at: string, cover: (key: string) => number[]) {
  return Object.entries(table)
    .map(([key, value]) => {
      try {
        return { key, value, covers: cover(key) };
      } catch (error) {
        throw new ScheduleError(`${at}.${key}`, (error as Error).message);
      }
    })
    .sort((a, b) => b.covers.length - a.covers.length);
}

function fill(week: HourRate[][], days: number[], table: Record<string, HourRate>, at: string): void {
  for (const { value, covers } of widestFirst(table, at, hoursOf)) {
    for (const d of days) for (const h of covers) week[d][h] = value;
  }
}

/** Validates a parsed schedule file and lays it out as the 7 × 24 grid. Throws ScheduleError. */
export function periodicRateFrom(input: unknown): PeriodicRate {
  const parsed = periodicScheduleSchema.safeParse(input);
  if (!parsed.success) throw describeIssue(parsed.error.issues[0], input);
  const schedule = parsed.data;
  const base = schedule.default ?? DEFAULT_HOUR_RATE;
  const week = Array.from({ length: 7 }, () => Array<HourRate>(24).fill(base));
  fill(week, [0, 1, 2, 3, 4, 5, 6], schedule.hours ?? {}, 'hours');
  for (const { key, value, covers } of widestFirst(schedule.days ?? {}, 'days', daysOf)) {
    fill(week, covers, value, `days.${key}`);
  }
  return { week, smoothing: schedule.smoothing ?? true };
}
