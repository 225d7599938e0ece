import type { Expr, Query } from './ast';
import { accepts, cast, quote, type Typed } from './call';
import { SqlError, UnsupportedError } from './errors';
import { FUNCTIONS, subscript, unify } from './functions';
import { translateCast } from './casts';
import {
  arrayOf,
  BOOLEAN,
  commonType,
  DATE,
  DECIMAL,
  DOUBLE,
  isArray,
  isInteger,
  isNumeric,
  timestamp,
  UNKNOWN,
  VARCHAR,
  type SqlType,
} from './types';

/**
 * Binds an expression of Athena's SQL to the columns in scope, checks its types by Trino's rules
 * and writes it as DuckDB SQL that gives Trino's answer: integer division truncates and fails on
 * zero, NaN is unequal to everything, comparisons between unrelated types are errors.
 */

/** A column a name can refer to: its Athena name (none for unnamed expressions), type and SQL. */
export interface ScopeColumn {
  readonly name?: string;
  readonly type: SqlType;
  readonly sql: string;
  /** `"$path"`: selectable by name, not part of `*`. */
  readonly hidden?: boolean;
}

export interface Source {
  /** The names that qualify its columns: `[alias]`, or `[table]` and `[database, table]`. */
  readonly qualifiers: readonly (readonly string[])[];
  readonly columns: readonly ScopeColumn[];
}

export interface Scope {
  readonly sources: readonly Source[];
  readonly parent?: Scope;
}

export interface ExprEnv {
  readonly scope: Scope;
  readonly aggregates: boolean;
  /** Where aggregates are refused, the clause to name. */
  readonly clause: string;
  /** Output columns that ORDER BY names resolve to first. */
  readonly outputs?: readonly ScopeColumn[];
  readonly subquery: (query: Query, scope: Scope) => { sql: string; columns: readonly ScopeColumn[] };
  readonly note: (message: string) => void;
}

const sameName = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function lookup(parts: readonly string[], scope: Scope): ScopeColumn[] {
  const name = parts[parts.length - 1];
  const qualifier = parts.slice(0, -1);
  return scope.sources
    .filter(
      (s) =>
        qualifier.length === 0 ||
        s.qualifiers.some((q) => sameName(q, qualifier) || sameName(q.slice(-qualifier.length), qualifier)),
    )
    .flatMap((s) => s.columns.filter((c) => c.name === name));
}

/** The column a (possibly qualified) name refers to, or the error Athena gives. */
export function resolveColumn(
  parts: readonly string[],
  env: Pick<ExprEnv, 'scope' | 'outputs'>,
): ScopeColumn {
  const text = parts.join('.');
  if (parts.length === 1 && env.outputs) {
    const outputs = env.outputs.filter((c) => c.name === parts[0]);
    if (outputs.length > 1) throw new SqlError(`Column '${text}' is ambiguous`);
    if (outputs.length === 1) return outputs[0];
  }
  const found = lookup(parts, env.scope);
  if (found.length > 1) throw new SqlError(`Column '${text}' is ambiguous`);
  if (found.length === 1) return found[0];
  if (/^\$/.test(parts[parts.length - 1]))
    throw new UnsupportedError(`the hidden column "${parts[parts.length - 1]}"`, 'it has "$path"');
  for (let outer = env.scope.parent; outer; outer = outer.parent) {
    if (lookup(parts, outer).length > 0)
      throw new UnsupportedError('a correlated subquery (a reference to an outer query)');
  }
  throw new SqlError(`Column '${text}' cannot be resolved`);
}

const orderable = (t: SqlType) => !isArray(t);

function operatorError(op: string, a: Typed, b: Typed): never {
  throw new SqlError(`Cannot apply operator: ${a.type} ${op} ${b.type}`);
}

/** `a op b` for a comparison, with Trino's NaN semantics for doubles (NaN is equal to nothing). */
export function compare(op: string, a: Typed, b: Typed): Typed {
  const type = commonType(a.type, b.type);
  if (type === undefined || (op !== '=' && op !== '<>' && !orderable(type))) operatorError(op, a, b);
  const aggregate = a.aggregate || b.aggregate;
  if (type !== DOUBLE) return { sql: `(${a.sql} ${op} ${b.sql})`, type: BOOLEAN, aggregate };
  const [x, y] = [cast(a, DOUBLE), cast(b, DOUBLE)];
  return {
    sql:
      `(CASE WHEN ${x} IS NULL OR ${y} IS NULL THEN NULL ` +
      `WHEN isnan(${x}) OR isnan(${y}) THEN ${op === '<>' ? 'true' : 'false'} ELSE ${x} ${op} ${y} END)`,
    type: BOOLEAN,
    aggregate,
  };
}

function arithmetic(op: string, a: Typed, b: Typed): Typed {
  const type = isNumeric(a.type) || a.type === UNKNOWN ? commonType(a.type, b.type) : undefined;
  if (type === undefined || !(isNumeric(type) || type === UNKNOWN)) operatorError(op, a, b);
  const aggregate = a.aggregate || b.aggregate;
  if (type === DECIMAL && (op === '/' || op === '%')) {
    throw new UnsupportedError(
      `decimal ${op === '/' ? 'division' : 'modulus'}`,
      'Athena keeps a decimal scale; cast to double',
    );
  }
  if (type === UNKNOWN) operatorError(op, a, b);
  const [x, y] = [cast(a, type), cast(b, type)];
  if (isInteger(type) && op === '/') return { sql: `athena_int_div(${x}, ${y})`, type, aggregate };
  if (isInteger(type) && op === '%') return { sql: `athena_int_mod(${x}, ${y})`, type, aggregate };
  return { sql: `(${x} ${op} ${y})`, type, aggregate };
}

function expectBoolean(t: Typed, what: string): void {
  if (!accepts(t.type, (x) => x === BOOLEAN))
    throw new SqlError(`${what} must evaluate to a boolean (actual: ${t.type})`);
}

function literal(e: Extract<Expr, { kind: 'literal' }>): Typed {
  switch (e.type) {
    case 'varchar':
      return { sql: quote(e.text), type: VARCHAR, literal: e.text };
    case 'null':
      return { sql: 'NULL', type: UNKNOWN };
    case 'boolean':
      return { sql: e.text.toUpperCase(), type: BOOLEAN, literal: e.text };
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(e.text))
        throw new UnsupportedError(`the date literal '${e.text}'`, 'it reads YYYY-MM-DD');
      return { sql: `DATE ${quote(e.text)}`, type: DATE };
    case 'timestamp': {
      const m = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2}(\.(\d+))?)?)?$/.exec(e.text);
      const digits = m?.[4]?.length ?? 0;
      if (!m || ![0, 3, 6].includes(digits)) {
        throw new UnsupportedError(
          `the timestamp literal '${e.text}'`,
          'it reads YYYY-MM-DD HH:MM:SS with 0, 3 or 6 decimals',
        );
      }
      return { sql: `TIMESTAMP ${quote(e.text)}`, type: timestamp(digits) };
    }
    default:
      return { sql: e.text, type: e.type, literal: e.text };
  }
}

/** Binds and translates one expression. */
export function bind(e: Expr, env: ExprEnv): Typed {
  switch (e.kind) {
    case 'literal':
      return literal(e);
    case 'column': {
      const column = resolveColumn(e.parts, env);
      return { sql: column.sql, type: column.type };
    }
    case 'unary':
      return unary(e, env);
    case 'binary':
      return binary(e, env);
    case 'between':
      return between(e, env);
    case 'in':
      return inList(e, env);
    case 'inQuery':
      return inQuery(e, env);
    case 'like':
      return like(e, env);
    case 'isNull': {
      const arg = bind(e.arg, env);
      return { sql: `(${arg.sql} IS ${e.not ? 'NOT ' : ''}NULL)`, type: BOOLEAN, aggregate: arg.aggregate };
    }
    case 'distinctFrom':
      return distinctFrom(e, env);
    case 'call':
      return call(e, env);
    case 'cast':
      return translateCast(bind(e.arg, env), e.type, e.try);
    case 'case':
      return caseExpression(e, env);
    case 'subquery':
      return scalarSubquery(e.query, env);
    case 'exists':
      return { sql: `EXISTS (${env.subquery(e.query, env.scope).sql})`, type: BOOLEAN };
    case 'subscript':
      return subscript(bind(e.arg, env), bind(e.index, env));
    case 'array':
      return arrayConstructor(e, env);
  }
}

function unary(e: Extract<Expr, { kind: 'unary' }>, env: ExprEnv): Typed {
  const arg = bind(e.arg, env);
  if (e.op === 'not') {
    expectBoolean(arg, 'NOT');
    return { sql: `(NOT ${arg.sql})`, type: BOOLEAN, aggregate: arg.aggregate };
  }
  if (!accepts(arg.type, isNumeric)) throw new SqlError(`Cannot apply operator: ${e.op}${arg.type}`);
  return { sql: e.op === '-' ? `(- ${arg.sql})` : arg.sql, type: arg.type, aggregate: arg.aggregate };
}

function binary(e: Extract<Expr, { kind: 'binary' }>, env: ExprEnv): Typed {
  const [a, b] = [bind(e.left, env), bind(e.right, env)];
  const aggregate = a.aggregate || b.aggregate;
  if (e.op === 'and' || e.op === 'or') {
    expectBoolean(a, e.op.toUpperCase());
    expectBoolean(b, e.op.toUpperCase());
    return { sql: `(${a.sql} ${e.op.toUpperCase()} ${b.sql})`, type: BOOLEAN, aggregate };
  }
  if (e.op === '||') {
    if (!accepts(a.type, (t) => t === VARCHAR) || !accepts(b.type, (t) => t === VARCHAR)) {
      if (isArray(a.type) || isArray(b.type)) throw new UnsupportedError('|| on arrays');
      operatorError('||', a, b);
    }
    return { sql: `(${a.sql} || ${b.sql})`, type: VARCHAR, aggregate };
  }
  if (['=', '<>', '<', '<=', '>', '>='].includes(e.op)) return compare(e.op, a, b);
  return arithmetic(e.op, a, b);
}

function between(e: Extract<Expr, { kind: 'between' }>, env: ExprEnv): Typed {
  const [x, low, high] = [bind(e.arg, env), bind(e.low, env), bind(e.high, env)];
  const both = `(${compare('>=', x, low).sql} AND ${compare('<=', x, high).sql})`;
  return {
    sql: e.not ? `(NOT ${both})` : both,
    type: BOOLEAN,
    aggregate: x.aggregate || low.aggregate || high.aggregate,
  };
}

function inList(e: Extract<Expr, { kind: 'in' }>, env: ExprEnv): Typed {
  const x = bind(e.arg, env);
  const items = e.list.map((i) => bind(i, env));
  const type = commonType(x.type, unifyOrFail(items));
  if (type === undefined) throw new SqlError(`IN value and list items must be the same type: ${x.type}`);
  const aggregate = x.aggregate || items.some((i) => i.aggregate);
  let sql: string;
  if (type === DOUBLE) sql = `(${items.map((i) => compare('=', x, i).sql).join(' OR ')})`;
  else sql = `(${x.sql} IN (${items.map((i) => cast(i, type)).join(', ')}))`;
  return { sql: e.not ? `(NOT ${sql})` : sql, type: BOOLEAN, aggregate };
}

function unifyOrFail(items: readonly Typed[]): SqlType {
  let type: SqlType = UNKNOWN;
  for (const item of items) {
    const common = commonType(type, item.type);
    if (common === undefined)
      throw new SqlError(`IN value and list items must be the same type: ${item.type}`);
    type = common;
  }
  return type;
}

function inQuery(e: Extract<Expr, { kind: 'inQuery' }>, env: ExprEnv): Typed {
  const x = bind(e.arg, env);
  const sub = env.subquery(e.query, env.scope);
  if (sub.columns.length !== 1)
    throw new SqlError('Multiple columns returned by subquery are not yet supported');
  const type = commonType(x.type, sub.columns[0].type);
  if (type === undefined)
    throw new SqlError(
      `Value expression and result of subquery must be of the same type: ${x.type} vs ${sub.columns[0].type}`,
    );
  if (type === DOUBLE)
    throw new UnsupportedError('IN (subquery) on double values', 'NaN compares differently');
  return { sql: `(${x.sql} ${e.not ? 'NOT ' : ''}IN (${sub.sql}))`, type: BOOLEAN, aggregate: x.aggregate };
}

function like(e: Extract<Expr, { kind: 'like' }>, env: ExprEnv): Typed {
  const [x, pattern] = [bind(e.arg, env), bind(e.pattern, env)];
  const escape = e.escape ? bind(e.escape, env) : undefined;
  for (const t of [x, pattern, ...(escape ? [escape] : [])]) {
    if (!accepts(t.type, (v) => v === VARCHAR)) throw new SqlError(`Cannot apply LIKE to ${t.type}`);
  }
  const sql = `(${x.sql} ${e.not ? 'NOT ' : ''}LIKE ${pattern.sql}${escape ? ` ESCAPE ${escape.sql}` : ''})`;
  return { sql, type: BOOLEAN, aggregate: x.aggregate || pattern.aggregate };
}

function distinctFrom(e: Extract<Expr, { kind: 'distinctFrom' }>, env: ExprEnv): Typed {
  const [a, b] = [bind(e.left, env), bind(e.right, env)];
  const type = commonType(a.type, b.type);
  if (type === undefined) operatorError('IS DISTINCT FROM', a, b);
  if (type === DOUBLE)
    throw new UnsupportedError('IS DISTINCT FROM on double values', 'NaN compares differently');
  return {
    sql: `(${a.sql} IS ${e.not ? 'NOT ' : ''}DISTINCT FROM ${b.sql})`,
    type: BOOLEAN,
    aggregate: a.aggregate || b.aggregate,
  };
}

function call(e: Extract<Expr, { kind: 'call' }>, env: ExprEnv): Typed {
  const def = FUNCTIONS[e.name];
  if (!def) throw new UnsupportedError(`the function ${e.name}()`);
  if (!def.aggregate) {
    if (e.distinct) throw new SqlError(`DISTINCT is not supported for non-aggregation functions`);
    if (e.filter) throw new SqlError(`Filter is only valid for aggregation functions`);
    const args = e.args.map((a) => bind(a, env));
    const result = def.translate(args, { name: e.name, distinct: false, star: e.star, note: env.note });
    return { ...result, aggregate: args.some((a) => a.aggregate) };
  }
  if (!env.aggregates)
    throw new SqlError(`${env.clause} cannot contain aggregations or window functions: ${e.name}()`);
  const inner: ExprEnv = { ...env, aggregates: false, clause: 'Aggregate arguments', outputs: undefined };
  let args = e.args.map((a) => bind(a, inner));
  if (e.filter) {
    const condition = bind(e.filter, inner);
    expectBoolean(condition, 'FILTER');
    if (e.name === 'array_agg') throw new UnsupportedError('array_agg() with FILTER');
    args = args.map((a) => ({ ...a, sql: `(CASE WHEN ${condition.sql} THEN ${a.sql} END)` }));
    if (e.star)
      return { sql: `count(CASE WHEN ${condition.sql} THEN 1 END)`, type: 'bigint', aggregate: true };
  }
  const result = def.translate(args, { name: e.name, distinct: e.distinct, star: e.star, note: env.note });
  return { ...result, aggregate: true };
}

function caseExpression(e: Extract<Expr, { kind: 'case' }>, env: ExprEnv): Typed {
  const operand = e.operand ? bind(e.operand, env) : undefined;
  const whens = e.whens.map((w) => {
    const when = bind(w.when, env);
    const condition = operand ? compare('=', operand, when) : when;
    expectBoolean(condition, 'CASE WHEN');
    return { condition, then: bind(w.then, env) };
  });
  const otherwise = e.else ? bind(e.else, env) : undefined;
  const results = [...whens.map((w) => w.then), ...(otherwise ? [otherwise] : [])];
  let type: SqlType;
  try {
    type = unify('CASE', results);
  } catch {
    throw new SqlError(
      `All CASE results must be the same type or coercible to a common type: ${results.map((r) => r.type).join(', ')}`,
    );
  }
  const parts = whens.map((w) => `WHEN ${w.condition.sql} THEN ${cast(w.then, type)}`);
  const sql = `(CASE ${parts.join(' ')}${otherwise ? ` ELSE ${cast(otherwise, type)}` : ''} END)`;
  const aggregate = [...results, ...whens.map((w) => w.condition), ...(operand ? [operand] : [])].some(
    (t) => t.aggregate,
  );
  return { sql, type, aggregate };
}

function scalarSubquery(query: Query, env: ExprEnv): Typed {
  const sub = env.subquery(query, env.scope);
  if (sub.columns.length !== 1)
    throw new SqlError('Multiple columns returned by subquery are not yet supported');
  return { sql: `(${sub.sql})`, type: sub.columns[0].type };
}

function arrayConstructor(e: Extract<Expr, { kind: 'array' }>, env: ExprEnv): Typed {
  if (e.items.length === 0) throw new UnsupportedError('an empty ARRAY[]');
  const items = e.items.map((i) => bind(i, env));
  const type = unify('ARRAY', items);
  return {
    sql: `[${items.map((i) => cast(i, type)).join(', ')}]`,
    type: arrayOf(type),
    aggregate: items.some((i) => i.aggregate),
  };
}
