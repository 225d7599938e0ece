/**
 * A strict JSON reader for one line of a JSON Lines object, as the OpenX JSON SerDe needs it:
 * it reads the first JSON value and ignores what follows (as the SerDe does), keeps each number's
 * text (the SerDe converts numbers from their text, not from a double), and tells a line cut
 * short (the input ended inside the value) from other syntax errors.
 */
export type JsonValue =
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'number'; readonly raw: string }
  | { readonly t: 'boolean'; readonly v: boolean }
  | { readonly t: 'null' }
  | { readonly t: 'object'; readonly entries: readonly (readonly [string, JsonValue])[] }
  | { readonly t: 'array'; readonly items: readonly JsonValue[] };

export type JsonLine =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly truncated: boolean; readonly message: string };

class Syntax extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Reader {
  i = 0;
  constructor(private readonly text: string) {}

  private fail(message: string): never {
    throw new Syntax(`${message} at character ${this.i + 1}`, this.i >= this.text.length);
  }

  /** Fails at the character just read (`c`, undefined at the end of the line). */
  private unexpected(c: string | undefined, expected: string): never {
    this.i--;
    this.fail(c === undefined ? 'unexpected end of the line' : `expected ${expected}`);
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\r\n'.includes(this.text[this.i])) this.i++;
  }

  value(): JsonValue {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { t: 'string', v: this.string() };
    for (const [word, value] of [
      ['true', { t: 'boolean', v: true }],
      ['false', { t: 'boolean', v: false }],
      ['null', { t: 'null' }],
    ] as const) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return value;
      }
      if (word.startsWith(this.text.slice(this.i)) && this.i < this.text.length) this.i = this.text.length;
    }
    NUMBER.lastIndex = this.i;
    const match = NUMBER.exec(this.text);
    if (match) {
      // A number the line ends in the middle of (`12.`, `1e+`) is a line cut short.
      if (/^(?:\.|[eE][+-]?)$/.test(this.text.slice(this.i + match[0].length))) this.i = this.text.length;
      else {
        this.i += match[0].length;
        return { t: 'number', raw: match[0] };
      }
    }
    if (c === '-' && this.i + 1 >= this.text.length) this.i++;
    this.fail(c === undefined ? 'unexpected end of the line' : `unexpected "${c}"`);
  }

  private string(): string {
    let out = '';
    for (this.i++; this.i < this.text.length; this.i++) {
      const c = this.text[this.i];
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c < ' ') this.fail('control character in a string');
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text[++this.i];
      if (e === undefined) break;
      if (e === 'u') {
        const hex = this.text.slice(this.i + 1, this.i + 5);
        if (hex.length < 4 && /^[0-9a-fA-F]*$/.test(hex)) break;
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 4;
      } else if (ESCAPES[e] !== undefined) out += ESCAPES[e];
      else this.fail(`bad escape \\${e}`);
    }
    this.i = this.text.length;
    this.fail('unterminated string');
  }

  private object(): JsonValue {
    const entries: [string, JsonValue][] = [];
    this.i++;
    this.space();
    if (this.text[this.i] === '}') return (this.i++, { t: 'object', entries });
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"')
        this.fail(this.i >= this.text.length ? 'unexpected end of the line' : 'expected a field name');
      const key = this.string();
      this.space();
      if (this.text[this.i] !== ':')
        this.fail(this.i >= this.text.length ? 'unexpected end of the line' : 'expected ":"');
      this.i++;
      entries.push([key, this.value()]);
      this.space();
      const c = this.text[this.i++];
      if (c === '}') return { t: 'object', entries };
      if (c !== ',') this.unexpected(c, '"," or "}"');
    }
  }

  private array(): JsonValue {
    const items: JsonValue[] = [];
    this.i++;
    this.space();
    if (this.text[this.i] === ']') return (this.i++, { t: 'array', items });
    for (;;) {
      items.push(this.value());
      this.space();
      const c = this.text[this.i++];
      if (c === ']') return { t: 'array', items };
      if (c !== ',') this.unexpected(c, '"," or "]"');
    }
  }
}

/** Reads the first JSON value of a line; text after it is ignored. */
export function readJsonLine(line: string): JsonLine {
  try {
    return { ok: true, value: new Reader(line).value() };
  } catch (error) {
    if (!(error instanceof Syntax)) throw error;
    return { ok: false, truncated: error.truncated, message: error.message };
  }
}
