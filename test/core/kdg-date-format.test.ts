import { DEFAULT_LOCAL_FORMAT, DEFAULT_UTC_FORMAT, formatDate } from '#core/date-format';

// 2009-07-14T20:12:22.007Z, a Tuesday, day 195 of the year.
const T = Date.UTC(2009, 6, 14, 20, 12, 22, 7);

describe('formatDate (moment.js tokens)', () => {
  it.each([
    ['YYYY-MM-DD', '2009-07-14'],
    ['YY M D', '09 7 14'],
    ['MMMM MMM Q', 'July Jul 3'],
    ['Do DDD DDDD', '14th 195 195'],
    ['dddd ddd dd d E', 'Tuesday Tue Tu 2 2'],
    ['HH H hh h kk k A a', '20 20 08 8 20 20 PM pm'],
    ['mm m ss s', '12 12 22 22'],
    ['SSS SS S', '007 00 0'],
    ['X x', `${Math.floor(T / 1000)} ${T}`],
    ['[Today is] dddd', 'Today is Tuesday'],
    ['DD/MMM/YYYY:HH:mm:ss Z', '14/Jul/2009:20:12:22 +00:00'],
    [DEFAULT_UTC_FORMAT, '2009-07-14T20:12:22Z'],
    ['Mo Qo DDDo do', '7th 3rd 195th 2nd'],
    ['e E', '2 2'],
    ['w wo ww', '29 29th 29'],
    ['W Wo WW', '29 29th 29'],
    ['gggg gg GGGG GG', '2009 09 2009 09'],
    ['YYYYY YYYYYY Y', '02009 +002009 2009'],
    ['SSSS SSSSSS', '0070 007000'],
    ['z zz', 'UTC Coordinated Universal Time'],
    [
      'LT|LTS|L|LL|LLL|LLLL',
      '8:12 PM|8:12:22 PM|07/14/2009|July 14, 2009|July 14, 2009 8:12 PM|Tuesday, July 14, 2009 8:12 PM',
    ],
    ['l|ll|lll|llll', '7/14/2009|Jul 14, 2009|Jul 14, 2009 8:12 PM|Tue, Jul 14, 2009 8:12 PM'],
    ['[LT is] LT', 'LT is 8:12 PM'],
    ['\\YYYY \\L YYYY', 'YYYY L 2009'],
    ['[a] YYYY [b]', 'a 2009 b'],
  ])('%p in UTC gives %p', (format, expected) => {
    expect(formatDate(T, format, 'utc')).toBe(expected);
  });

  it('reads the wall clock at a fixed offset, as in the generator examples', () => {
    expect(formatDate(T, 'DD/MMM/YYYY:HH:mm:ss Z', { offsetMinutes: -7 * 60 })).toBe(
      '14/Jul/2009:13:12:22 -07:00',
    );
    expect(formatDate(T, 'YYYY-MM-DD HH:mm ZZ', { offsetMinutes: 5 * 60 + 30 })).toBe(
      '2009-07-15 01:42 +0530',
    );
    expect(formatDate(T, DEFAULT_LOCAL_FORMAT, { offsetMinutes: -5 * 60 })).toBe('2009-07-14T15:12:22-05:00');
  });

  it('uses the ordinal suffixes English uses', () => {
    const day = (d: number) => formatDate(Date.UTC(2020, 0, d), 'Do');
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31].map(day)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '31st',
    ]);
  });

  it('writes midnight and noon as moment does', () => {
    const midnight = Date.UTC(2020, 0, 1, 0, 5);
    expect(formatDate(midnight, 'h hh A k kk H')).toBe('12 12 AM 24 24 0');
    expect(formatDate(Date.UTC(2020, 0, 1, 12, 5), 'h A')).toBe('12 PM');
  });

  it('numbers weeks as moment does: English weeks from Sunday with 1 January in week 1, ISO weeks from Monday', () => {
    const fmt = (y: number, m: number, d: number) => formatDate(Date.UTC(y, m, d, 12), 'gggg-ww/GGGG-WW');
    expect(fmt(2021, 0, 1)).toBe('2021-01/2020-53'); // a Friday: ISO week 53 of 2020
    expect(fmt(2021, 0, 3)).toBe('2021-02/2020-53'); // Sunday starts English week 2
    expect(fmt(2021, 0, 4)).toBe('2021-02/2021-01');
    expect(fmt(2019, 11, 29)).toBe('2020-01/2019-52'); // the week holding 1 January 2020
    expect(fmt(2019, 11, 30)).toBe('2020-01/2020-01');
    expect(fmt(2026, 11, 31)).toBe('2027-01/2026-53');
  });

  it('writes z empty outside UTC, as moment without moment-timezone', () => {
    expect(formatDate(T, '[zone:]z', 'local')).toBe('zone:');
  });

  it('uses this machine zone for local time', () => {
    const local = new Date(T);
    expect(formatDate(T, 'D H m', 'local')).toBe(
      `${local.getDate()} ${local.getHours()} ${local.getMinutes()}`,
    );
  });
});
