import type { Faker, LocaleDefinition } from '@faker-js/faker';
// The English build alone: loading every locale would cost about a second at each start.
import { faker as english } from '@faker-js/faker/locale/en';
import { ArgumentError, helperNamed, type Helper } from './kdg-helpers';

export { KDG_HELPERS, type RenderContext } from './kdg-helpers';

/**
 * Record templates in the Kinesis Data Generator's syntax: any text (JSON, CSV, a log line) with
 * `{{helper}}` or `{{helper(arguments)}}` placeholders, each replaced by fresh fake data for
 * every record. Arguments are JSON values (`{{random.number({"min":-40,"max":60})}}`) and may
 * span lines; an argument that is not JSON and does not start like JSON is passed as text, as
 * the generator passes it (`{{date.now(YYYY-MM-DD)}}`). Helpers are the names the generator's
 * faker.js exposes (see kdg-helpers.ts), and every current faker method (`person.jobTitle`).
 *
 * Like the generator, a template is trimmed and its line breaks removed before it is rendered,
 * so a JSON template written over several lines gives one-line records (the generator then sends
 * each record followed by one newline). `keepNewlines` renders the text exactly as written.
 *
 * Templates are compiled once: every placeholder is parsed and tried, so a typo or a bad
 * argument is reported with its line and column before anything is sent.
 */
/** A template that cannot be used, with the 1-based line and column of the problem. */
export class TemplateError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

/** How a helper's value is written into the record. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

interface Placeholder {
  readonly name: string;
  readonly helper: Helper;
  readonly args: readonly unknown[];
}

export interface CompiledTemplate {
  /** The names of the helpers used, in order of appearance. */
  readonly helpers: readonly string[];
  /**
   * One record, with fresh values: `now` is the wall-clock time for date.now, date.utc and
   * current.timestamp; `simTime` the simulated second for date.simTime (default `now`).
   */
  render(now: number, simTime?: number): string;
}

export interface CompileOptions {
  /** Makes the values reproducible. @default random */
  readonly seed?: number;
  /** The faker instance to draw from. @default a new English one */
  readonly faker?: Faker;
  /** Keep the template's surrounding whitespace and line breaks. @default false, as the generator */
  readonly keepNewlines?: boolean;
}

const EnglishFaker = english.constructor as new (options: { locale: LocaleDefinition }) => Faker;

/** A new faker instance with English data, independent of any other. */
export function newFaker(seed?: number): Faker {
  const faker = new EnglishFaker({ locale: english.rawDefinitions });
  if (seed !== undefined) faker.seed(seed);
  return faker;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Index just past the `)` that closes the `(` at `open`, skipping JSON strings; -1 if none. */
function closingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return c === ')' ? i + 1 : -1;
    }
  }
  return -1;
}

const NAME = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/y;
const SPACE = /\s*/y;
/** How JSON can start: text that starts otherwise is an argument in the generator's plain-text form. */
const JSON_START = /^\s*[[{"\d-]/;

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

type Fail = (reason: string, offset: number) => never;

/** The arguments between `(` at `open` and its `)` at `close - 1`: JSON values, or one plain text. */
function parseArguments(text: string, name: string, open: number, close: number, fail: Fail): unknown[] {
  const inner = text.slice(open + 1, close - 1);
  if (inner.trim() === '') return [];
  try {
    return JSON.parse(`[${inner}]`) as unknown[];
  } catch (error) {
    if (!JSON_START.test(inner)) return [inner.trim()];
    const message = (error as Error).message.split('\n')[0];
    const at = /position (\d+)/.exec(message);
    // JSON.parse counts from the "[" wrapped around the arguments, just after the "(".
    const offset = at ? open + Math.max(1, Number(at[1])) : open + 1;
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/,? ?"\[[\s\S]*$/, '');
    return fail(`the arguments of ${name} are not JSON: ${reason}`, offset);
  }
}

/** The placeholder whose `{{` is at `open`, and the index just past its `}}`. */
function parsePlaceholder(text: string, open: number, probe: Faker, fail: Fail): [Placeholder, number] {
  let i = skipSpace(text, open + 2);
  NAME.lastIndex = i;
  const match = NAME.exec(text);
  if (!match) {
    fail(
      text.startsWith('}}', i)
        ? 'empty placeholder {{}}'
        : 'expected a helper name after {{, e.g. {{name.firstName}}',
      i,
    );
  }
  const name = (match as RegExpExecArray)[0];
  const nameAt = i;
  i = skipSpace(text, i + name.length);
  let args: unknown[] = [];
  if (text[i] === '(') {
    const close = closingParen(text, i);
    if (close < 0) fail(`unbalanced brackets in the arguments of ${name}`, i);
    args = parseArguments(text, name, i, close, fail);
    i = skipSpace(text, close);
  }
  if (!text.startsWith('}}', i)) {
    if (text.indexOf('}}', i) < 0) fail('unclosed {{: no matching }}', open);
    fail(`expected }} after ${name}${text[i] === '(' ? '' : ' or its (arguments)'}`, i);
  }
  const helper = helperNamed(name, probe);
  if (!helper) return fail(`unknown helper "${name}"`, nameAt);
  try {
    helper(args, { faker: probe, now: 0, simTime: 0 });
  } catch (error) {
    fail(error instanceof ArgumentError ? error.message : `${name}: ${(error as Error).message}`, nameAt);
  }
  return [{ name, helper, args }, i + 2];
}

/**
 * The generator's clean-up of a template, applied to its text between placeholders: the whole
 * template trimmed, then every line break removed.
 */
function kdgClean(parts: (string | Placeholder)[]): (string | Placeholder)[] {
  const cleaned = [...parts];
  if (typeof cleaned[0] === 'string') cleaned[0] = cleaned[0].trimStart();
  const last = cleaned.length - 1;
  if (typeof cleaned[last] === 'string') cleaned[last] = (cleaned[last] as string).trimEnd();
  return cleaned
    .map((part) => (typeof part === 'string' ? part.replace(/\r\n|\r|\n/g, '') : part))
    .filter((part) => part !== '');
}

/**
 * Compiles a template. Throws a TemplateError naming the line and column of the first problem:
 * an unclosed `{{`, an unknown helper, arguments that are not JSON, or arguments the helper
 * rejects (each placeholder is tried once).
 */
export function compileTemplate(text: string, options: CompileOptions = {}): CompiledTemplate {
  if (text.trim() === '') throw new TemplateError('the template is empty', 1, 1);
  const faker = options.faker ?? newFaker(options.seed);
  const probe = newFaker(1);
  const fail: Fail = (reason, offset) => {
    const { line, column } = position(text, offset);
    throw new TemplateError(reason, line, column);
  };

  let parts: (string | Placeholder)[] = [];
  let at = 0;
  for (let open = text.indexOf('{{'); open >= 0; open = text.indexOf('{{', at)) {
    if (open > at) parts.push(text.slice(at, open));
    const [placeholder, next] = parsePlaceholder(text, open, probe, fail);
    parts.push(placeholder);
    at = next;
  }
  if (at < text.length) parts.push(text.slice(at));
  if (!options.keepNewlines) parts = kdgClean(parts);

  return {
    helpers: parts.filter((p): p is Placeholder => typeof p !== 'string').map((p) => p.name),
    render(now: number, simTime: number = now): string {
      const ctx = { faker, now, simTime };
      let out = '';
      for (const part of parts)
        out += typeof part === 'string' ? part : stringify(part.helper(part.args, ctx));
      return out;
    },
  };
}
