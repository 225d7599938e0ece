/**
 * The workshop prints times as `2017-06-05 09:17:08.189` (UTC, millisecond precision, a space
 * instead of `T`). Records and summaries carry that form; these helpers convert it.
 */

const STATUS_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;

export function formatStatusTime(time: Date | number): string {
  const iso = new Date(time).toISOString(); // 2017-06-05T09:17:08.189Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * Milliseconds since the epoch, or undefined when `text` is not a valid status time (a real
 * calendar date and time of day). Every record passes through here, so the fields are checked
 * arithmetically rather than by formatting the result back.
 */
export function parseStatusTime(text: string): number | undefined {
  const m = STATUS_TIME.exec(text);
  if (!m) return undefined;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const hour = +m[4];
  const minute = +m[5];
  const second = +m[6];
  // Years below 100 would be read by Date.UTC as 19xx.
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (day > (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1])) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, +m[7]);
}
