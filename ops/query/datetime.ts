import {
  accepts,
  arity,
  badArguments,
  cast,
  integer,
  literalArgument,
  quote,
  same,
  toDouble,
  varchar,
  type Translate,
  type Typed,
} from './call';
import { SqlError, UnsupportedError } from './errors';
import {
  BIGINT,
  DATE,
  DOUBLE,
  duckType,
  isTemporal,
  timestamp,
  timestampType,
  UNKNOWN,
  VARCHAR,
  type SqlType,
} from './types';

/**
 * Athena's date and time functions, translated. The session time zone is UTC, as in Athena;
 * timestamps keep Trino's precision (milliseconds from the parsing functions), and MySQL-style
 * formats (`date_parse`, `date_format`) become DuckDB's strftime formats.
 */

/** Rounds a DuckDB timestamp to Trino's precision p (0, 3 or 6 digits of a second). */
export function roundTimestamp(sql: string, precision: number): string {
  if (precision === 6) return sql;
  if (precision === 3) return `date_trunc('millisecond', (${sql}) + INTERVAL 500 MICROSECOND)`;
  if (precision === 0) return `date_trunc('second', (${sql}) + INTERVAL 500000 MICROSECOND)`;
  throw new UnsupportedError(`timestamp(${precision})`, 'it keeps timestamps of 0, 3 or 6 digits');
}

/** MySQL format specifiers (as Trino reads them) and their DuckDB strftime equivalents. */
const SPECIFIERS: Record<string, string | undefined> = {
  a: '%a',
  b: '%b',
  c: '%-m',
  d: '%d',
  e: '%-d',
  f: '%f',
  H: '%H',
  h: '%I',
  I: '%I',
  i: '%M',
  j: '%j',
  k: '%-H',
  l: '%-I',
  M: '%B',
  m: '%m',
  p: '%p',
  r: '%I:%M:%S %p',
  S: '%S',
  s: '%S',
  T: '%H:%M:%S',
  W: '%A',
  Y: '%Y',
  y: '%y',
  '%': '%%',
};

/** A Trino (MySQL-style) date format as a DuckDB strftime/strptime format. */
export function duckFormat(format: string, parsing: boolean): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const spec = format[++i];
    if (spec === undefined) throw new SqlError('A date format cannot end with %');
    const duck = SPECIFIERS[spec];
    // Trino reads two-digit years as 1970-2069, DuckDB as 1969-2068.
    if (duck === undefined || (parsing && spec === 'y')) {
      throw new UnsupportedError(`the date format specifier %${spec}${parsing ? ' in date_parse()' : ''}`);
    }
    out += duck;
  }
  return out;
}

const temporal = (t: SqlType) => isTemporal(t);
const isTimestamp = (t: SqlType) => timestampType(t) !== undefined;

function unitArgument(name: string, arg: Typed, allowed: readonly string[]): string {
  const unit = literalArgument(
    { name, distinct: false, star: false, note: () => undefined },
    arg,
    'unit',
  ).toLowerCase();
  if (!allowed.includes(unit)) {
    throw new UnsupportedError(`${name}() with the unit '${unit}'`, `it takes ${allowed.join(', ')}`);
  }
  return unit;
}

const DATE_UNITS = ['day', 'week', 'month', 'quarter', 'year'];
const TIME_UNITS = ['millisecond', 'second', 'minute', 'hour'];
const FIXED_MS: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

const ISO_UTC = `'^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?)?(Z|[+-]00(:?00)?)?$'`;
const ISO_ZONED = `'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?[+-]\\d{2}(:?\\d{2})?$'`;

/** How a timestamp prints in Trino, at its precision (and with the UTC zone). */
export function timestampText(sql: string, type: SqlType): string {
  const ts = timestampType(type)!;
  const fraction = ts.precision === 0 ? '' : ts.precision === 3 ? '.%g' : '.%f';
  return `strftime(${sql}, '%Y-%m-%d %H:%M:%S${fraction}')${ts.zoned ? ` || ' UTC'` : ''}`;
}

function field(duck: string, onDate = true): Translate {
  return (args, call) => {
    arity(call, args, 1);
    if (!accepts(args[0].type, temporal) || (!onDate && args[0].type === DATE)) badArguments(call.name, args);
    return same(`CAST(${duck.replace('$', args[0].sql)} AS BIGINT)`, BIGINT);
  };
}

const FIELDS: Record<string, Translate> = {
  year: field('year($)'),
  quarter: field('quarter($)'),
  month: field('month($)'),
  week: field('week($)'),
  week_of_year: field('week($)'),
  year_of_week: field('isoyear($)'),
  yow: field('isoyear($)'),
  day: field('day($)'),
  day_of_month: field('day($)'),
  day_of_week: field('isodow($)'),
  dow: field('isodow($)'),
  day_of_year: field('dayofyear($)'),
  doy: field('dayofyear($)'),
  hour: field('hour($)', false),
  minute: field('minute($)', false),
  second: field('second($)', false),
  millisecond: field('(millisecond($) % 1000)', false),
};

export const DATETIME: Record<string, Translate> = {
  ...FIELDS,
  current_date: (args, call) => (arity(call, args, 0), same('current_date', DATE)),
  current_timestamp: (args, call) => (
    arity(call, args, 0),
    same(roundTimestamp('current_timestamp', 3), timestamp(3, true))
  ),
  now: (args, call) => (
    arity(call, args, 0),
    same(roundTimestamp('current_timestamp', 3), timestamp(3, true))
  ),
  date_parse: (args, call) => {
    arity(call, args, 2);
    if (!args.every((a) => accepts(a.type, varchar))) badArguments(call.name, args);
    const format = literalArgument(call, args[1], 'format');
    if (!/%Y/.test(format) || !/%[mcbM]/.test(format) || !/%[de]/.test(format)) {
      throw new UnsupportedError('date_parse() without %Y, a month and a day', 'the default date differs');
    }
    const parsed = `strptime(${args[0].sql}, ${quote(duckFormat(format, true))})`;
    return same(roundTimestamp(parsed, 3), timestamp(3));
  },
  date_format: (args, call) => {
    arity(call, args, 2);
    if (!accepts(args[0].type, isTimestamp) || !accepts(args[1].type, varchar)) badArguments(call.name, args);
    const format = duckFormat(literalArgument(call, args[1], 'format'), false);
    return same(`strftime(${args[0].sql}, ${quote(format)})`, VARCHAR);
  },
  from_iso8601_timestamp: (args, call) => {
    arity(call, args, 1);
    if (!accepts(args[0].type, varchar)) badArguments(call.name, args);
    const s = args[0].sql;
    return same(
      `CASE WHEN regexp_full_match(${s}, ${ISO_UTC}) THEN ${roundTimestamp(`CAST(${s} AS TIMESTAMPTZ)`, 3)} ` +
        `WHEN regexp_full_match(${s}, ${ISO_ZONED}) THEN error('from_iso8601_timestamp() of a time with an offset other than UTC is not supported by the local engine') ` +
        `ELSE error('from_iso8601_timestamp(): the local engine does not read "' || ${s} || '"') END`,
      timestamp(3, true),
    );
  },
  from_iso8601_date: (args, call) => {
    arity(call, args, 1);
    if (!accepts(args[0].type, varchar)) badArguments(call.name, args);
    const s = args[0].sql;
    return same(
      `CASE WHEN regexp_full_match(${s}, '^\\d{4}-\\d{2}-\\d{2}$') THEN CAST(${s} AS DATE) ` +
        `ELSE error('from_iso8601_date(): the local engine does not read "' || ${s} || '"') END`,
      DATE,
    );
  },
  from_unixtime: (args, call) => {
    arity(call, args, 1);
    if (!accepts(args[0].type, toDouble)) badArguments(call.name, args);
    return same(roundTimestamp(`to_timestamp(${cast(args[0], DOUBLE)})`, 3), timestamp(3, true));
  },
  to_unixtime: (args, call) => {
    arity(call, args, 1);
    if (!accepts(args[0].type, isTimestamp)) badArguments(call.name, args);
    return same(`epoch(${args[0].sql})`, DOUBLE);
  },
  to_iso8601: toIso8601,
  last_day_of_month: (args, call) => {
    arity(call, args, 1);
    if (!accepts(args[0].type, temporal)) badArguments(call.name, args);
    return same(`last_day(${args[0].sql})`, DATE);
  },
  date_trunc: (args, call) => {
    arity(call, args, 2);
    const [unitArg, x] = args;
    if (!accepts(unitArg.type, varchar) || !accepts(x.type, temporal)) badArguments(call.name, args);
    const unit = unitArgument(
      call.name,
      unitArg,
      x.type === DATE ? DATE_UNITS : [...TIME_UNITS, ...DATE_UNITS],
    );
    return same(`CAST(date_trunc('${unit}', ${x.sql}) AS ${duckType(x.type)})`, x.type);
  },
  date_add: (args, call) => {
    arity(call, args, 3);
    const [unitArg, n, x] = args;
    if (!accepts(unitArg.type, varchar) || !accepts(n.type, integer) || !accepts(x.type, temporal)) {
      badArguments(call.name, args);
    }
    const unit = unitArgument(
      call.name,
      unitArg,
      x.type === DATE ? DATE_UNITS : [...TIME_UNITS, ...DATE_UNITS],
    );
    const interval =
      unit === 'quarter'
        ? `INTERVAL '3 month'`
        : unit === 'week'
          ? `INTERVAL '7 day'`
          : `INTERVAL '1 ${unit}'`;
    return same(`CAST((${x.sql} + CAST(${n.sql} AS BIGINT) * ${interval}) AS ${duckType(x.type)})`, x.type);
  },
  date_diff: (args, call) => {
    arity(call, args, 3);
    const [unitArg, a, b] = args;
    if (!accepts(unitArg.type, varchar) || !accepts(a.type, temporal) || !accepts(b.type, temporal)) {
      badArguments(call.name, args);
    }
    const unit = unitArgument(call.name, unitArg, Object.keys(FIXED_MS));
    const ms = (t: Typed) => `epoch_ms(${t.type === DATE ? `CAST(${t.sql} AS TIMESTAMP)` : t.sql})`;
    return same(`CAST(trunc((${ms(b)} - ${ms(a)}) / ${FIXED_MS[unit]}) AS BIGINT)`, BIGINT);
  },
};

function toIso8601(args: readonly Typed[], call: { name: string }) {
  if (args.length !== 1 || !accepts(args[0].type, temporal) || args[0].type === UNKNOWN)
    badArguments(call.name, args);
  const [x] = args;
  if (x.type === DATE) return same(`strftime(${x.sql}, '%Y-%m-%d')`, VARCHAR);
  const ts = timestampType(x.type)!;
  const fraction = ts.precision === 0 ? '' : ts.precision === 3 ? '.%g' : '.%f';
  return same(`strftime(${x.sql}, '%Y-%m-%dT%H:%M:%S${fraction}')${ts.zoned ? ` || 'Z'` : ''}`, VARCHAR);
}
