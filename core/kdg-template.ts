import { base, en, Faker } from '@faker-js/faker';
import { DEFAULT_LOCAL_FORMAT, DEFAULT_UTC_FORMAT, formatDate } from './date-format';

/**
 * Record templates in the Kinesis Data Generator's syntax: any text (JSON, CSV, a log line) with
 * `{{helper}}` or `{{helper(arguments)}}` placeholders, each replaced by fresh fake data for
 * every record. Arguments are JSON values (`{{random.number({"min":-40,"max":60})}}`) and may
 * span lines. Fake data comes from faker (@faker-js/faker); the names the generator's templates
 * use (faker.js 4: `random.number`, `name.firstName`, `address.city`, …) are mapped onto it, and
 * every current faker helper (`person.jobTitle`, `location.city`, …) works as well.
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

export interface RenderContext {
  readonly faker: Faker;
  /** The moment of the record, in milliseconds since the epoch; one per record. */
  readonly now: number;
}

type Helper = (args: readonly unknown[], ctx: RenderContext) => unknown;

/** Thrown by helpers for arguments that cannot work; becomes a TemplateError at compile time. */
class ArgumentError extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function arity(name: string, args: readonly unknown[], max: number): void {
  if (args.length > max) {
    throw new ArgumentError(
      `${name} takes at most ${max} argument${max === 1 ? '' : 's'}, got ${args.length}`,
    );
  }
}

function finite(name: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${name}: "${field}" must be a number, got ${JSON.stringify(value)}`);
  }
  return value;
}

const decimals = (step: number) => {
  const text = String(step);
  const exponent = /e-(\d+)$/.exec(text);
  if (exponent) return Number(exponent[1]);
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
};

/**
 * faker.js 4's `random.number`: `()` is 0..99999, `(max)` is 0..max, `({min, max, precision})`
 * is min..max in steps of precision (default 1), both ends included.
 */
const randomNumber: Helper = (args, { faker }) => {
  arity('random.number', args, 1);
  const [arg] = args;
  let min = 0;
  let max = 99_999;
  let precision = 1;
  if (typeof arg === 'number') {
    max = finite('random.number', 'max', arg);
  } else if (isObject(arg)) {
    for (const key of Object.keys(arg)) {
      if (!['min', 'max', 'precision'].includes(key)) {
        throw new ArgumentError(`random.number takes "min", "max" and "precision", not "${key}"`);
      }
    }
    if (arg.min !== undefined) min = finite('random.number', 'min', arg.min);
    if (arg.max !== undefined) max = finite('random.number', 'max', arg.max);
    if (arg.precision !== undefined) precision = finite('random.number', 'precision', arg.precision);
  } else if (arg !== undefined) {
    throw new ArgumentError(`random.number takes a maximum or {"min":…,"max":…}, got ${JSON.stringify(arg)}`);
  }
  if (precision <= 0)
    throw new ArgumentError(`random.number: "precision" must be positive, got ${precision}`);
  const low = Math.ceil(min / precision - 1e-9);
  const high = Math.floor(max / precision + 1e-9);
  if (low > high) {
    throw new ArgumentError(`random.number: "min" (${min}) must not be greater than "max" (${max})`);
  }
  const steps = faker.number.int({ min: low, max: high });
  return precision === 1 ? steps : Number((steps * precision).toFixed(decimals(precision)));
};

const arrayElement: Helper = (args, { faker }) => {
  arity('random.arrayElement', args, 1);
  const [array] = args;
  if (!Array.isArray(array) || array.length === 0) {
    throw new ArgumentError('random.arrayElement takes a non-empty array, e.g. ["OK","FAIL","WARN"]');
  }
  return faker.helpers.arrayElement(array);
};

/** The generator's own helper: `{"weights":[0.3,0.2,0.5],"data":["cat","fish","dog"]}`. */
const weightedArrayElement: Helper = (args, { faker }) => {
  arity('random.weightedArrayElement', args, 1);
  const [arg] = args;
  const usage = 'random.weightedArrayElement takes {"weights":[…],"data":[…]}';
  if (!isObject(arg) || !Array.isArray(arg.weights) || !Array.isArray(arg.data)) {
    throw new ArgumentError(usage);
  }
  const { weights, data } = arg as { weights: unknown[]; data: unknown[] };
  if (weights.length !== data.length || data.length === 0) {
    throw new ArgumentError(
      `random.weightedArrayElement needs as many weights as data items, got ${weights.length} and ${data.length}`,
    );
  }
  const choices = weights.map((weight, i) => {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new ArgumentError(
        `random.weightedArrayElement: weights must be numbers ≥ 0, got ${JSON.stringify(weight)}`,
      );
    }
    return { weight, value: data[i] };
  });
  const positive = choices.filter((c) => c.weight > 0);
  if (positive.length === 0) throw new ArgumentError('random.weightedArrayElement: all weights are 0');
  return faker.helpers.weightedArrayElement(positive);
};

function dateHelper(name: string, zone: 'local' | 'utc', fallback: string): Helper {
  return (args, { now }) => {
    arity(name, args, 1);
    const [format] = args;
    if (format !== undefined && typeof format !== 'string') {
      throw new ArgumentError(`${name} takes a moment.js format string, got ${JSON.stringify(format)}`);
    }
    return formatDate(now, format ?? fallback, zone);
  };
}

const noArguments =
  (name: string, run: (ctx: RenderContext) => unknown): Helper =>
  (args, ctx) => {
    arity(name, args, 0);
    return run(ctx);
  };

/** The generator's own helpers and faker.js 4 names whose meaning or place changed since. */
const HELPERS: Readonly<Record<string, Helper>> = {
  'random.number': randomNumber,
  'datatype.number': randomNumber,
  'random.arrayElement': arrayElement,
  'random.weightedArrayElement': weightedArrayElement,
  'random.uuid': noArguments('random.uuid', ({ faker }) => faker.string.uuid()),
  'datatype.uuid': noArguments('datatype.uuid', ({ faker }) => faker.string.uuid()),
  'random.boolean': noArguments('random.boolean', ({ faker }) => faker.datatype.boolean()),
  'random.word': noArguments('random.word', ({ faker }) => faker.lorem.word()),
  'random.alphaNumeric': (args, { faker }) => {
    arity('random.alphaNumeric', args, 1);
    const length = args[0] === undefined ? 1 : finite('random.alphaNumeric', 'length', args[0]);
    return faker.string.alphanumeric(length);
  },
  'date.now': dateHelper('date.now', 'local', DEFAULT_LOCAL_FORMAT),
  'date.utc': dateHelper('date.utc', 'utc', DEFAULT_UTC_FORMAT),
  /** Milliseconds since the epoch, the same for every occurrence in one record. */
  'current.timestamp': noArguments('current.timestamp', ({ now }) => now),
  'name.findName': noArguments('name.findName', ({ faker }) => faker.person.fullName()),
  'internet.userName': noArguments('internet.userName', ({ faker }) => faker.internet.username()),
  'company.companyName': noArguments('company.companyName', ({ faker }) => faker.company.name()),
};

/** faker.js 4 namespaces that faker renamed. */
const MODULE_ALIASES: Readonly<Record<string, string>> = { name: 'person', address: 'location' };

/** faker modules a template may call; everything else on the instance is internal. */
const FAKER_MODULES = new Set([
  'airline',
  'animal',
  'book',
  'color',
  'commerce',
  'company',
  'database',
  'datatype',
  'date',
  'finance',
  'food',
  'git',
  'hacker',
  'helpers',
  'image',
  'internet',
  'location',
  'lorem',
  'music',
  'number',
  'person',
  'phone',
  'science',
  'string',
  'system',
  'vehicle',
  'word',
]);

/** A faker method by dotted name (`person.jobTitle`, `name.lastName`), or undefined. */
function fakerHelper(name: string, probe: Faker): Helper | undefined {
  const parts = name.split('.');
  if (parts.length !== 2) return undefined;
  const module = MODULE_ALIASES[parts[0]] ?? parts[0];
  const method = parts[1];
  if (!FAKER_MODULES.has(module) || method === 'constructor' || method.startsWith('_')) return undefined;
  const instance = (probe as unknown as Record<string, Record<string, unknown>>)[module];
  if (typeof instance[method] !== 'function' || method in Object.prototype) return undefined;
  return (args, { faker }) => {
    const target = (faker as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[module];
    return target[method](...args);
  };
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
  /** One record, with fresh values; `now` is used for every time helper in it. */
  render(now: number): string;
}

export interface CompileOptions {
  /** Makes the values reproducible. @default random */
  readonly seed?: number;
  /** The faker instance to draw from. @default a new English one */
  readonly faker?: Faker;
}

/** A new faker instance with English data, independent of any other. */
export function newFaker(seed?: number): Faker {
  const faker = new Faker({ locale: [en, base] });
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

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
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
  const parts: (string | Placeholder)[] = [];
  const fail = (reason: string, offset: number): never => {
    const { line, column } = position(text, offset);
    throw new TemplateError(reason, line, column);
  };

  let at = 0;
  for (;;) {
    const open = text.indexOf('{{', at);
    if (open < 0) break;
    if (open > at) parts.push(text.slice(at, open));
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
      const inner = text.slice(i + 1, close - 1);
      try {
        args = inner.trim() === '' ? [] : (JSON.parse(`[${inner}]`) as unknown[]);
      } catch (error) {
        const message = (error as Error).message.split('\n')[0];
        const at = /position (\d+)/.exec(message);
        // JSON.parse counts from the "[" wrapped around the arguments, just after the "(".
        const offset = at ? i + Math.max(1, Number(at[1])) : i + 1;
        const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/,? ?"\[[\s\S]*$/, '');
        fail(`the arguments of ${name} are not JSON: ${reason}`, offset);
      }
      i = skipSpace(text, close);
    }
    if (!text.startsWith('}}', i)) {
      if (text.indexOf('}}', i) < 0) fail('unclosed {{: no matching }}', open);
      fail(`expected }} after ${name}${text[i] === '(' ? '' : ' or its (arguments)'}`, i);
    }
    const helper = HELPERS[name] ?? fakerHelper(name, probe);
    if (!helper) fail(`unknown helper "${name}"`, nameAt);
    try {
      (helper as Helper)(args, { faker: probe, now: 0 });
    } catch (error) {
      const reason = error instanceof ArgumentError ? error.message : `${name}: ${(error as Error).message}`;
      fail(reason, nameAt);
    }
    parts.push({ name, helper: helper as Helper, args });
    at = i + 2;
  }
  if (at < text.length) parts.push(text.slice(at));

  return {
    helpers: parts.filter((p): p is Placeholder => typeof p !== 'string').map((p) => p.name),
    render(now: number): string {
      const ctx = { faker, now };
      let out = '';
      for (const part of parts)
        out += typeof part === 'string' ? part : stringify(part.helper(part.args, ctx));
      return out;
    },
  };
}
