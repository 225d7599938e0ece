/**
 * Date formatting with moment.js format tokens, as the Kinesis Data Generator's `date.now("…")`
 * and `date.utc("…")` templates use them (`YYYY-MM-DD HH:mm:ss`, `DD/MMM/YYYY:HH:mm:ss Z`, …).
 *
 * Supported tokens: YYYY YY Q MMMM MMM MM M Do DDDD DDD DD D dddd ddd dd d E HH H hh h kk k mm m
 * ss s SSS SS S A a ZZ Z X x, and `[literal text]`. Any other character is printed as it is,
 * as moment prints it.
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Where the wall-clock fields are read: UTC, this machine's zone, or a fixed offset. */
export type Zone = 'utc' | 'local' | { readonly offsetMinutes: number };

/** moment().format() with no argument: local time with its offset. */
export const DEFAULT_LOCAL_FORMAT = 'YYYY-MM-DDTHH:mm:ssZ';
/** moment.utc().format() with no argument. */
export const DEFAULT_UTC_FORMAT = 'YYYY-MM-DDTHH:mm:ss[Z]';

const TOKENS =
  /\[([^\]]*)]|YYYY|YY|Q|MMMM|MMM|MM|M|Do|DDDD|DDD|DD|D|dddd|ddd|dd|d|E|HH|H|hh|h|kk|k|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|X|x/g;

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

function offsetOf(ms: number, zone: Zone): number {
  if (zone === 'utc') return 0;
  if (zone === 'local') return -new Date(ms).getTimezoneOffset();
  return zone.offsetMinutes;
}

function formatOffset(minutes: number, separator: string): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}${separator}${pad(Math.abs(minutes) % 60)}`;
}

/** Formats `ms` (milliseconds since the epoch) with a moment.js format string. */
export function formatDate(ms: number, format: string, zone: Zone = 'utc'): string {
  const offset = offsetOf(ms, zone);
  // The wall-clock fields in the zone are the UTC fields of the shifted instant.
  const d = new Date(ms + offset * 60_000);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const date = d.getUTCDate();
  const day = d.getUTCDay();
  const hours = d.getUTCHours();
  const hours12 = hours % 12 === 0 ? 12 : hours % 12;
  const dayOfYear = Math.floor((Date.UTC(year, month, date) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  const millis = d.getUTCMilliseconds();
  return format.replace(TOKENS, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY':
        return pad(year, 4);
      case 'YY':
        return pad(year % 100);
      case 'Q':
        return String(Math.floor(month / 3) + 1);
      case 'MMMM':
        return MONTHS[month];
      case 'MMM':
        return MONTHS[month].slice(0, 3);
      case 'MM':
        return pad(month + 1);
      case 'M':
        return String(month + 1);
      case 'Do':
        return ordinal(date);
      case 'DDDD':
        return pad(dayOfYear, 3);
      case 'DDD':
        return String(dayOfYear);
      case 'DD':
        return pad(date);
      case 'D':
        return String(date);
      case 'dddd':
        return DAYS[day];
      case 'ddd':
        return DAYS[day].slice(0, 3);
      case 'dd':
        return DAYS[day].slice(0, 2);
      case 'd':
        return String(day);
      case 'E':
        return String(day === 0 ? 7 : day);
      case 'HH':
        return pad(hours);
      case 'H':
        return String(hours);
      case 'hh':
        return pad(hours12);
      case 'h':
        return String(hours12);
      case 'kk':
        return pad(hours === 0 ? 24 : hours);
      case 'k':
        return String(hours === 0 ? 24 : hours);
      case 'mm':
        return pad(d.getUTCMinutes());
      case 'm':
        return String(d.getUTCMinutes());
      case 'ss':
        return pad(d.getUTCSeconds());
      case 's':
        return String(d.getUTCSeconds());
      case 'SSS':
        return pad(millis, 3);
      case 'SS':
        return pad(Math.floor(millis / 10));
      case 'S':
        return String(Math.floor(millis / 100));
      case 'A':
        return hours < 12 ? 'AM' : 'PM';
      case 'a':
        return hours < 12 ? 'am' : 'pm';
      case 'ZZ':
        return formatOffset(offset, '');
      case 'Z':
        return formatOffset(offset, ':');
      case 'X':
        return String(Math.floor(ms / 1000));
      default: // 'x'
        return String(ms);
    }
  });
}
