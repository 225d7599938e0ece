import type { Expr, Query, QueryBody, QuerySpec, Relation, SelectItem, SortItem } from './ast';
import { SqlError, UnsupportedError } from './errors';
import { bind, resolveColumn, type ExprEnv, type Scope, type ScopeColumn, type Source } from './expressions';
import { BOOLEAN, commonType, type SqlType } from './types';

/**
 * Translates a SELECT of Athena's SQL into DuckDB SQL over the local copies of the Glue tables
 * (`"database"."table"`), with Athena's output column names (`_col1` for an unnamed one) and
 * types, and which objects each table needs: the partition values its WHERE clauses fix.
 */

export interface TableColumn {
  readonly name: string;
  /** The Athena type, or undefined when the local reader does not read this Glue type. */
  readonly type?: SqlType;
  readonly glueType: string;
}

export interface CatalogTable {
  readonly database: string;
  readonly name: string;
  readonly columns: readonly TableColumn[];
  readonly partitionKeys: readonly TableColumn[];
}

export interface Catalog {
  readonly tables: readonly CatalogTable[];
  readonly defaultDatabase: string;
}

/** Partition values a table reference is limited to, by partition column; a column not named: any. */
export type PartitionFilter = Readonly<Record<string, readonly string[]>>;

export interface TableUse {
  readonly table: CatalogTable;
  /** One per reference to the table: an object is needed when it passes any of them. */
  readonly filters: PartitionFilter[];
}

export interface OutputColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface Translation {
  readonly sql: string;
  readonly columns: readonly OutputColumn[];
  readonly uses: readonly TableUse[];
  /** Where the local answer is exact and Athena's is an estimate. */
  readonly notes: readonly string[];
}

/** The column holding each row's object (`s3://bucket/key`), as Athena's hidden `"$path"`. */
export const PATH_COLUMN = '$path';

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface Output {
  readonly name?: string;
  readonly type: SqlType;
  /** The select item's SQL, for ORDER BY expressions over it. */
  readonly sql: string;
}

interface Cte {
  readonly sqlName: string;
  readonly outputs: readonly Output[];
}

type Ctes = ReadonlyMap<string, Cte>;

interface TableRef {
  readonly use: TableUse;
  readonly partitions: ReadonlyMap<ScopeColumn, string>;
}

interface Translated {
  readonly sql: string;
  readonly outputs: readonly Output[];
}

const outputAlias = (i: number) => ident(`_c${i}`);

export function translateQuery(query: Query, catalog: Catalog): Translation {
  const translator = new Translator(catalog);
  const result = translator.query(query, undefined, new Map());
  return {
    sql: result.sql,
    columns: result.outputs.map((o, i) => ({ name: o.name ?? `_col${i}`, type: o.type })),
    uses: [...translator.uses.values()],
    notes: [...translator.notes],
  };
}

class Translator {
  readonly uses = new Map<CatalogTable, TableUse>();
  readonly notes = new Set<string>();
  private counter = 0;

  constructor(private readonly catalog: Catalog) {}

  query(q: Query, parent: Scope | undefined, outer: Ctes): Translated {
    const ctes = new Map(outer);
    const withs: string[] = [];
    for (const w of q.with) {
      if (ctes.has(w.name) && !outer.has(w.name))
        throw new SqlError(`WITH query name '${w.name}' specified more than once`);
      const translated = this.query(w.query, parent, ctes);
      const sqlName = `_w${this.counter++}`;
      withs.push(`${ident(sqlName)} AS (${translated.sql})`);
      ctes.set(w.name, { sqlName, outputs: translated.outputs });
    }
    const body = this.body(q.body, parent, ctes);
    let sql = `${withs.length ? `WITH ${withs.join(', ')} ` : ''}${body.sql}`;
    if (q.orderBy.length)
      sql += ` ORDER BY ${q.orderBy.map((item) => this.sortItem(item, body.order)).join(', ')}`;
    if (q.limit !== undefined) sql += ` LIMIT ${q.limit}`;
    if (q.offset !== undefined) sql += ` OFFSET ${q.offset}`;
    return { sql, outputs: body.outputs };
  }

  private body(b: QueryBody, parent: Scope | undefined, ctes: Ctes): Translated & { order: OrderContext } {
    if (b.kind === 'select') return this.spec(b, parent, ctes);
    const translated = b.kind === 'nested' ? this.query(b.query, parent, ctes) : this.union(b, parent, ctes);
    const sql = b.kind === 'nested' ? `(${translated.sql})` : translated.sql;
    const columns = translated.outputs.map((o, i) => ({ name: o.name, type: o.type, sql: outputAlias(i) }));
    return {
      sql,
      outputs: translated.outputs,
      order: { scope: { sources: [{ qualifiers: [], columns }] }, outputs: columns, aggregates: false },
    };
  }

  private union(b: Extract<QueryBody, { kind: 'union' }>, parent: Scope | undefined, ctes: Ctes): Translated {
    const [left, right] = [this.body(b.left, parent, ctes), this.body(b.right, parent, ctes)];
    if (left.outputs.length !== right.outputs.length) {
      throw new SqlError(
        `UNION query has different number of fields: ${left.outputs.length}, ${right.outputs.length}`,
      );
    }
    const outputs = left.outputs.map((o, i) => {
      const type = commonType(o.type, right.outputs[i].type);
      if (type === undefined)
        throw new SqlError(
          `column ${i + 1} in UNION query has incompatible types: ${o.type}, ${right.outputs[i].type}`,
        );
      return { name: o.name, type, sql: outputAlias(i) };
    });
    const wrap = (sql: string) => (sql.startsWith('(') ? sql : `(${sql})`);
    return { sql: `${wrap(left.sql)} UNION ${b.all ? 'ALL ' : ''}${wrap(right.sql)}`, outputs };
  }

  private env(scope: Scope, ctes: Ctes, clause: string, aggregates: boolean): ExprEnv {
    return {
      scope,
      aggregates,
      clause,
      subquery: (q, s) => {
        const t = this.query(q, s, ctes);
        return {
          sql: t.sql,
          columns: t.outputs.map((o, i) => ({ name: o.name, type: o.type, sql: outputAlias(i) })),
        };
      },
      note: (message) => this.notes.add(message),
    };
  }

  private spec(s: QuerySpec, parent: Scope | undefined, ctes: Ctes): Translated & { order: OrderContext } {
    const sources: Source[] = [];
    const from: string[] = [];
    const tables: TableRef[] = [];
    for (const rel of s.from) {
      const r = this.relation(rel, parent, ctes, tables);
      from.push(r.sql);
      sources.push(...r.sources);
    }
    const scope: Scope = { sources, parent };
    for (const table of tables) table.use.filters.push(partitionFilter(s.where, scope, table));
    const items = this.selectItems(s.items, scope, ctes);
    let sql = `SELECT ${s.distinct ? 'DISTINCT ' : ''}${items.map((o, i) => `${o.sql} AS ${outputAlias(i)}`).join(', ')}`;
    if (from.length) sql += ` FROM ${from.join(', ')}`;
    if (s.where) sql += ` WHERE ${this.condition(s.where, this.env(scope, ctes, 'WHERE clause', false))}`;
    if (s.groupBy.length) {
      const env = this.env(scope, ctes, 'GROUP BY clause', false);
      sql += ` GROUP BY ${s.groupBy.map((g) => ordinal(g, items.length, 'GROUP BY') ?? bind(g, env).sql).join(', ')}`;
    }
    if (s.having) sql += ` HAVING ${this.condition(s.having, this.env(scope, ctes, 'HAVING clause', true))}`;
    const outputs = items.map((o) => ({ name: o.name, type: o.type, sql: o.sql }));
    const order: OrderContext = {
      scope,
      outputs,
      aggregates: true,
      distinct: s.distinct ? items.map((o) => o.sql) : undefined,
      env: this.env(scope, ctes, 'ORDER BY clause', true),
    };
    return { sql, outputs, order };
  }

  private condition(e: Expr, env: ExprEnv): string {
    const t = bind(e, env);
    if (t.type !== BOOLEAN && t.type !== 'unknown')
      throw new SqlError(`${env.clause} must evaluate to a boolean: actual type ${t.type}`);
    return t.sql;
  }

  private selectItems(items: readonly SelectItem[], scope: Scope, ctes: Ctes): Output[] {
    const env = this.env(scope, ctes, 'SELECT', true);
    return items.flatMap((item): Output[] => {
      if (item.kind === 'expr') {
        const t = bind(item.expr, env);
        const name =
          item.alias ??
          (item.expr.kind === 'column' ? item.expr.parts[item.expr.parts.length - 1] : undefined);
        return [{ name, type: t.type, sql: t.sql }];
      }
      if (scope.sources.length === 0)
        throw new SqlError('SELECT * not allowed in queries without FROM clause');
      const matching = item.qualifier
        ? scope.sources.filter((src) => src.qualifiers.some((q) => q.join('.') === item.qualifier!.join('.')))
        : scope.sources;
      if (matching.length === 0)
        throw new SqlError(`Unable to resolve reference ${item.qualifier!.join('.')}.*`);
      return matching.flatMap((src) =>
        src.columns.filter((c) => !c.hidden).map((c) => ({ name: c.name, type: c.type, sql: c.sql })),
      );
    });
  }

  private relation(
    rel: Relation,
    parent: Scope | undefined,
    ctes: Ctes,
    tables: TableRef[],
  ): { sql: string; sources: Source[] } {
    if (rel.kind === 'join') {
      const [left, right] = [
        this.relation(rel.left, parent, ctes, tables),
        this.relation(rel.right, parent, ctes, tables),
      ];
      const sources = [...left.sources, ...right.sources];
      if (rel.type === 'cross') return { sql: `(${left.sql} CROSS JOIN ${right.sql})`, sources };
      const on = this.condition(rel.on!, this.env({ sources, parent }, ctes, 'JOIN ON clause', false));
      return { sql: `(${left.sql} ${rel.type.toUpperCase()} JOIN ${right.sql} ON ${on})`, sources };
    }
    const alias = `_s${this.counter++}`;
    const column = (
      name: string | undefined,
      type: SqlType,
      sqlName: string,
      hidden = false,
    ): ScopeColumn => ({
      name,
      type,
      sql: `${ident(alias)}.${ident(sqlName)}`,
      hidden,
    });
    if (rel.kind === 'subquery') {
      const t = this.query(rel.query, parent, ctes);
      const columns = t.outputs.map((o, i) => column(o.name, o.type, `_c${i}`));
      return {
        sql: `(${t.sql}) AS ${ident(alias)}`,
        sources: [{ qualifiers: rel.alias ? [[rel.alias]] : [], columns }],
      };
    }
    const cte = rel.parts.length === 1 ? ctes.get(rel.parts[0]) : undefined;
    if (cte) {
      const columns = cte.outputs.map((o, i) => column(o.name, o.type, `_c${i}`));
      return {
        sql: `${ident(cte.sqlName)} AS ${ident(alias)}`,
        sources: [{ qualifiers: [[rel.alias ?? rel.parts[0]]], columns }],
      };
    }
    const table = this.table(rel.parts);
    const partitions = new Map<ScopeColumn, string>();
    const columns = [
      ...table.columns.map((c) => column(c.name, c.type!, c.name)),
      ...table.partitionKeys.map((c) => {
        const scoped = column(c.name, c.type!, c.name);
        partitions.set(scoped, c.name);
        return scoped;
      }),
      column(PATH_COLUMN, 'varchar', PATH_COLUMN, true),
    ];
    const use = this.uses.get(table) ?? { table, filters: [] };
    this.uses.set(table, use);
    tables.push({ use, partitions });
    const qualifiers = rel.alias ? [[rel.alias]] : [[table.name], [table.database, table.name]];
    return {
      sql: `${ident(table.database)}.${ident(table.name)} AS ${ident(alias)}`,
      sources: [{ qualifiers, columns }],
    };
  }

  private table(parts: readonly string[]): CatalogTable {
    if (parts.length > 3 || (parts.length === 3 && parts[0] !== 'awsdatacatalog')) {
      throw new UnsupportedError(`the table name ${parts.join('.')}`, 'it reads the AwsDataCatalog catalog');
    }
    const [database, name] = parts.length === 1 ? [this.catalog.defaultDatabase, parts[0]] : parts.slice(-2);
    if (database === 'information_schema')
      throw new UnsupportedError('information_schema', 'use SHOW TABLES');
    const table = this.catalog.tables.find((t) => t.database === database && t.name === name);
    if (!table) {
      if (!this.catalog.tables.some((t) => t.database === database))
        throw new SqlError(`Schema '${database}' does not exist`);
      throw new SqlError(`Table 'awsdatacatalog.${database}.${name}' does not exist`);
    }
    const unreadable = [...table.columns, ...table.partitionKeys].find((c) => c.type === undefined);
    if (unreadable) {
      throw new UnsupportedError(
        `the column ${database}.${name}.${unreadable.name} of type ${unreadable.glueType}`,
      );
    }
    return table;
  }

  private sortItem(item: SortItem, order: OrderContext): string {
    const direction = `${item.descending ? 'DESC' : 'ASC'} NULLS ${(item.nulls ?? 'last').toUpperCase()}`;
    const position = ordinal(item.expr, order.outputs.length, 'ORDER BY');
    if (position !== undefined) return `${position} ${direction}`;
    if (item.expr.kind === 'column' && item.expr.parts.length === 1) {
      const [name] = item.expr.parts;
      const named = order.outputs.map((o, i) => ({ o, i })).filter(({ o }) => o.name === name);
      if (named.length > 1) throw new SqlError(`Column '${named[0].o.name}' is ambiguous`);
      if (named.length === 1) return `${outputAlias(named[0].i)} ${direction}`;
    }
    const env = order.env ?? this.env(order.scope, new Map(), 'ORDER BY clause', order.aggregates);
    const t = bind(item.expr, { ...env, outputs: order.outputs });
    if (order.distinct && !order.distinct.includes(t.sql)) {
      throw new SqlError('For SELECT DISTINCT, ORDER BY expressions must appear in select list');
    }
    return `${t.sql} ${direction}`;
  }
}

interface OrderContext {
  readonly scope: Scope;
  readonly outputs: readonly ScopeColumn[];
  readonly aggregates: boolean;
  /** For SELECT DISTINCT: the select items' SQL, which ORDER BY must stay within. */
  readonly distinct?: readonly string[];
  readonly env?: ExprEnv;
}

/** A positive integer literal in GROUP BY or ORDER BY: a select item's position. */
function ordinal(e: Expr, count: number, clause: string): string | undefined {
  if (e.kind !== 'literal' || (e.type !== 'integer' && e.type !== 'bigint')) return undefined;
  const n = Number(e.text);
  if (n < 1 || n > count) throw new SqlError(`${clause} position ${n} is not in select list`);
  return String(n);
}

function conjuncts(e: Expr | undefined): Expr[] {
  if (!e) return [];
  if (e.kind === 'binary' && e.op === 'and') return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

/**
 * The partition values a WHERE clause fixes for one table reference: its top-level `AND`ed
 * `partition = 'value'` and `partition IN ('a', 'b')` terms. Exact, because the WHERE clause
 * still runs over what is loaded: these terms reject every row of any other partition.
 */
function partitionFilter(where: Expr | undefined, scope: Scope, table: TableRef): PartitionFilter {
  const filter: Record<string, string[]> = {};
  const partitionOf = (e: Expr): string | undefined => {
    if (e.kind !== 'column') return undefined;
    try {
      return table.partitions.get(resolveColumn(e.parts, { scope: { sources: scope.sources } }));
    } catch {
      return undefined;
    }
  };
  const text = (e: Expr) => (e.kind === 'literal' && e.type === 'varchar' ? e.text : undefined);
  const restrict = (column: string, values: string[]) => {
    filter[column] = filter[column] ? filter[column].filter((v) => values.includes(v)) : values;
  };
  for (const term of conjuncts(where)) {
    if (term.kind === 'binary' && term.op === '=') {
      const [column, value] = partitionOf(term.left)
        ? [partitionOf(term.left), text(term.right)]
        : [partitionOf(term.right), text(term.left)];
      if (column !== undefined && value !== undefined) restrict(column, [value]);
    } else if (term.kind === 'in' && !term.not) {
      const column = partitionOf(term.arg);
      const values = term.list.map(text);
      if (column !== undefined && values.every((v) => v !== undefined)) restrict(column, values as string[]);
    }
  }
  return filter;
}
