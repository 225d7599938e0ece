import { formatStatusTime, parseStatusTime } from '#core/status-time';

describe('status time', () => {
  it('formats as the workshop prints it, in UTC with milliseconds', () => {
    expect(formatStatusTime(Date.UTC(2017, 5, 5, 9, 17, 8, 189))).toBe('2017-06-05 09:17:08.189');
    expect(formatStatusTime(new Date('2017-06-05T09:17:00Z'))).toBe('2017-06-05 09:17:00.000');
  });

  it('parses its own output back to the same instant', () => {
    const ms = Date.UTC(2024, 1, 29, 23, 59, 59, 999);
    expect(parseStatusTime(formatStatusTime(ms))).toBe(ms);
  });

  it('agrees with the formatter for every day of a leap year and a common year', () => {
    for (const year of [2023, 2024, 2000]) {
      for (let t = Date.UTC(year, 0, 1, 13, 7, 5, 42); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
        expect(parseStatusTime(formatStatusTime(t))).toBe(t);
      }
    }
    expect(parseStatusTime('2000-02-29 00:00:00.000')).toBe(Date.UTC(2000, 1, 29));
  });

  it.each([
    '2017-06-05T09:17:08.189Z',
    '2017-06-05 09:17:08',
    '2017-13-05 09:17:08.189',
    '2017-02-30 00:00:00.000',
    '2023-02-29 00:00:00.000',
    '1900-02-29 00:00:00.000',
    '2017-06-05 24:00:00.000',
    '2017-06-05 09:60:00.000',
    '2017-06-05 09:17:60.000',
    '2017-00-05 09:17:08.189',
    '2017-06-00 09:17:08.189',
    '0050-06-05 09:17:08.189',
    '',
  ])('rejects %p', (text) => expect(parseStatusTime(text)).toBeUndefined());
});
