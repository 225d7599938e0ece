/**
 * Date formatting with moment.js format tokens, as the Kinesis Data Generator's `date.now("…")`,
 * `date.utc("…")` and `date.simTime` use them (the generator loads moment.js 2.17 with its English
 * locale): `YYYY-MM-DD HH:mm:ss`, `DD/MMM/YYYY:HH:mm:ss Z`, `dddd, MMMM Do YYYY, h:mm:ss a`, …
 *
 * Tokens: YYYYYY YYYYY YYYY YY Y, Q Qo, MMMM MMM MM Mo M, DDDD DDDo DDD DD Do D, dddd ddd dd do d
 * e E, ww wo w (English weeks: Sunday first, week 1 holds 1 January), WW Wo W (ISO weeks),
 * ggggg gggg gg, GGGGG GGGG GG (their week years), HH H hh h kk k mm m ss s, S to SSSSSSSSS,
 * A a, ZZ Z, z zz (`UTC` and `Coordinated Universal Time` in UTC, empty otherwise, as moment
 * without moment-timezone), X x, the
 * English long formats LTS LT LLLL LLL LL L llll lll ll l, `[literal text]`, and `\` before a
 * token to print it as it is. Any other character is printed as it is, as moment prints it.
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

/** moment's English long date formats. */
const LONG_FORMATS: Readonly<Record<string, string>> = {
  LTS: 'h:mm:ss A',
  LT: 'h:mm A',
  LLLL: 'dddd, MMMM D, YYYY h:mm A',
  LLL: 'MMMM D, YYYY h:mm A',
  LL: 'MMMM D, YYYY',
  L: 'MM/DD/YYYY',
  llll: 'ddd, MMM D, YYYY h:mm A',
  lll: 'MMM D, YYYY h:mm A',
  ll: 'MMM D, YYYY',
  l: 'M/D/YYYY',
};
const LONG = /(\[[^[]*\])|(\\)?(LTS|LT|LLLL|LLL|LL|L|llll|lll|ll|l)/g;

/** Brackets (moment's own rule), an optional backslash, then the longest token, else one character. */
const TOKENS =
  /(\[[^[]*\])|(\\)?(Mo|MMMM|MMM|MM|M|Do|DDDo|DDDD|DDD|DD|D|dddd|ddd|do|dd|d|wo|ww|w|Wo|WW|W|Qo|Q|YYYYYY|YYYYY|YYYY|YY|Y|ggggg|gggg|gg|GGGGG|GGGG|GG|e|E|a|A|hh|h|HH|H|kk|k|mm|m|ss|s|S{1,9}|x|X|zz|z|ZZ|Z|[\s\S])/g;

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
const signedPad = (n: number, width: number) => `${n < 0 ? '-' : ''}${pad(n, width)}`;

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

const DAY_MS = 86_400_000;

/**
 * The week and week-year of a calendar day (as UTC midnight), for weeks starting on `firstDay`
 * whose week 1 is the one holding January `anchor`: Sunday and 1 January for moment's English
 * weeks, Monday and 4 January for ISO 8601 weeks.
 */
export function weekOf(day: number, firstDay: number, anchor: number): { week: number; year: number } {
  const startOfWeek = (t: number) => t - ((new Date(t).getUTCDay() - firstDay + 7) % 7) * DAY_MS;
  const firstWeek = (year: number) => startOfWeek(Date.UTC(year, 0, anchor));
  const year = new Date(day).getUTCFullYear();
  for (const candidate of [year + 1, year, year - 1]) {
    const start = firstWeek(candidate);
    if (day >= start) return { week: Math.floor((day - start) / (7 * DAY_MS)) + 1, year: candidate };
  }
  /* c8 ignore next */
  throw new Error('unreachable');
}

interface Fields {
  readonly ms: number;
  readonly zone: Zone;
  readonly offset: number;
  readonly d: Date;
}

function dateToken(token: string, { d }: Fields): string | undefined {
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const date = d.getUTCDate();
  const day = d.getUTCDay();
  const midnight = Date.UTC(year, month, date);
  const dayOfYear = Math.floor((midnight - Date.UTC(year, 0, 1)) / DAY_MS) + 1;
  const local = () => weekOf(midnight, 0, 1);
  const iso = () => weekOf(midnight, 1, 4);
  const table: Record<string, () => string> = {
    YYYYYY: () => `${year < 0 ? '-' : '+'}${pad(year, 6)}`,
    YYYYY: () => signedPad(year, 5),
    YYYY: () => signedPad(year, 4),
    YY: () => pad(year % 100),
    Y: () => (year <= 9999 ? String(year) : `+${year}`),
    Q: () => String(Math.floor(month / 3) + 1),
    Qo: () => ordinal(Math.floor(month / 3) + 1),
    MMMM: () => MONTHS[month],
    MMM: () => MONTHS[month].slice(0, 3),
    MM: () => pad(month + 1),
    Mo: () => ordinal(month + 1),
    M: () => String(month + 1),
    DDDD: () => pad(dayOfYear, 3),
    DDDo: () => ordinal(dayOfYear),
    DDD: () => String(dayOfYear),
    DD: () => pad(date),
    Do: () => ordinal(date),
    D: () => String(date),
    dddd: () => DAYS[day],
    ddd: () => DAYS[day].slice(0, 3),
    dd: () => DAYS[day].slice(0, 2),
    do: () => ordinal(day),
    d: () => String(day),
    e: () => String(day),
    E: () => String(day === 0 ? 7 : day),
    ww: () => pad(local().week),
    wo: () => ordinal(local().week),
    w: () => String(local().week),
    WW: () => pad(iso().week),
    Wo: () => ordinal(iso().week),
    W: () => String(iso().week),
    ggggg: () => signedPad(local().year, 5),
    gggg: () => signedPad(local().year, 4),
    gg: () => pad(local().year % 100),
    GGGGG: () => signedPad(iso().year, 5),
    GGGG: () => signedPad(iso().year, 4),
    GG: () => pad(iso().year % 100),
  };
  return table[token]?.();
}

function timeToken(token: string, { ms, zone, offset, d }: Fields): string | undefined {
  const hours = d.getUTCHours();
  const hours12 = hours % 12 === 0 ? 12 : hours % 12;
  const millis = d.getUTCMilliseconds();
  if (/^S+$/.test(token)) {
    return token.length <= 3
      ? pad(Math.floor(millis / 10 ** (3 - token.length)), token.length)
      : pad(millis, 3) + '0'.repeat(token.length - 3);
  }
  const table: Record<string, () => string> = {
    HH: () => pad(hours),
    H: () => String(hours),
    hh: () => pad(hours12),
    h: () => String(hours12),
    kk: () => pad(hours === 0 ? 24 : hours),
    k: () => String(hours === 0 ? 24 : hours),
    mm: () => pad(d.getUTCMinutes()),
    m: () => String(d.getUTCMinutes()),
    ss: () => pad(d.getUTCSeconds()),
    s: () => String(d.getUTCSeconds()),
    A: () => (hours < 12 ? 'AM' : 'PM'),
    a: () => (hours < 12 ? 'am' : 'pm'),
    ZZ: () => formatOffset(offset, ''),
    Z: () => formatOffset(offset, ':'),
    zz: () => (zone === 'utc' ? 'Coordinated Universal Time' : ''),
    z: () => (zone === 'utc' ? 'UTC' : ''),
    X: () => String(Math.floor(ms / 1000)),
    x: () => String(ms),
  };
  return table[token]?.();
}

/** Formats `ms` (milliseconds since the epoch) with a moment.js format string. */
export function formatDate(ms: number, format: string, zone: Zone = 'utc'): string {
  const offset = offsetOf(ms, zone);
  // The wall-clock fields in the zone are the UTC fields of the shifted instant.
  const fields: Fields = { ms, zone, offset, d: new Date(ms + offset * 60_000) };
  const expanded = format.replace(
    LONG,
    (match, literal: string | undefined, escaped: string | undefined, long: string) =>
      literal !== undefined || escaped !== undefined ? match : LONG_FORMATS[long],
  );
  return expanded.replace(
    TOKENS,
    (_match, literal: string | undefined, escaped: string | undefined, token: string) => {
      if (literal !== undefined) return literal.slice(1, -1);
      if (escaped !== undefined) return token;
      return dateToken(token, fields) ?? timeToken(token, fields) ?? token;
    },
  );
}
