import {
  DEFAULT_HOUR_RATE,
  hourRateAt,
  normalDraw,
  recordsForDraw,
  recordsInSecond,
  simulatedSeconds,
  type PeriodicRate,
} from '#core/kdg-rate';
import { periodicRateFrom, ScheduleError } from '#core/kdg-schedule';
import { newFaker } from '#core/kdg-template';

// 2026-11-22 is a Sunday.
const SUNDAY = Date.UTC(2026, 10, 22);
const at = (day: number, hour: number, minute = 0, second = 0) =>
  SUNDAY + ((day * 24 + hour) * 60 + minute) * 60_000 + second * 1000;

/** A week whose cell (day, hour) has μ = 100·day + hour and σ = hour. */
function numberedWeek(smoothing: boolean): PeriodicRate {
  return {
    smoothing,
    week: Array.from({ length: 7 }, (_, d) =>
      Array.from({ length: 24 }, (_, h) => ({ mu: 100 * d + h, sigma: h })),
    ),
  };
}

const uniform = () => {
  const faker = newFaker(7);
  return () => faker.number.float({ min: 0, max: 1 });
};

describe('periodic rate: μ and σ by hour of day and day of week', () => {
  it('uses the hour cell of the day, Sunday first, without smoothing', () => {
    const week = numberedWeek(false);
    expect(hourRateAt(week, at(0, 0), 'utc')).toEqual({ mu: 0, sigma: 0 });
    expect(hourRateAt(week, at(1, 9, 59, 59), 'utc')).toEqual({ mu: 109, sigma: 9 });
    expect(hourRateAt(week, at(6, 23, 30), 'utc')).toEqual({ mu: 623, sigma: 23 });
  });

  it('with linear smoothing: the cell at the top of the hour, moving in a line to the next hour', () => {
    const week = numberedWeek(true);
    expect(hourRateAt(week, at(2, 10), 'utc')).toEqual({ mu: 210, sigma: 10 });
    expect(hourRateAt(week, at(2, 10, 30), 'utc')).toEqual({ mu: 210.5, sigma: 10.5 });
    expect(hourRateAt(week, at(2, 10, 45), 'utc')).toEqual({ mu: 210.75, sigma: 10.75 });
    expect(hourRateAt(week, at(2, 10, 59, 59), 'utc').mu).toBeCloseTo(211, 3);
    // 23:00 leads to the next day's 0:00, and Saturday to Sunday.
    expect(hourRateAt(week, at(2, 23, 30), 'utc')).toEqual({ mu: (223 + 300) / 2, sigma: 23 / 2 });
    expect(hourRateAt(week, at(6, 23, 30), 'utc')).toEqual({ mu: 623 / 2, sigma: 23 / 2 });
  });

  it('reads hour and day in this machine zone by default, as the generator reads the browser clock', () => {
    const week = numberedWeek(false);
    const t = at(3, 15, 10);
    const local = new Date(t);
    expect(hourRateAt(week, t)).toEqual({
      mu: 100 * local.getDay() + local.getHours(),
      sigma: local.getHours(),
    });
  });

  it('sends every whole record up to the draw, none for a draw of 0 or less', () => {
    expect([99.3, 99, 0.01, 0, -3].map(recordsForDraw)).toEqual([100, 99, 1, 0, 0]);
  });

  it('draws from N(μ, σ): mean and standard deviation as configured', () => {
    const next = uniform();
    const draws = Array.from({ length: 20_000 }, () => normalDraw(100, 10, next));
    const mean = draws.reduce((a, b) => a + b) / draws.length;
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length);
    expect(mean).toBeGreaterThan(99.7);
    expect(mean).toBeLessThan(100.3);
    expect(sd).toBeGreaterThan(9.7);
    expect(sd).toBeLessThan(10.3);
    // About 68 % within one σ.
    expect(draws.filter((d) => Math.abs(d - 100) < 10).length / draws.length).toBeCloseTo(0.68, 1);
  });

  it('counts records per second: σ 0 gives exactly ⌈μ⌉, and the draw varies around μ otherwise', () => {
    const flat: PeriodicRate = {
      smoothing: false,
      week: Array.from({ length: 7 }, () => Array(24).fill({ mu: 12.5, sigma: 0 })),
    };
    const next = uniform();
    expect(recordsInSecond({ kind: 'periodic', periodic: flat }, at(0, 1), 0, next, 'utc')).toBe(13);
    const week = numberedWeek(false);
    const counts = Array.from({ length: 2000 }, (_, i) =>
      recordsInSecond({ kind: 'periodic', periodic: week }, at(5, 20), i, next, 'utc'),
    );
    const mean = counts.reduce((a, b) => a + b) / counts.length;
    expect(mean).toBeGreaterThan(520 + 0.5 - 1.5);
    expect(mean).toBeLessThan(520 + 0.5 + 1.5);
    expect(Math.min(...counts)).toBeLessThan(520 - 20);
  });

  it('constant rate: the same count every second; a fraction spread so n seconds hold floor(n × rate)', () => {
    const next = uniform();
    const counts = (rate: number, n: number) =>
      Array.from({ length: n }, (_, i) =>
        recordsInSecond({ kind: 'constant', recordsPerSecond: rate }, 0, i, next),
      );
    expect(counts(100, 3)).toEqual([100, 100, 100]);
    expect(counts(0.5, 4)).toEqual([0, 1, 0, 1]);
    expect(counts(2.5, 4)).toEqual([2, 3, 2, 3]);
  });

  it('simulates every second of a range, both ends included', () => {
    expect([...simulatedSeconds(at(0, 0), at(0, 0, 0, 3))]).toEqual([0, 1, 2, 3].map((s) => at(0, 0, 0, s)));
    expect([...simulatedSeconds(at(0, 0, 0, 1), at(0, 0))]).toEqual([]);
  });
});

describe('the --periodic schedule file', () => {
  it('defaults every cell to the generator form values, smoothing on', () => {
    const rate = periodicRateFrom({});
    expect(rate.smoothing).toBe(true);
    expect(rate.week).toHaveLength(7);
    expect(rate.week.every((day) => day.length === 24 && day.every((c) => c === DEFAULT_HOUR_RATE))).toBe(
      true,
    );
    expect(DEFAULT_HOUR_RATE).toEqual({ mu: 100, sigma: 10 });
  });

  it('lays out default, hours for every day, then days overriding them, with ranges', () => {
    const rate = periodicRateFrom({
      smoothing: false,
      default: { mu: 5, sigma: 1 },
      hours: { '9-17': { mu: 50, sigma: 5 }, '12': { mu: 80, sigma: 8 } },
      days: { 'sat,sun': { '0-23': { mu: 2, sigma: 0 } }, friday: { '17-18,22': { mu: 90, sigma: 9 } } },
    });
    expect(rate.smoothing).toBe(false);
    expect(rate.week[1][8]).toEqual({ mu: 5, sigma: 1 });
    expect(rate.week[1][9]).toEqual({ mu: 50, sigma: 5 });
    expect(rate.week[3][12]).toEqual({ mu: 80, sigma: 8 });
    expect(rate.week[5][17]).toEqual({ mu: 90, sigma: 9 });
    expect(rate.week[5][22]).toEqual({ mu: 90, sigma: 9 });
    expect(rate.week[5][16]).toEqual({ mu: 50, sigma: 5 });
    expect(rate.week[0].every((c) => c.mu === 2) && rate.week[6].every((c) => c.mu === 2)).toBe(true);
  });

  it('lets the narrower of overlapping day keys win, whatever their order', () => {
    const rate = periodicRateFrom({
      days: { fri: { '8': { mu: 1, sigma: 0 } }, 'mon-fri': { '8': { mu: 2, sigma: 0 } } },
    });
    expect([1, 4, 5].map((d) => rate.week[d][8].mu)).toEqual([2, 2, 1]);
  });

  it('accepts day ranges that wrap the week, and three-letter names', () => {
    const rate = periodicRateFrom({ days: { 'fri-mon': { '3': { mu: 1, sigma: 0 } } } });
    expect([0, 1, 2, 3, 4, 5, 6].map((d) => rate.week[d][3].mu)).toEqual([1, 1, 100, 100, 100, 1, 1]);
  });

  it.each([
    [{ smoothing: 'yes' }, 'smoothing', /expected boolean/],
    [{ default: { mu: -1, sigma: 1 } }, 'default.mu', /too small.*got -1/i],
    [{ hours: { '9': { mu: 1 } } }, 'hours.9.sigma', /expected number.*got nothing/],
    [{ hours: { '9': { mu: 1, sigma: 1, peak: 2 } } }, 'hours.9', /unrecognized key.*peak/i],
    [{ hours: { '25': { mu: 1, sigma: 1 } } }, 'hours.25', /not an hour or range of hours from 0 to 23/],
    [{ hours: { '17-9': { mu: 1, sigma: 1 } } }, 'hours.17-9', /not an hour/],
    [{ days: { funday: { '1': { mu: 1, sigma: 1 } } } }, 'days.funday', /"funday" is not a day/],
    [{ weeks: {} }, '(top level)', /unrecognized key.*weeks/i],
  ])('rejects %p at %s', (input, field, reason) => {
    try {
      periodicRateFrom(input);
    } catch (error) {
      expect(error).toBeInstanceOf(ScheduleError);
      expect((error as ScheduleError).field).toBe(field);
      expect((error as ScheduleError).reason).toMatch(reason);
      return;
    }
    throw new Error('accepted');
  });
});
