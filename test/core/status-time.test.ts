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

  it.each([
    '2017-06-05T09:17:08.189Z',
    '2017-06-05 09:17:08',
    '2017-13-05 09:17:08.189',
    '2017-02-30 00:00:00.000',
    '',
  ])('rejects %p', (text) => expect(parseStatusTime(text)).toBeUndefined());
});
