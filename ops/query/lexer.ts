import { SqlError, UnsupportedError, type SourcePosition } from './errors';

/**
 * Tokens of Athena's SQL (Trino's lexical rules): words (identifiers and keywords, unquoted ones
 * folded to lower case, as Athena's identifiers are case-insensitive), "quoted identifiers",
 * 'string literals' with '' for a quote, numbers (integer, decimal, double with an exponent),
 * operators and punctuation. Comments (`--` and `/* *\/`) are skipped.
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'integer' | 'decimal' | 'double' | 'symbol' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Words lower-cased; quoted identifiers and strings unescaped; symbols as written. */
  readonly text: string;
  /** As written, for messages. */
  readonly raw?: string;
  readonly offset: number;
}

const SYMBOLS = [
  '->',
  '<>',
  '!=',
  '<=',
  '>=',
  '||',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  ',',
  '.',
  ';',
  '[',
  ']',
];

export function positionOf(sql: string, offset: number): SourcePosition {
  const before = sql.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function quoted(sql: string, start: number, quote: string): { text: string; end: number } {
  let text = '';
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] !== quote) text += sql[i];
    else if (sql[i + 1] === quote) {
      text += quote;
      i++;
    } else return { text, end: i + 1 };
  }
  const what = quote === "'" ? 'string literal' : 'quoted identifier';
  throw new SqlError(`unterminated ${what}`, positionOf(sql, start));
}

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

function number(sql: string, offset: number): Token & { end: number } {
  const text = NUMBER.exec(sql.slice(offset))![0];
  const end = offset + text.length;
  if (/[A-Za-z_]/.test(sql[end] ?? '')) {
    throw new SqlError(`unexpected "${sql.slice(offset, end + 1)}"`, positionOf(sql, offset));
  }
  const kind = /[eE]/.test(text) ? 'double' : text.includes('.') ? 'decimal' : 'integer';
  return { kind, text, offset, end };
}

/** Splits a statement into tokens, ending with an `eof` token. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) i++;
    else if (sql.startsWith('--', i)) i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
    else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SqlError('unterminated comment', positionOf(sql, i));
      i = end + 2;
    } else if (c === "'" || c === '"') {
      const { text, end } = quoted(sql, i, c);
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', text, offset: i });
      i = end;
    } else if (/^(?:u&|x)'/i.test(sql.slice(i, i + 3))) {
      throw new UnsupportedError(`the ${sql.slice(i, i + 3).toUpperCase()}…' literal`);
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      tokens.push({ kind: 'word', text: word.toLowerCase(), raw: word, offset: i });
      i += word.length;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const { end, ...token } = number(sql, i);
      tokens.push(token);
      i = end;
    } else if (c === '?') {
      throw new UnsupportedError('a query parameter (?)');
    } else {
      const symbol = SYMBOLS.find((s) => sql.startsWith(s, i));
      if (!symbol) throw new SqlError(`unexpected character "${c}"`, positionOf(sql, i));
      tokens.push({ kind: 'symbol', text: symbol, offset: i });
      i += symbol.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', offset: sql.length });
  return tokens;
}
