import {
  accepts,
  arity,
  badArguments,
  boolean,
  cast,
  check,
  floating,
  integer,
  literalArgument,
  numeric,
  quote,
  same,
  toDouble,
  varchar,
  type CallInfo,
  type FunctionDef,
  type Translate,
  type Typed,
} from './call';
import { DATETIME } from './datetime';
import { SqlError, UnsupportedError } from './errors';
import {
  arrayOf,
  BIGINT,
  BOOLEAN,
  commonType,
  DOUBLE,
  duckType,
  elementType,
  isArray,
  isInteger,
  isNumeric,
  isTemporal,
  UNKNOWN,
  VARCHAR,
  type SqlType,
} from './types';

/**
 * Athena's (Trino's) functions that the local engine runs, each translated to DuckDB SQL with
 * Trino's result type and answer: where DuckDB's function of the same name answers differently
 * (NULL handling, empty arguments, rounding, division by zero), the translation guards it.
 * Functions not listed here are refused by name.
 */

// ---- aggregates ------------------------------------------------------------------------------

const distinctOf = (call: CallInfo) => (call.distinct ? 'DISTINCT ' : '');

const AGGREGATES: Record<string, Translate> = {
  count: (args, call) => {
    if (call.star) return same('count(*)', BIGINT);
    arity(call, args, 1);
    return same(`count(${distinctOf(call)}${args[0].sql})`, BIGINT);
  },
  sum: (args, call) => {
    check(call, args, numeric);
    const [x] = args;
    const sql = `sum(${distinctOf(call)}${x.sql})`;
    if (isInteger(x.type) || x.type === UNKNOWN) return same(`CAST(${sql} AS BIGINT)`, BIGINT);
    return same(sql, x.type);
  },
  avg: (args, call) => {
    check(call, args, floating);
    return same(`avg(${distinctOf(call)}${args[0].sql})`, DOUBLE);
  },
  min: (args, call) => minMax('min', args, call),
  max: (args, call) => minMax('max', args, call),
  count_if: (args, call) => {
    check(call, args, boolean);
    return same(`count_if(${args[0].sql})`, BIGINT);
  },
  arbitrary: (args, call) => (arity(call, args, 1), same(`any_value(${args[0].sql})`, args[0].type)),
  any_value: (args, call) => (arity(call, args, 1), same(`any_value(${args[0].sql})`, args[0].type)),
  bool_and: (args, call) => (check(call, args, boolean), same(`bool_and(${args[0].sql})`, BOOLEAN)),
  every: (args, call) => (check(call, args, boolean), same(`bool_and(${args[0].sql})`, BOOLEAN)),
  bool_or: (args, call) => (check(call, args, boolean), same(`bool_or(${args[0].sql})`, BOOLEAN)),
  approx_distinct: (args, call) => {
    arity(call, args, 1, 2);
    call.note(
      'approx_distinct() is computed exactly (count(DISTINCT)); Athena estimates it (2.3% standard error)',
    );
    return same(`count(DISTINCT ${args[0].sql})`, BIGINT);
  },
  approx_percentile: approxPercentile,
  array_agg: (args, call) => {
    arity(call, args, 1);
    return same(`array_agg(${distinctOf(call)}${args[0].sql})`, arrayOf(args[0].type));
  },
  ...Object.fromEntries(
    ['stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop'].map((name) => [
      name,
      ((args, call) => {
        check(call, args, toDouble);
        return same(`${name}(${distinctOf(call)}${cast(args[0], DOUBLE)})`, DOUBLE);
      }) as Translate,
    ]),
  ),
};

function minMax(name: string, args: readonly Typed[], call: CallInfo) {
  arity(call, args, 1);
  const t = args[0].type;
  if (!(isNumeric(t) || t === VARCHAR || t === BOOLEAN || isTemporal(t) || t === UNKNOWN))
    badArguments(name, args);
  return same(`${name}(${args[0].sql})`, t);
}

function approxPercentile(args: readonly Typed[], call: CallInfo) {
  arity(call, args, 2, 3);
  if (args.length === 3) throw new UnsupportedError('approx_percentile() with a weight or accuracy');
  const [x, p] = args;
  if (!accepts(x.type, toDouble) || isArray(p.type)) badArguments(call.name, args);
  const percentile = Number(literalArgument(call, p, 'percentile'));
  if (!(percentile >= 0 && percentile <= 1)) throw new SqlError('Percentile must be between 0 and 1');
  call.note('approx_percentile() is computed exactly (the nearest rank); Athena estimates it');
  if (isInteger(x.type)) return same(`CAST(quantile_disc(${x.sql}, ${percentile}) AS BIGINT)`, BIGINT);
  return same(`quantile_disc(${cast(x, DOUBLE)}, ${percentile})`, DOUBLE);
}

// ---- strings ---------------------------------------------------------------------------------

/** The code points Java's Character.isWhitespace accepts: what Trino's trim() removes. */
const JAVA_WHITESPACE =
  "E'\\t\\n\\x0B\\f\\r\\x1C\\x1D\\x1E\\x1F '" +
  ' || chr(5760) || chr(8192) || chr(8193) || chr(8194) || chr(8195) || chr(8196) || chr(8197) || chr(8198)' +
  ' || chr(8200) || chr(8201) || chr(8202) || chr(8232) || chr(8233) || chr(8287) || chr(12288)';

function trimFunction(name: 'trim' | 'ltrim' | 'rtrim'): Translate {
  return (args, call) => {
    arity(call, args, 1, 2);
    if (!args.every((a) => accepts(a.type, varchar))) badArguments(name, args);
    return same(`${name}(${args[0].sql}, ${args[1]?.sql ?? `(${JAVA_WHITESPACE})`})`, VARCHAR);
  };
}

function padFunction(name: 'lpad' | 'rpad'): Translate {
  return (args, call) => {
    check(call, args, varchar, integer, varchar);
    const [s, n, pad] = args.map((a) => a.sql);
    return same(
      `CASE WHEN ${pad} = '' THEN error('Padding string must not be empty') ` +
        `WHEN ${n} < 0 THEN error('Target length must be in the range [0..2147483647]') ` +
        `ELSE ${name}(${s}, CAST(${n} AS INTEGER), ${pad}) END`,
      VARCHAR,
    );
  };
}

/** A Trino (Java) regex replacement (`$1`, `\$`) as an RE2 one (`\1`, `$`). */
export function re2Replacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\' && i + 1 < replacement.length) {
      const next = replacement[++i];
      out += next === '\\' ? '\\\\' : next;
    } else if (c === '$') {
      const group = /^\d+/.exec(replacement.slice(i + 1));
      if (!group) throw new UnsupportedError('a regexp_replace() replacement with named groups or a lone $');
      if (group[0].length > 1)
        throw new UnsupportedError('a regexp_replace() replacement with group 10 or higher');
      out += `\\${group[0]}`;
      i += group[0].length;
    } else out += c === '\\' ? '\\\\' : c;
  }
  return out;
}

const STRINGS: Record<string, Translate> = {
  lower: (args, call) => (check(call, args, varchar), same(`lower(${args[0].sql})`, VARCHAR)),
  upper: (args, call) => (check(call, args, varchar), same(`upper(${args[0].sql})`, VARCHAR)),
  reverse: (args, call) => (check(call, args, varchar), same(`reverse(${args[0].sql})`, VARCHAR)),
  length: (args, call) => (check(call, args, varchar), same(`length(${args[0].sql})`, BIGINT)),
  substr: substring,
  substring,
  concat: (args, call) => {
    if (args.length < 2) throw new SqlError('There must be two or more concatenation arguments');
    if (!args.every((a) => accepts(a.type, varchar))) badArguments(call.name, args);
    return same(`(${args.map((a) => a.sql).join(' || ')})`, VARCHAR);
  },
  replace: (args, call) => {
    arity(call, args, 2, 3);
    if (!args.every((a) => accepts(a.type, varchar))) badArguments(call.name, args);
    const [s, search, replacement] = args.map((a) => a.sql);
    return same(
      `CASE WHEN ${search} = '' THEN error('replace() with an empty search string is not supported by the local engine') ` +
        `ELSE replace(${s}, ${search}, ${replacement ?? "''"}) END`,
      VARCHAR,
    );
  },
  strpos: (args, call) => (
    check(call, args, varchar, varchar),
    same(`strpos(${args[0].sql}, ${args[1].sql})`, BIGINT)
  ),
  starts_with: (args, call) => (
    check(call, args, varchar, varchar),
    same(`starts_with(${args[0].sql}, ${args[1].sql})`, BOOLEAN)
  ),
  split: (args, call) => {
    check(call, args, varchar, varchar);
    const [s, d] = args.map((a) => a.sql);
    return same(
      `CASE WHEN ${d} = '' THEN error('The delimiter may not be the empty string') ELSE string_split(${s}, ${d}) END`,
      arrayOf(VARCHAR),
    );
  },
  split_part: (args, call) => {
    check(call, args, varchar, varchar, integer);
    const [s, d, i] = args.map((a) => a.sql);
    return same(
      `CASE WHEN ${i} <= 0 THEN error('Index must be greater than zero') ` +
        `WHEN ${d} = '' THEN error('split_part() with an empty delimiter is not supported by the local engine') ` +
        `ELSE list_extract(string_split(${s}, ${d}), ${i}) END`,
      VARCHAR,
    );
  },
  trim: trimFunction('trim'),
  ltrim: trimFunction('ltrim'),
  rtrim: trimFunction('rtrim'),
  lpad: padFunction('lpad'),
  rpad: padFunction('rpad'),
  regexp_like: (args, call) => {
    check(call, args, varchar, varchar);
    return same(`regexp_matches(${args[0].sql}, ${args[1].sql})`, BOOLEAN);
  },
  regexp_extract: regexpExtract,
  regexp_replace: (args, call) => {
    arity(call, args, 2, 3);
    if (!args.every((a) => accepts(a.type, varchar))) badArguments(call.name, args);
    const replacement = args[2] ? re2Replacement(literalArgument(call, args[2], 'replacement')) : '';
    return same(`regexp_replace(${args[0].sql}, ${args[1].sql}, ${quote(replacement)}, 'g')`, VARCHAR);
  },
};

function substring(args: readonly Typed[], call: CallInfo) {
  arity(call, args, 2, 3);
  if (!accepts(args[0].type, varchar) || !args.slice(1).every((a) => accepts(a.type, integer))) {
    badArguments(call.name, args);
  }
  const [s, start, length] = args.map((a) => a.sql);
  // Trino: start 0, a length of 0 or less, or a start before the string give ''.
  const from = `(CASE WHEN ${start} > 0 THEN ${start} ELSE length(${s}) + ${start} + 1 END)`;
  return same(
    `CASE WHEN ${s} IS NULL OR ${start} IS NULL${length ? ` OR ${length} IS NULL` : ''} THEN NULL ` +
      `WHEN ${start} = 0 OR ${from} < 1${length ? ` OR ${length} <= 0` : ''} THEN '' ` +
      `ELSE substring(${s}, ${from}${length ? `, ${length}` : ''}) END`,
    VARCHAR,
  );
}

function regexpExtract(args: readonly Typed[], call: CallInfo) {
  arity(call, args, 2, 3);
  if (
    !accepts(args[0].type, varchar) ||
    !accepts(args[1].type, varchar) ||
    (args[2] && !accepts(args[2].type, integer))
  ) {
    badArguments(call.name, args);
  }
  const pattern = literalArgument(call, args[1], 'pattern');
  const group = args[2] ? Number(literalArgument(call, args[2], 'group')) : 0;
  // A group that took no part in the match is NULL in Trino and '' in DuckDB.
  if (group > 0 && /\||\)[?*{]/.test(pattern)) {
    throw new UnsupportedError(
      'regexp_extract() of a group in a pattern with alternatives or optional groups',
    );
  }
  const [s, p] = [args[0].sql, quote(pattern)];
  return same(`CASE WHEN regexp_matches(${s}, ${p}) THEN regexp_extract(${s}, ${p}, ${group}) END`, VARCHAR);
}

// ---- conditionals and math -------------------------------------------------------------------

/** The common type of all arguments, or the error Trino gives. */
export function unify(name: string, args: readonly Typed[]): SqlType {
  let type: SqlType = UNKNOWN;
  for (const a of args) {
    const common = commonType(type, a.type);
    if (common === undefined) badArguments(name, args);
    type = common;
  }
  return type;
}

function greatestLeast(name: 'greatest' | 'least'): Translate {
  return (args, call) => {
    if (args.length < 1) badArguments(name, args);
    const type = unify(call.name, args);
    if (isArray(type)) badArguments(name, args);
    const values = args.map((a) => cast(a, type));
    const nan =
      type === DOUBLE
        ? values.map((v) => `WHEN isnan(${v}) THEN error('Invalid argument to ${name}(): NaN') `).join('')
        : '';
    return same(
      `CASE WHEN ${values.map((v) => `${v} IS NULL`).join(' OR ')} THEN NULL ${nan}ELSE ${name}(${values.join(', ')}) END`,
      type,
    );
  };
}

/** `a = b` as Trino compares: NaN equals nothing. */
function compareEqual(a: Typed, b: Typed, name: string): string {
  const type = commonType(a.type, b.type);
  if (type === undefined) badArguments(name, [a, b]);
  if (type !== DOUBLE) return `${a.sql} = ${b.sql}`;
  const [x, y] = [cast(a, DOUBLE), cast(b, DOUBLE)];
  return `(${x} = ${y} AND NOT isnan(${x}))`;
}

/** A double function that is NaN below its domain (and -Infinity at 0 for logarithms), as in Java. */
function domain(duck: string, log: boolean): Translate {
  return (args, call) => {
    check(call, args, toDouble);
    const x = cast(args[0], DOUBLE);
    const zero = log ? `WHEN ${x} = 0 THEN CAST('-Infinity' AS DOUBLE) ` : '';
    return same(`CASE WHEN ${x} < 0 THEN CAST('NaN' AS DOUBLE) ${zero}ELSE ${duck}(${x}) END`, DOUBLE);
  };
}

const doubleFunction =
  (duck: string, n = 1): Translate =>
  (args, call) => {
    check(call, args, ...Array<typeof toDouble>(n).fill(toDouble));
    return same(`${duck}(${args.map((a) => cast(a, DOUBLE)).join(', ')})`, DOUBLE);
  };

/** ceil, floor, abs, sign, round: the argument's own type (DuckDB gives doubles for some). */
function sameType(duck: string): Translate {
  return (args, call) => {
    check(call, args, floating);
    const t = args[0].type === UNKNOWN ? DOUBLE : args[0].type;
    return same(`CAST(${duck}(${args[0].sql}) AS ${duckType(t)})`, t);
  };
}

const CONDITIONALS_AND_MATH: Record<string, Translate> = {
  coalesce: (args, call) => {
    if (args.length < 1) badArguments(call.name, args);
    const type = unify(call.name, args);
    return same(`coalesce(${args.map((a) => cast(a, type)).join(', ')})`, type);
  },
  nullif: (args, call) => {
    arity(call, args, 2);
    const equal = compareEqual(args[0], args[1], call.name);
    return same(`(CASE WHEN ${equal} THEN NULL ELSE ${args[0].sql} END)`, args[0].type);
  },
  if: (args, call) => {
    arity(call, args, 2, 3);
    if (!accepts(args[0].type, boolean)) badArguments(call.name, args);
    const type = unify(call.name, args.slice(1));
    const otherwise = args[2] ? ` ELSE ${cast(args[2], type)}` : '';
    return same(`CASE WHEN ${args[0].sql} THEN ${cast(args[1], type)}${otherwise} END`, type);
  },
  greatest: greatestLeast('greatest'),
  least: greatestLeast('least'),
  abs: sameType('abs'),
  ceil: sameType('ceil'),
  ceiling: sameType('ceil'),
  floor: sameType('floor'),
  sign: sameType('sign'),
  round: (args, call) => {
    arity(call, args, 1, 2);
    if (!accepts(args[0].type, floating) || (args[1] && !accepts(args[1].type, integer)))
      badArguments(call.name, args);
    const t = args[0].type === UNKNOWN ? DOUBLE : args[0].type;
    return same(
      `CAST(round(${args[0].sql}${args[1] ? `, CAST(${args[1].sql} AS INTEGER)` : ''}) AS ${duckType(t)})`,
      t,
    );
  },
  truncate: (args, call) => (check(call, args, (t) => t === DOUBLE), same(`trunc(${args[0].sql})`, DOUBLE)),
  mod: (args, call) => {
    check(call, args, floating, floating);
    const type = unify(call.name, args);
    const [a, b] = args.map((x) => cast(x, type));
    return same(isInteger(type) ? `athena_int_mod(${a}, ${b})` : `(${a} % ${b})`, type);
  },
  sqrt: domain('sqrt', false),
  ln: domain('ln', true),
  log10: domain('log10', true),
  log2: domain('log2', true),
  cbrt: doubleFunction('cbrt'),
  exp: doubleFunction('exp'),
  power: doubleFunction('pow', 2),
  pow: doubleFunction('pow', 2),
  sin: doubleFunction('sin'),
  cos: doubleFunction('cos'),
  tan: doubleFunction('tan'),
  atan: doubleFunction('atan'),
  atan2: doubleFunction('atan2', 2),
  degrees: doubleFunction('degrees'),
  radians: doubleFunction('radians'),
  pi: (args, call) => (arity(call, args, 0), same('pi()', DOUBLE)),
  e: (args, call) => (arity(call, args, 0), same('exp(1)', DOUBLE)),
  nan: (args, call) => (arity(call, args, 0), same(`CAST('NaN' AS DOUBLE)`, DOUBLE)),
  infinity: (args, call) => (arity(call, args, 0), same(`CAST('Infinity' AS DOUBLE)`, DOUBLE)),
  is_nan: (args, call) => (check(call, args, toDouble), same(`isnan(${cast(args[0], DOUBLE)})`, BOOLEAN)),
  is_finite: (args, call) => (
    check(call, args, toDouble),
    same(`isfinite(${cast(args[0], DOUBLE)})`, BOOLEAN)
  ),
  is_infinite: (args, call) => (
    check(call, args, toDouble),
    same(`isinf(${cast(args[0], DOUBLE)})`, BOOLEAN)
  ),
};

// ---- arrays ----------------------------------------------------------------------------------

const arrayArg = (t: SqlType) => isArray(t);

const ARRAYS: Record<string, Translate> = {
  cardinality: (args, call) => (check(call, args, arrayArg), same(`len(${args[0].sql})`, BIGINT)),
  element_at: (args, call) => {
    check(call, args, arrayArg, integer);
    const [a, i] = args.map((x) => x.sql);
    return same(
      `CASE WHEN ${i} = 0 THEN error('SQL array indices start at 1') ELSE list_extract(${a}, ${i}) END`,
      elementType(args[0].type),
    );
  },
  array_join: (args, call) => {
    check(call, args, (t) => t === arrayOf(VARCHAR), varchar);
    return same(`array_to_string(${args[0].sql}, ${args[1].sql})`, VARCHAR);
  },
};

/** `a[i]`: 1-based, and out of bounds is an error, as in Trino. */
export function subscript(array: Typed, index: Typed): Typed {
  if (!isArray(array.type) || !accepts(index.type, integer)) {
    throw new SqlError(`Cannot use ${index.type} to subscript ${array.type}`);
  }
  const [a, i] = [array.sql, index.sql];
  return {
    sql:
      `CASE WHEN ${i} = 0 THEN error('SQL array indices start at 1') ` +
      `WHEN ${i} < 0 THEN error('Array subscript is negative: ' || ${i}) ` +
      `WHEN ${i} > len(${a}) THEN error('Array subscript must be less than or equal to array length: ' || ${i} || ' > ' || len(${a})) ` +
      `ELSE ${a}[${i}] END`,
    type: elementType(array.type),
    aggregate: array.aggregate || index.aggregate,
  };
}

export const FUNCTIONS: Readonly<Record<string, FunctionDef>> = Object.fromEntries([
  ...Object.entries(AGGREGATES).map(([name, translate]) => [name, { aggregate: true, translate }]),
  ...Object.entries({ ...STRINGS, ...CONDITIONALS_AND_MATH, ...ARRAYS, ...DATETIME }).map(
    ([name, translate]) => [name, { translate }],
  ),
]);
