import type { Expr, Query, QueryBody, QuerySpec, Relation, SelectItem, SortItem, Statement } from './ast';
import { SqlError, UnsupportedError } from './errors';
import { positionOf, tokenize, type Token } from './lexer';

/**
 * A recursive-descent parser for the SELECT statements of Athena's SQL (Trino's grammar, engine
 * version 3) that the local engine runs. What Athena accepts but the local engine does not run
 * is refused by name (window functions, INTERSECT, UNNEST, …), never skipped.
 */

/** Trino's reserved words: never an identifier unless quoted. */
const RESERVED = new Set(
  (
    'alter and as between by case cast constraint create cross cube current_date current_time ' +
    'current_timestamp current_user deallocate delete describe distinct drop else end escape except ' +
    'execute exists extract false for from full group grouping having in inner insert intersect into ' +
    'is join left like localtime localtimestamp natural normalize not null on or order outer prepare ' +
    'recursive right rollup select skip table then trim true uescape union unnest using values when where with'
  ).split(' '),
);

/** Words that end a select item or relation instead of being read as its alias. */
const CLAUSE_WORDS = new Set(['limit', 'offset', 'fetch', 'window', 'tablesample', 'lateral']);

/** Athena statements other than queries, refused by name. */
const STATEMENTS = new Set(
  'alter analyze call create deallocate delete describe drop execute explain grant insert merge msck prepare reset revoke set show start unload update use values vacuum'.split(
    ' ',
  ),
);

const COMPARISON = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

export function parseStatement(sql: string): Statement {
  return new Parser(sql).statement();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(private readonly sql: string) {
    this.tokens = tokenize(sql);
  }

  statement(): Statement {
    let statement: Statement;
    if (this.isWord('show') && this.peekIsWord(1, 'tables')) {
      this.i += 2;
      let database: string | undefined;
      if (this.acceptWord('from') || this.acceptWord('in')) database = this.identifier();
      statement = { kind: 'showTables', database };
    } else if (this.isWord('select') || this.isWord('with') || this.isSymbol('(')) {
      statement = { kind: 'query', query: this.query() };
    } else if (this.peek().kind === 'word' && STATEMENTS.has(this.peek().text)) {
      throw new UnsupportedError(
        `the ${this.peek().text.toUpperCase()} statement`,
        'it runs SELECT queries and SHOW TABLES',
      );
    } else {
      this.fail(
        this.peek().kind === 'eof'
          ? 'empty statement'
          : `mismatched input '${this.peek().raw ?? this.peek().text}': expected a statement`,
      );
    }
    this.acceptSymbol(';');
    if (this.peek().kind !== 'eof') this.fail(`unexpected "${this.peek().text}"`);
    return statement;
  }

  // ---- queries -------------------------------------------------------------------------------

  query(): Query {
    const withs: { name: string; columns?: string[]; query: Query }[] = [];
    if (this.acceptWord('with')) {
      if (this.isWord('recursive')) throw new UnsupportedError('WITH RECURSIVE');
      do {
        const name = this.identifier();
        if (this.isSymbol('(')) throw new UnsupportedError('a column list on a WITH query');
        this.expectWord('as');
        this.expectSymbol('(');
        withs.push({ name, query: this.query() });
        this.expectSymbol(')');
      } while (this.acceptSymbol(','));
    }
    const body = this.queryBody();
    const orderBy: SortItem[] = [];
    if (this.acceptWord('order')) {
      this.expectWord('by');
      do orderBy.push(this.sortItem());
      while (this.acceptSymbol(','));
    }
    let offset: string | undefined;
    let limit: string | undefined;
    if (this.acceptWord('offset')) {
      offset = this.expectKind('integer').text;
      if (!this.acceptWord('rows')) this.acceptWord('row');
    }
    if (this.acceptWord('limit'))
      limit = this.acceptWord('all') ? undefined : this.expectKind('integer').text;
    if (this.isWord('fetch')) throw new UnsupportedError('FETCH FIRST', 'use LIMIT');
    return { with: withs, body, orderBy, offset, limit };
  }

  private sortItem(): SortItem {
    const expr = this.expression();
    const descending = this.acceptWord('desc') ? true : (this.acceptWord('asc'), false);
    let nulls: SortItem['nulls'];
    if (this.acceptWord('nulls'))
      nulls = this.acceptWord('first') ? 'first' : (this.expectWord('last'), 'last');
    return { expr, descending, nulls };
  }

  private queryBody(): QueryBody {
    let body = this.queryTerm();
    for (;;) {
      if (this.isWord('intersect') || this.isWord('except')) {
        throw new UnsupportedError(this.peek().text.toUpperCase());
      }
      if (!this.acceptWord('union')) return body;
      const all = this.acceptWord('all') ? true : (this.acceptWord('distinct'), false);
      body = { kind: 'union', all, left: body, right: this.queryTerm() };
    }
  }

  private queryTerm(): QueryBody {
    if (this.acceptSymbol('(')) {
      const query = this.query();
      this.expectSymbol(')');
      return { kind: 'nested', query };
    }
    if (this.isWord('values') || this.isWord('table'))
      throw new UnsupportedError(this.peek().text.toUpperCase());
    return this.querySpec();
  }

  private querySpec(): QuerySpec {
    this.expectWord('select');
    const distinct = this.acceptWord('distinct') ? true : (this.acceptWord('all'), false);
    const items: SelectItem[] = [];
    do items.push(this.selectItem());
    while (this.acceptSymbol(','));
    const from: Relation[] = [];
    if (this.acceptWord('from')) {
      do from.push(this.relation());
      while (this.acceptSymbol(','));
    }
    const where = this.acceptWord('where') ? this.expression() : undefined;
    const groupBy: Expr[] = [];
    if (this.acceptWord('group')) {
      this.expectWord('by');
      if (this.isWord('all') || this.isWord('distinct'))
        throw new UnsupportedError(`GROUP BY ${this.peek().text.toUpperCase()}`);
      do {
        if (['grouping', 'cube', 'rollup'].some((w) => this.isWord(w))) {
          throw new UnsupportedError(`GROUP BY ${this.peek().text.toUpperCase()}`);
        }
        groupBy.push(this.expression());
      } while (this.acceptSymbol(','));
    }
    const having = this.acceptWord('having') ? this.expression() : undefined;
    if (this.isWord('window')) throw new UnsupportedError('WINDOW');
    return { kind: 'select', distinct, items, from, where, groupBy, having };
  }

  private selectItem(): SelectItem {
    const at = this.peek().offset;
    if (this.acceptSymbol('*')) return { kind: 'star', at };
    const qualifier = this.qualifiedStar();
    if (qualifier) return { kind: 'star', qualifier, at };
    const expr = this.expression();
    return { kind: 'expr', expr, alias: this.alias() };
  }

  /** `t.*` or `db.t.*`: the qualifier, when the next tokens are one. */
  private qualifiedStar(): string[] | undefined {
    const parts: string[] = [];
    let j = this.i;
    for (;;) {
      const t = this.tokens[j];
      if (!(t.kind === 'quoted' || (t.kind === 'word' && !RESERVED.has(t.text)))) return undefined;
      parts.push(t.text.toLowerCase());
      if (this.tokens[j + 1]?.text !== '.' || this.tokens[j + 1].kind !== 'symbol') return undefined;
      if (this.tokens[j + 2]?.kind === 'symbol' && this.tokens[j + 2].text === '*') {
        this.i = j + 3;
        return parts;
      }
      j += 2;
    }
  }

  private alias(): string | undefined {
    if (this.acceptWord('as')) return this.identifier();
    const t = this.peek();
    if (t.kind === 'quoted') return this.identifier();
    if (t.kind === 'word' && !RESERVED.has(t.text) && !CLAUSE_WORDS.has(t.text)) return this.identifier();
    return undefined;
  }

  // ---- relations -----------------------------------------------------------------------------

  private relation(): Relation {
    let left = this.relationPrimary();
    for (;;) {
      if (this.isWord('natural')) throw new UnsupportedError('NATURAL JOIN');
      let type: 'inner' | 'left' | 'right' | 'full' | 'cross' | undefined;
      if (this.acceptWord('cross')) type = 'cross';
      else if (this.acceptWord('inner')) type = 'inner';
      else if (this.acceptWord('left')) type = 'left';
      else if (this.acceptWord('right')) type = 'right';
      else if (this.acceptWord('full')) type = 'full';
      else if (this.isWord('join')) type = 'inner';
      if (!type) return left;
      if (type !== 'cross' && type !== 'inner') this.acceptWord('outer');
      this.expectWord('join');
      const right = this.relationPrimary();
      if (type === 'cross') {
        left = { kind: 'join', type, left, right };
        continue;
      }
      if (this.isWord('using')) throw new UnsupportedError('JOIN … USING', 'write the ON condition');
      this.expectWord('on');
      left = { kind: 'join', type, left, right, on: this.expression() };
    }
  }

  private relationPrimary(): Relation {
    const at = this.peek().offset;
    if (this.isWord('unnest') || this.isWord('lateral'))
      throw new UnsupportedError(this.peek().text.toUpperCase());
    if (this.acceptSymbol('(')) {
      if (!(this.isWord('select') || this.isWord('with') || this.isSymbol('('))) {
        throw new UnsupportedError('a parenthesized join');
      }
      const query = this.query();
      this.expectSymbol(')');
      return { kind: 'subquery', query, alias: this.relationAlias(), at };
    }
    const parts = [this.identifier()];
    while (this.acceptSymbol('.')) parts.push(this.identifier());
    if (this.isWord('tablesample')) throw new UnsupportedError('TABLESAMPLE');
    return { kind: 'table', parts, alias: this.relationAlias(), at };
  }

  private relationAlias(): string | undefined {
    const alias = this.alias();
    if (alias !== undefined && this.isSymbol('('))
      throw new UnsupportedError('a column alias list on a relation');
    return alias;
  }

  // ---- expressions ---------------------------------------------------------------------------

  expression(): Expr {
    let left = this.andExpression();
    while (this.isWord('or')) {
      const at = this.next().offset;
      left = { kind: 'binary', op: 'or', left, right: this.andExpression(), at };
    }
    return left;
  }

  private andExpression(): Expr {
    let left = this.notExpression();
    while (this.isWord('and')) {
      const at = this.next().offset;
      left = { kind: 'binary', op: 'and', left, right: this.notExpression(), at };
    }
    return left;
  }

  private notExpression(): Expr {
    if (this.isWord('not')) {
      const at = this.next().offset;
      return { kind: 'unary', op: 'not', arg: this.notExpression(), at };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    const arg = this.concatenation();
    const at = this.peek().offset;
    const t = this.peek();
    if (t.kind === 'symbol' && COMPARISON.has(t.text)) {
      this.next();
      if (['any', 'some', 'all'].some((w) => this.isWord(w)))
        throw new UnsupportedError(`${t.text} ${this.peek().text.toUpperCase()} (subquery)`);
      return {
        kind: 'binary',
        op: t.text === '!=' ? '<>' : t.text,
        left: arg,
        right: this.concatenation(),
        at,
      };
    }
    if (this.acceptWord('is')) {
      const not = this.acceptWord('not');
      if (this.acceptWord('null')) return { kind: 'isNull', not, arg, at };
      if (this.acceptWord('distinct')) {
        this.expectWord('from');
        return { kind: 'distinctFrom', not, left: arg, right: this.concatenation(), at };
      }
      this.fail('expected NULL or DISTINCT FROM after IS');
    }
    const not = this.isWord('not') && ['between', 'in', 'like'].some((w) => this.peekIsWord(1, w));
    if (not) this.next();
    if (this.acceptWord('between')) {
      const low = this.concatenation();
      this.expectWord('and');
      return { kind: 'between', not, arg, low, high: this.concatenation(), at };
    }
    if (this.acceptWord('in')) return this.inPredicate(arg, not, at);
    if (this.acceptWord('like')) {
      const pattern = this.concatenation();
      const escape = this.acceptWord('escape') ? this.concatenation() : undefined;
      return { kind: 'like', not, arg, pattern, escape, at };
    }
    return arg;
  }

  private inPredicate(arg: Expr, not: boolean, at: number): Expr {
    this.expectSymbol('(');
    if (this.isWord('select') || this.isWord('with')) {
      const query = this.query();
      this.expectSymbol(')');
      return { kind: 'inQuery', not, arg, query, at };
    }
    const list: Expr[] = [];
    do list.push(this.expression());
    while (this.acceptSymbol(','));
    this.expectSymbol(')');
    return { kind: 'in', not, arg, list, at };
  }

  private concatenation(): Expr {
    let left = this.additive();
    while (this.isSymbol('||')) {
      const at = this.next().offset;
      left = { kind: 'binary', op: '||', left, right: this.additive(), at };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isSymbol('+') || this.isSymbol('-')) {
      const t = this.next();
      left = { kind: 'binary', op: t.text, left, right: this.multiplicative(), at: t.offset };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isSymbol('*') || this.isSymbol('/') || this.isSymbol('%')) {
      const t = this.next();
      left = { kind: 'binary', op: t.text, left, right: this.unary(), at: t.offset };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isSymbol('-') || this.isSymbol('+')) {
      const t = this.next();
      return { kind: 'unary', op: t.text as '-' | '+', arg: this.unary(), at: t.offset };
    }
    let expr = this.primary();
    for (;;) {
      if (this.isSymbol('[')) {
        const at = this.next().offset;
        const index = this.expression();
        this.expectSymbol(']');
        expr = { kind: 'subscript', arg: expr, index, at };
      } else if (this.isWord('at') && this.peekIsWord(1, 'time')) {
        throw new UnsupportedError('AT TIME ZONE');
      } else if (this.isSymbol('.')) {
        throw new UnsupportedError('a field reference on an expression');
      } else return expr;
    }
  }

  private primary(): Expr {
    const t = this.peek();
    const at = t.offset;
    if (t.kind === 'string') return (this.next(), { kind: 'literal', type: 'varchar', text: t.text, at });
    if (t.kind === 'integer' || t.kind === 'decimal' || t.kind === 'double')
      return (this.next(), this.numberLiteral(t));
    if (t.kind === 'symbol' && t.text === '(') return this.parenthesized();
    if (t.kind === 'quoted') return this.columnReference();
    if (t.kind !== 'word')
      this.fail(t.kind === 'eof' ? 'unexpected end of the statement' : `unexpected "${t.text}"`);
    return this.wordExpression(t);
  }

  private numberLiteral(t: Token): Expr {
    if (t.kind === 'integer') {
      const value = BigInt(t.text);
      if (value > 9223372036854775807n) this.fail(`Invalid numeric literal: ${t.text}`, t.offset);
      const type = value > 2147483647n ? 'bigint' : 'integer';
      return { kind: 'literal', type, text: value.toString(), at: t.offset };
    }
    if (t.kind === 'decimal' && t.text.replace('.', '').replace(/^0+/, '').length > 18) {
      throw new UnsupportedError(`the decimal literal ${t.text}`, 'more than 18 digits');
    }
    return { kind: 'literal', type: t.kind === 'decimal' ? 'decimal' : 'double', text: t.text, at: t.offset };
  }

  private parenthesized(): Expr {
    const at = this.next().offset;
    if (this.isWord('select') || this.isWord('with')) {
      const query = this.query();
      this.expectSymbol(')');
      return { kind: 'subquery', query, at };
    }
    const expr = this.expression();
    if (this.isSymbol(',')) throw new UnsupportedError('a row constructor');
    this.expectSymbol(')');
    return expr;
  }

  private wordExpression(t: Token): Expr {
    const at = t.offset;
    const typed = (type: 'date' | 'timestamp') => {
      this.next();
      const text = this.expectKind('string').text;
      return { kind: 'literal' as const, type, text, at };
    };
    switch (t.text) {
      case 'null':
      case 'true':
      case 'false':
        this.next();
        return { kind: 'literal', type: t.text === 'null' ? 'null' : 'boolean', text: t.text, at };
      case 'date':
      case 'timestamp':
        if (this.tokens[this.i + 1].kind === 'string') return typed(t.text);
        break;
      case 'interval':
      case 'time':
        if (this.tokens[this.i + 1].kind === 'string')
          throw new UnsupportedError(`${t.text.toUpperCase()} literals`);
        break;
      case 'current_date':
      case 'current_timestamp':
        this.next();
        return { kind: 'call', name: t.text, args: [], distinct: false, star: false, at };
      case 'current_time':
      case 'localtime':
      case 'localtimestamp':
      case 'current_user':
        throw new UnsupportedError(t.text.toUpperCase());
      case 'case':
        return this.caseExpression();
      case 'cast':
      case 'try_cast':
        if (this.peekIsSymbol(1, '(')) return this.castExpression();
        break;
      case 'exists':
        this.next();
        this.expectSymbol('(');
        return this.existsQuery(at);
      case 'array':
        if (this.peekIsSymbol(1, '[')) return this.arrayConstructor();
        break;
      case 'extract':
        if (this.peekIsSymbol(1, '(')) return this.extract();
        break;
    }
    if (this.peekIsSymbol(1, '(')) return this.functionCall();
    return this.columnReference();
  }

  private existsQuery(at: number): Expr {
    const query = this.query();
    this.expectSymbol(')');
    return { kind: 'exists', query, at };
  }

  private columnReference(): Expr {
    const at = this.peek().offset;
    const parts = [this.identifier()];
    while (this.isSymbol('.') && this.tokens[this.i + 1].kind !== 'symbol') {
      this.next();
      parts.push(this.identifier());
    }
    if (this.isSymbol('(')) throw new UnsupportedError('a qualified function name');
    return { kind: 'column', parts, at };
  }

  private caseExpression(): Expr {
    const at = this.next().offset;
    const operand = this.isWord('when') ? undefined : this.expression();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptWord('when')) {
      const when = this.expression();
      this.expectWord('then');
      whens.push({ when, then: this.expression() });
    }
    if (whens.length === 0) this.fail('expected WHEN');
    const otherwise = this.acceptWord('else') ? this.expression() : undefined;
    this.expectWord('end');
    return { kind: 'case', operand, whens, else: otherwise, at };
  }

  private castExpression(): Expr {
    const t = this.next();
    this.expectSymbol('(');
    const arg = this.expression();
    this.expectWord('as');
    const type = this.typeName();
    this.expectSymbol(')');
    return { kind: 'cast', arg, type, try: t.text === 'try_cast', at: t.offset };
  }

  private typeName(): string {
    let name = this.expectKind('word').text;
    if (name === 'double' && this.acceptWord('precision')) name = 'double';
    if (this.acceptSymbol('(')) {
      const args: string[] = [];
      do args.push(this.peek().kind === 'integer' ? this.next().text : this.typeName());
      while (this.acceptSymbol(','));
      this.expectSymbol(')');
      name += `(${args.join(',')})`;
    }
    if (this.isWord('with') && this.peekIsWord(1, 'time')) {
      this.i += 2;
      this.expectWord('zone');
      name += ' with time zone';
    }
    return name;
  }

  private arrayConstructor(): Expr {
    const at = this.next().offset;
    this.expectSymbol('[');
    const items: Expr[] = [];
    if (!this.isSymbol(']')) {
      do items.push(this.expression());
      while (this.acceptSymbol(','));
    }
    this.expectSymbol(']');
    return { kind: 'array', items, at };
  }

  private extract(): Expr {
    const at = this.next().offset;
    this.expectSymbol('(');
    const field = this.expectKind('word').text;
    this.expectWord('from');
    const arg = this.expression();
    this.expectSymbol(')');
    return { kind: 'call', name: field, args: [arg], distinct: false, star: false, at };
  }

  private functionCall(): Expr {
    const nameToken = this.next();
    const at = nameToken.offset;
    this.expectSymbol('(');
    let distinct = false;
    let star = false;
    const args: Expr[] = [];
    if (this.acceptSymbol('*')) star = true;
    else if (!this.isSymbol(')')) {
      distinct = this.acceptWord('distinct') ? true : (this.acceptWord('all'), false);
      do args.push(this.expression());
      while (this.acceptSymbol(','));
    }
    if (this.isWord('order')) throw new UnsupportedError(`ORDER BY inside ${nameToken.text}()`);
    if (this.isSymbol('->') || this.isWord('ignore') || this.isWord('respect'))
      throw new UnsupportedError('this function syntax');
    this.expectSymbol(')');
    let filter: Expr | undefined;
    if (this.isWord('filter') && this.peekIsSymbol(1, '(')) {
      this.i += 2;
      this.expectWord('where');
      filter = this.expression();
      this.expectSymbol(')');
    }
    if (this.isWord('over')) throw new UnsupportedError('window functions (OVER)');
    return { kind: 'call', name: nameToken.text, args, distinct, star, filter, at };
  }

  // ---- tokens --------------------------------------------------------------------------------

  private identifier(): string {
    const t = this.peek();
    if (t.kind === 'quoted') return this.next().text.toLowerCase();
    if (t.kind === 'word' && !RESERVED.has(t.text)) return this.next().text;
    this.fail(t.kind === 'eof' ? 'unexpected end of the statement' : `expected a name, got "${t.text}"`);
  }

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private isWord(word: string): boolean {
    return this.peek().kind === 'word' && this.peek().text === word;
  }

  private peekIsWord(ahead: number, word: string): boolean {
    const t = this.tokens[this.i + ahead];
    return t?.kind === 'word' && t.text === word;
  }

  private isSymbol(symbol: string): boolean {
    return this.peek().kind === 'symbol' && this.peek().text === symbol;
  }

  private peekIsSymbol(ahead: number, symbol: string): boolean {
    const t = this.tokens[this.i + ahead];
    return t?.kind === 'symbol' && t.text === symbol;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }

  private acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.i++;
    return true;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) this.fail(`expected ${word.toUpperCase()}, got ${this.describe()}`);
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) this.fail(`expected "${symbol}", got ${this.describe()}`);
  }

  private expectKind(kind: Token['kind']): Token {
    if (this.peek().kind !== kind)
      this.fail(`expected ${kind === 'word' ? 'a name' : `a ${kind}`}, got ${this.describe()}`);
    return this.next();
  }

  private describe(): string {
    return this.peek().kind === 'eof'
      ? 'the end of the statement'
      : `"${this.peek().raw ?? this.peek().text}"`;
  }

  private fail(message: string, offset = this.peek().offset): never {
    throw new SqlError(message, positionOf(this.sql, offset));
  }
}
