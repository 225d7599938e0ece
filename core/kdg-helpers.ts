import type { Faker } from '@faker-js/faker';
import { DEFAULT_LOCAL_FORMAT, DEFAULT_UTC_FORMAT, formatDate } from './date-format';

/**
 * The helpers a Kinesis Data Generator template can call, by the names the generator's bundled
 * faker.js exposes, each mapped onto @faker-js/faker 9 with the generator's arguments and output.
 *
 * The generator bundles faker.js 3 (modules address, commerce, company, date, finance, hacker,
 * helpers, image, internet, lorem, name, phone, random, system) and adds `date.now(format)`,
 * `date.utc(format)` (moment.js formats), `date.simTime` (the simulated second) and
 * `random.weightedArrayElement`; it rewrites `{{current.timestamp}}` to `{{date.now}}`. Every
 * one of those names is in the table below, as are a few faker.js 4/5 names templates copied
 * from that era's documentation use (`random.alpha`, `random.hexaDecimal`, `datatype.*`).
 *
 * Where faker 9 differs, the table keeps the generator's behaviour: `internet.ip` is IPv4,
 * `random.number` spans both ends, `finance.amount`/`commerce.price` are whole amounts written
 * with two decimals, `address.latitude` has four decimals, `name.firstName(0)` is male and
 * `(1)` female, `lorem.paragraphs` are separated by "\n \r". Images are loremflickr.com URLs of
 * the same categories (the generator's lorempixel.com no longer answers).
 */

export interface RenderContext {
  readonly faker: Faker;
  /** The wall-clock moment of the record, in milliseconds since the epoch. */
  readonly now: number;
  /** The simulated second the record belongs to; the wall clock when not simulating. */
  readonly simTime?: number;
}

export type Helper = (args: readonly unknown[], ctx: RenderContext) => unknown;

export interface HelperEntry {
  readonly run: Helper;
  /** Arguments for `datagen helpers` to show it with, e.g. `({"min":1,"max":10})`. */
  readonly example?: string;
}

/** Thrown by helpers for arguments that cannot work; becomes a TemplateError at compile time. */
export class ArgumentError extends Error {}

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

/** A typed optional argument: undefined stays undefined, anything of another type is an error. */
function optional<T>(name: string, field: string, value: unknown, type: 'number' | 'string' | 'boolean') {
  if (value === undefined || value === null) return undefined;
  if (type === 'number') return finite(name, field, value) as T;
  if (typeof value !== type) {
    throw new ArgumentError(`${name}: "${field}" must be a ${type}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

const num = (name: string, field: string, value: unknown) => optional<number>(name, field, value, 'number');
const str = (name: string, field: string, value: unknown) => optional<string>(name, field, value, 'string');
const bool = (name: string, field: string, value: unknown) =>
  optional<boolean>(name, field, value, 'boolean');

function whole(name: string, field: string, value: unknown, fallback: number, min = 0): number {
  const n = num(name, field, value) ?? fallback;
  if (!Number.isInteger(n) || n < min) {
    throw new ArgumentError(`${name}: "${field}" must be a whole number ≥ ${min}, got ${n}`);
  }
  return n;
}

/** A helper taking at most `max` arguments. */
function fn(name: string, max: number, run: Helper, example?: string): HelperEntry {
  return {
    run: (args, ctx) => {
      arity(name, args, max);
      return run(args, ctx);
    },
    example,
  };
}

/** A helper without arguments, drawing from faker. */
const plain = (name: string, run: (faker: Faker, ctx: RenderContext) => unknown): HelperEntry =>
  fn(name, 0, (_args, ctx) => run(ctx.faker, ctx));

const decimals = (step: number) => {
  const text = String(step);
  const exponent = /e-(\d+)$/.exec(text);
  if (exponent) return Number(exponent[1]);
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
};

/**
 * faker.js's `random.number`: `()` is 0..99999, `(max)` is 0..max, `({min, max, precision})`
 * is min..max in steps of precision (default 1), both ends included. Written without float
 * noise (the generator's faker may print 0.30000000000000004 for a precision of 0.1).
 */
export function randomNumber(name: string, arg: unknown, faker: Faker): number {
  let min = 0;
  let max = 99_999;
  let precision = 1;
  if (typeof arg === 'number') {
    max = finite(name, 'max', arg);
  } else if (isObject(arg)) {
    for (const key of Object.keys(arg)) {
      if (!['min', 'max', 'precision'].includes(key)) {
        throw new ArgumentError(`${name} takes "min", "max" and "precision", not "${key}"`);
      }
    }
    if (arg.min !== undefined) min = finite(name, 'min', arg.min);
    if (arg.max !== undefined) max = finite(name, 'max', arg.max);
    if (arg.precision !== undefined) precision = finite(name, 'precision', arg.precision);
  } else if (arg !== undefined) {
    throw new ArgumentError(`${name} takes a maximum or {"min":…,"max":…}, got ${JSON.stringify(arg)}`);
  }
  if (precision <= 0) throw new ArgumentError(`${name}: "precision" must be positive, got ${precision}`);
  const low = Math.ceil(min / precision - 1e-9);
  const high = Math.floor(max / precision + 1e-9);
  if (low > high) {
    throw new ArgumentError(`${name}: "min" (${min}) must not be greater than "max" (${max})`);
  }
  const steps = faker.number.int({ min: low, max: high });
  return precision === 1 ? steps : Number((steps * precision).toFixed(decimals(precision)));
}

const randomNumberHelper = (name: string): HelperEntry =>
  fn(name, 1, (args, { faker }) => randomNumber(name, args[0], faker), '({"min":10,"max":150})');

function arrayArg(name: string, value: unknown): unknown[] {
  if (value === undefined) return ['a', 'b', 'c']; // faker.js's default
  if (!Array.isArray(value) || value.length === 0) {
    throw new ArgumentError(`${name} takes a non-empty array, e.g. ["OK","FAIL","WARN"]`);
  }
  return value;
}

const arrayElement = (name: string): HelperEntry =>
  fn(
    name,
    1,
    (args, { faker }) => faker.helpers.arrayElement(arrayArg(name, args[0])),
    '(["OK","FAIL","WARN"])',
  );

/** The generator's own helper: `{"weights":[0.3,0.2,0.5],"data":["cat","fish","dog"]}`. */
const weightedArrayElement: Helper = (args, { faker }) => {
  const name = 'random.weightedArrayElement';
  arity(name, args, 1);
  // The generator's default: a dog or a cat, even odds.
  const [arg] = args.length ? args : [{ weights: [0.5, 0.5], data: ['dog', 'cat'] }];
  if (!isObject(arg) || !Array.isArray(arg.weights) || !Array.isArray(arg.data)) {
    throw new ArgumentError(`${name} takes {"weights":[…],"data":[…]}`);
  }
  const { weights, data } = arg as { weights: unknown[]; data: unknown[] };
  if (weights.length !== data.length || data.length === 0) {
    throw new ArgumentError(
      `${name} needs as many weights as data items, got ${weights.length} and ${data.length}`,
    );
  }
  const choices = weights.map((weight, i) => {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new ArgumentError(`${name}: weights must be numbers ≥ 0, got ${JSON.stringify(weight)}`);
    }
    return { weight, value: data[i] };
  });
  const positive = choices.filter((c) => c.weight > 0);
  if (positive.length === 0) throw new ArgumentError(`${name}: all weights are 0`);
  return faker.helpers.weightedArrayElement(positive);
};

// ---------------------------------------------------------------------------------------------
// Time

function timeArg(name: string, field: string, value: unknown): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    throw new ArgumentError(
      `${name}: "${field}" must be a date (ISO 8601 or milliseconds), got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

function formatArg(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new ArgumentError(`${name} takes a moment.js format string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `date.now`, `date.utc`, `date.simTime`: a moment of the record, formatted as moment does. */
function clock(name: string, zone: 'local' | 'utc', pick: (ctx: RenderContext) => number): HelperEntry {
  const fallback = zone === 'utc' ? DEFAULT_UTC_FORMAT : DEFAULT_LOCAL_FORMAT;
  return fn(
    name,
    1,
    (args, ctx) => formatDate(pick(ctx), formatArg(name, args[0]) ?? fallback, zone),
    '("YYYY-MM-DD HH:mm:ss")',
  );
}

const DAY_MS = 24 * 3600 * 1000;
const YEAR_MS = 365 * DAY_MS;

/** faker.js's `date.past`/`future`/`recent`: up to N years (days) from the reference time. */
function offsetDate(name: string, unit: 'years' | 'days', sign: 1 | -1, refArg: boolean): HelperEntry {
  const unitMs = unit === 'years' ? YEAR_MS : DAY_MS;
  return fn(name, refArg ? 2 : 1, (args, ctx) => {
    const span = num(name, unit, args[0]) || 1;
    const ref = refArg && args[1] !== undefined ? timeArg(name, 'refDate', args[1]) : ctx.now;
    return new Date(ref + sign * ctx.faker.number.int({ min: 1000, max: Math.max(1000, span * unitMs) }));
  });
}

const dateBetween: Helper = (args, { faker }) => {
  const name = 'date.between';
  arity(name, args, 2);
  const [a, b] = isObject(args[0]) && args.length === 1 ? [args[0].from, args[0].to] : args;
  const from = timeArg(name, 'from', a);
  const to = timeArg(name, 'to', b);
  if (to < from) throw new ArgumentError(`${name}: "to" must not be before "from"`);
  return new Date(from + faker.number.int({ min: 0, max: Math.floor(to - from) }));
};

const monthOrDay = (name: string, pick: 'month' | 'weekday'): HelperEntry =>
  fn(name, 1, (args, { faker }) => {
    const options = args[0] === undefined ? {} : args[0];
    if (!isObject(options)) throw new ArgumentError(`${name} takes {"abbr":true,"context":false}`);
    return faker.date[pick]({ abbreviated: options.abbr === true, context: options.context === true });
  });

// ---------------------------------------------------------------------------------------------
// Symbols, amounts, people

/** faker.js's replaceSymbolWithNumber: each `symbol` (default #) becomes a digit. */
function symbolsToDigits(faker: Faker, text: string, symbol = '#'): string {
  let out = '';
  for (const c of text) out += c === symbol ? String(faker.number.int(9)) : c;
  return out;
}

/** faker.js's replaceSymbols: # becomes a digit, ? an upper-case letter. */
function replaceSymbols(faker: Faker, text: string): string {
  let out = '';
  for (const c of text) {
    if (c === '#') out += String(faker.number.int(9));
    else if (c === '?') out += faker.string.alpha({ length: 1, casing: 'upper' });
    else out += c;
  }
  return out;
}

/** faker.js's finance.amount and commerce.price: a whole amount from min to max, with `dec` decimals. */
function amount(name: string, args: readonly unknown[], faker: Faker, negativeIsZero: boolean): string {
  const min = num(name, 'min', args[0]) || 0;
  const max = num(name, 'max', args[1]) || 1000;
  const dec = whole(name, 'dec', args[2] || undefined, 2);
  const symbol = str(name, 'symbol', args[3]) ?? '';
  if (negativeIsZero && (min < 0 || max < 0)) return `${symbol}0`;
  if (min > max) throw new ArgumentError(`${name}: "min" (${min}) must not be greater than "max" (${max})`);
  return symbol + faker.number.int({ min: Math.ceil(min), max: Math.floor(max) }).toFixed(dec);
}

/** faker.js's gender argument: 0 male, 1 female, else either. */
function sexOf(name: string, value: unknown): 'male' | 'female' | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 0 || value === 'male') return 'male';
  if (value === 1 || value === 'female') return 'female';
  throw new ArgumentError(`${name}: gender must be 0 (male) or 1 (female), got ${JSON.stringify(value)}`);
}

/** The generator's English phone formats (faker 9's, with its 2–9 digit `!` written as #). */
const phoneFormats = (faker: Faker): string[] =>
  (faker.definitions.phone_number.format.human as string[]).map((f) => f.replace(/!/g, '#'));

function hexColor(faker: Faker, bases: readonly unknown[]): string {
  const channel = (i: number) => {
    const base = num('internet.color', ['red', 'green', 'blue'][i], bases[i]) ?? 0;
    return Math.floor((faker.number.int(256) + base) / 2)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(1)}${channel(2)}`;
}

const IMAGE_CATEGORIES = [
  'abstract',
  'animals',
  'business',
  'cats',
  'city',
  'food',
  'nightlife',
  'fashion',
  'people',
  'nature',
  'sports',
  'technics',
  'transport',
] as const;

function imageUrl(name: string, args: readonly unknown[], faker: Faker, category?: string): string {
  const width = whole(name, 'width', args[0] || undefined, 640, 1);
  const height = whole(name, 'height', args[1] || undefined, 480, 1);
  return faker.image.urlLoremFlickr({ width, height, ...(category ? { category } : {}) });
}

const imageCategories: Record<string, HelperEntry> = Object.fromEntries(
  IMAGE_CATEGORIES.map((category) => [
    `image.${category}`,
    fn(`image.${category}`, 3, (args, { faker }) => imageUrl(`image.${category}`, args, faker, category)),
  ]),
);

/** The locales the generator's faker.js bundle holds. */
const FAKER3_LOCALES =
  'de de_AT de_CH en en_AU en_BORK en_CA en_GB en_IE en_IND en_US en_au_ocker es es_MX fa fr fr_CA ge id_ID it ja ko nb_NO nep nl pl pt_BR ru sk sv tr uk vi zh_CN zh_TW'.split(
    ' ',
  );

/** The helpers faker.js's `random.word` picks one of. */
const WORD_HELPERS = [
  'commerce.department',
  'commerce.productName',
  'commerce.productAdjective',
  'commerce.productMaterial',
  'commerce.product',
  'commerce.color',
  'company.catchPhraseAdjective',
  'company.catchPhraseDescriptor',
  'company.catchPhraseNoun',
  'company.bsAdjective',
  'company.bsBuzz',
  'company.bsNoun',
  'address.streetSuffix',
  'address.county',
  'address.country',
  'address.state',
  'finance.accountName',
  'finance.transactionType',
  'finance.currencyName',
  'hacker.noun',
  'hacker.verb',
  'hacker.adjective',
  'hacker.ingverb',
  'hacker.abbreviation',
  'name.jobDescriptor',
  'name.jobArea',
  'name.jobType',
];

const call = (name: string, ctx: RenderContext, ...args: unknown[]) => KDG_HELPERS[name].run(args, ctx);

function randomWords(args: readonly unknown[], ctx: RenderContext): string {
  const count = whole('random.words', 'count', args[0], ctx.faker.number.int({ min: 1, max: 3 }));
  return Array.from({ length: count }, () => call('random.word', ctx)).join(' ');
}

function paragraph(ctx: RenderContext, sentences: number): string {
  const count = sentences + ctx.faker.number.int(3);
  return ctx.faker.lorem.sentences(count, ' ');
}

const LOREM_TEXT = ['word', 'words', 'sentence', 'sentences', 'paragraph', 'paragraphs', 'lines'];

function card(ctx: RenderContext, kind: 'create' | 'contextual' | 'user'): Record<string, unknown> {
  const { faker } = ctx;
  const first = faker.person.firstName();
  const username =
    kind === 'contextual' ? faker.internet.username({ firstName: first }) : faker.internet.username();
  const geo = { lat: call('address.latitude', ctx), lng: call('address.longitude', ctx) };
  const address =
    kind === 'create'
      ? {
          streetA: faker.location.street(),
          streetB: faker.location.streetAddress(),
          streetC: faker.location.streetAddress(true),
          streetD: faker.location.secondaryAddress(),
          city: faker.location.city(),
          state: faker.location.state(),
          country: faker.location.country(),
          zipcode: faker.location.zipCode(),
          geo,
        }
      : {
          street: faker.location.street(),
          suite: faker.location.secondaryAddress(),
          city: faker.location.city(),
          zipcode: faker.location.zipCode(),
          geo,
        };
  const company = {
    name: faker.company.name(),
    catchPhrase: faker.company.catchPhrase(),
    bs: faker.company.buzzPhrase(),
  };
  const person =
    kind === 'contextual'
      ? {
          name: first,
          username,
          avatar: faker.image.avatar(),
          email: faker.internet.email({ firstName: first }),
        }
      : { name: faker.person.fullName(), username, email: faker.internet.email() };
  const card = {
    ...person,
    address,
    phone: faker.phone.number(),
    website: faker.internet.domainName(),
    company,
  };
  if (kind !== 'create') return card;
  const post = () => ({
    words: faker.lorem.words(),
    sentence: faker.lorem.sentence(),
    sentences: call('lorem.sentences', ctx),
    paragraph: call('lorem.paragraph', ctx),
  });
  return { ...card, posts: [post(), post(), post()], accountHistory: [1, 2, 3].map(() => transaction(ctx)) };
}

function transaction(ctx: RenderContext): Record<string, unknown> {
  const { faker } = ctx;
  return {
    amount: call('finance.amount', ctx),
    date: new Date(2012, 1, 2),
    business: faker.company.name(),
    name: `${faker.finance.accountName()} ${call('finance.mask', ctx)}`,
    type: faker.finance.transactionType(),
    account: faker.finance.accountNumber(8),
  };
}

// ---------------------------------------------------------------------------------------------
// The table

/** Every helper by the name a generator template uses. */
export const KDG_HELPERS: Readonly<Record<string, HelperEntry>> = {
  // The generator's own helpers.
  'date.now': clock('date.now', 'local', (ctx) => ctx.now),
  'date.utc': clock('date.utc', 'utc', (ctx) => ctx.now),
  'date.simTime': clock('date.simTime', 'local', (ctx) => ctx.simTime ?? ctx.now),
  /** The generator rewrites {{current.timestamp}} to {{date.now}}. */
  'current.timestamp': fn('current.timestamp', 0, (_args, ctx) =>
    formatDate(ctx.now, DEFAULT_LOCAL_FORMAT, 'local'),
  ),
  'random.weightedArrayElement': {
    run: weightedArrayElement,
    example: '({"weights":[0.3,0.2,0.5],"data":["cat","fish","dog"]})',
  },

  // random
  'random.number': randomNumberHelper('random.number'),
  'random.arrayElement': arrayElement('random.arrayElement'),
  'random.objectElement': fn(
    'random.objectElement',
    2,
    (args, { faker }) => {
      const object = args[0] === undefined ? { foo: 'bar', too: 'car' } : args[0];
      if (!isObject(object) || Object.keys(object).length === 0) {
        throw new ArgumentError('random.objectElement takes a non-empty object, e.g. {"a":1,"b":2}');
      }
      const key = faker.helpers.arrayElement(Object.keys(object));
      return args[1] === 'key' ? key : object[key];
    },
    '({"small":1,"large":3})',
  ),
  'random.uuid': plain('random.uuid', (faker) => faker.string.uuid()),
  'random.boolean': plain('random.boolean', (faker) => faker.datatype.boolean()),
  'random.word': fn('random.word', 1, (_args, ctx) =>
    call(ctx.faker.helpers.arrayElement(WORD_HELPERS), ctx),
  ),
  'random.words': fn('random.words', 1, randomWords, '(3)'),
  'random.image': plain('random.image', (_faker, ctx) => call('image.image', ctx)),
  'random.locale': plain('random.locale', (faker) => faker.helpers.arrayElement(FAKER3_LOCALES)),
  'random.alphaNumeric': fn(
    'random.alphaNumeric',
    1,
    (args, { faker }) =>
      faker.string.alphanumeric({
        length: whole('random.alphaNumeric', 'count', args[0], 1, 1),
        casing: 'lower',
      }),
    '(8)',
  ),
  'random.alpha': fn(
    'random.alpha',
    1,
    (args, { faker }) => {
      const options = isObject(args[0]) ? args[0] : { count: args[0] };
      const length = whole('random.alpha', 'count', options.count, 1, 1);
      return faker.string.alpha({ length, casing: options.upcase === true ? 'upper' : 'lower' });
    },
    '({"count":5})',
  ),
  'random.hexaDecimal': fn(
    'random.hexaDecimal',
    1,
    (args, { faker }) =>
      faker.string.hexadecimal({
        length: whole('random.hexaDecimal', 'count', args[0], 1, 1),
        casing: 'lower',
      }),
    '(6)',
  ),

  // datatype (faker.js 5)
  'datatype.number': randomNumberHelper('datatype.number'),
  'datatype.float': fn('datatype.float', 1, (args, { faker }) => {
    const options = typeof args[0] === 'number' ? { max: args[0] } : (args[0] ?? {});
    if (!isObject(options)) throw new ArgumentError('datatype.float takes a maximum or {"min":…,"max":…}');
    return randomNumber('datatype.float', { precision: 0.01, ...options }, faker);
  }),
  'datatype.uuid': plain('datatype.uuid', (faker) => faker.string.uuid()),
  'datatype.string': fn('datatype.string', 1, (args, { faker }) =>
    faker.string.sample(whole('datatype.string', 'length', args[0], 10)),
  ),
  'datatype.hexaDecimal': fn('datatype.hexaDecimal', 1, (args, { faker }) =>
    faker.string.hexadecimal({
      length: whole('datatype.hexaDecimal', 'count', args[0], 1, 1),
      casing: 'lower',
    }),
  ),

  // address
  'address.zipCode': fn(
    'address.zipCode',
    1,
    (args, { faker }) => {
      const format = str('address.zipCode', 'format', args[0]);
      return format === undefined ? faker.location.zipCode() : replaceSymbols(faker, format);
    },
    '("#####-####")',
  ),
  'address.city': fn('address.city', 1, (_args, { faker }) => faker.location.city()),
  'address.cityPrefix': plain('address.cityPrefix', (faker) =>
    faker.helpers.arrayElement(faker.definitions.location.city_prefix),
  ),
  'address.citySuffix': plain('address.citySuffix', (faker) =>
    faker.helpers.arrayElement(faker.definitions.location.city_suffix),
  ),
  'address.streetName': plain('address.streetName', (faker) => faker.location.street()),
  'address.streetAddress': fn('address.streetAddress', 1, (args, { faker }) =>
    faker.location.streetAddress(bool('address.streetAddress', 'useFullAddress', args[0]) ?? false),
  ),
  'address.streetSuffix': plain('address.streetSuffix', (faker) =>
    faker.helpers.arrayElement(faker.definitions.location.street_suffix),
  ),
  /** English data has no street prefixes; faker.js then picks from its default a, b, c. */
  'address.streetPrefix': plain('address.streetPrefix', (faker) =>
    faker.helpers.arrayElement(['a', 'b', 'c']),
  ),
  'address.secondaryAddress': plain('address.secondaryAddress', (faker) => faker.location.secondaryAddress()),
  'address.county': plain('address.county', (faker) => faker.location.county()),
  'address.country': plain('address.country', (faker) => faker.location.country()),
  'address.countryCode': plain('address.countryCode', (faker) => faker.location.countryCode()),
  'address.state': fn('address.state', 1, (_args, { faker }) => faker.location.state()),
  'address.stateAbbr': plain('address.stateAbbr', (faker) => faker.location.state({ abbreviated: true })),
  'address.latitude': plain('address.latitude', (faker) =>
    faker.location.latitude({ precision: 4 }).toFixed(4),
  ),
  'address.longitude': plain('address.longitude', (faker) =>
    faker.location.longitude({ precision: 4 }).toFixed(4),
  ),

  // commerce
  'commerce.color': plain('commerce.color', (faker) => faker.color.human()),
  'commerce.department': fn('commerce.department', 2, (_args, { faker }) => faker.commerce.department()),
  'commerce.productName': plain('commerce.productName', (faker) => faker.commerce.productName()),
  'commerce.price': fn(
    'commerce.price',
    4,
    (args, { faker }) => amount('commerce.price', args, faker, true),
    '(1, 100, 2, "$")',
  ),
  'commerce.productAdjective': plain('commerce.productAdjective', (faker) =>
    faker.commerce.productAdjective(),
  ),
  'commerce.productMaterial': plain('commerce.productMaterial', (faker) => faker.commerce.productMaterial()),
  'commerce.product': plain('commerce.product', (faker) => faker.commerce.product()),

  // company
  'company.suffixes': plain('company.suffixes', (faker) => [
    ...(faker.definitions.company.legal_entity_type as string[]),
  ]),
  'company.companyName': fn('company.companyName', 1, (_args, { faker }) => faker.company.name()),
  'company.companySuffix': plain('company.companySuffix', (faker) =>
    faker.helpers.arrayElement(faker.definitions.company.legal_entity_type as string[]),
  ),
  'company.catchPhrase': plain('company.catchPhrase', (faker) => faker.company.catchPhrase()),
  'company.bs': plain('company.bs', (faker) => faker.company.buzzPhrase()),
  'company.catchPhraseAdjective': plain('company.catchPhraseAdjective', (faker) =>
    faker.company.catchPhraseAdjective(),
  ),
  'company.catchPhraseDescriptor': plain('company.catchPhraseDescriptor', (faker) =>
    faker.company.catchPhraseDescriptor(),
  ),
  'company.catchPhraseNoun': plain('company.catchPhraseNoun', (faker) => faker.company.catchPhraseNoun()),
  'company.bsAdjective': plain('company.bsAdjective', (faker) => faker.company.buzzAdjective()),
  'company.bsBuzz': plain('company.bsBuzz', (faker) => faker.company.buzzVerb()),
  'company.bsNoun': plain('company.bsNoun', (faker) => faker.company.buzzNoun()),

  // date
  'date.past': { ...offsetDate('date.past', 'years', -1, true), example: '(2)' },
  'date.future': { ...offsetDate('date.future', 'years', 1, true), example: '(2)' },
  'date.recent': { ...offsetDate('date.recent', 'days', -1, false), example: '(7)' },
  'date.between': { run: dateBetween, example: '("2020-01-01","2020-12-31")' },
  'date.month': { ...monthOrDay('date.month', 'month'), example: '({"abbr":true})' },
  'date.weekday': monthOrDay('date.weekday', 'weekday'),

  // finance
  'finance.account': fn(
    'finance.account',
    1,
    (args, { faker }) =>
      faker.finance.accountNumber(whole('finance.account', 'length', args[0] || undefined, 8, 1)),
    '(10)',
  ),
  'finance.accountName': plain('finance.accountName', (faker) => faker.finance.accountName()),
  'finance.mask': fn('finance.mask', 3, (args, { faker }) => {
    const digits = faker.string.numeric(whole('finance.mask', 'length', args[0] || undefined, 4, 1));
    const withDots = args[2] ? `...${digits}` : digits;
    return args[1] ? `(${withDots})` : withDots;
  }),
  'finance.amount': fn(
    'finance.amount',
    4,
    (args, { faker }) => amount('finance.amount', args, faker, false),
    '(100, 5000, 2, "$")',
  ),
  'finance.transactionType': plain('finance.transactionType', (faker) => faker.finance.transactionType()),
  'finance.currencyCode': plain('finance.currencyCode', (faker) => faker.finance.currencyCode()),
  'finance.currencyName': plain('finance.currencyName', (faker) => faker.finance.currencyName()),
  'finance.currencySymbol': plain('finance.currencySymbol', (faker) => {
    for (;;) {
      const symbol = faker.finance.currency().symbol;
      if (symbol) return symbol;
    }
  }),
  'finance.bitcoinAddress': plain('finance.bitcoinAddress', (faker) => faker.finance.bitcoinAddress()),

  // hacker
  'hacker.abbreviation': plain('hacker.abbreviation', (faker) => faker.hacker.abbreviation()),
  'hacker.adjective': plain('hacker.adjective', (faker) => faker.hacker.adjective()),
  'hacker.noun': plain('hacker.noun', (faker) => faker.hacker.noun()),
  'hacker.verb': plain('hacker.verb', (faker) => faker.hacker.verb()),
  'hacker.ingverb': plain('hacker.ingverb', (faker) => faker.hacker.ingverb()),
  'hacker.phrase': plain('hacker.phrase', (faker) => faker.hacker.phrase()),

  // helpers
  'helpers.randomize': arrayElement('helpers.randomize'),
  'helpers.slugify': fn(
    'helpers.slugify',
    1,
    (args) => (str('helpers.slugify', 'string', args[0]) ?? '').replace(/ /g, '-').replace(/[^\w.-]+/g, ''),
    '("Hello World!")',
  ),
  'helpers.replaceSymbolWithNumber': fn(
    'helpers.replaceSymbolWithNumber',
    2,
    (args, { faker }) =>
      symbolsToDigits(
        faker,
        str('helpers.replaceSymbolWithNumber', 'string', args[0]) ?? '',
        str('helpers.replaceSymbolWithNumber', 'symbol', args[1]) ?? '#',
      ),
    '("SN-####")',
  ),
  'helpers.replaceSymbols': fn(
    'helpers.replaceSymbols',
    1,
    (args, { faker }) => replaceSymbols(faker, str('helpers.replaceSymbols', 'string', args[0]) ?? ''),
    '("??-####")',
  ),
  'helpers.shuffle': fn(
    'helpers.shuffle',
    1,
    (args, { faker }) => faker.helpers.shuffle([...arrayArg('helpers.shuffle', args[0])]),
    '([1,2,3,4])',
  ),
  'helpers.mustache': fn(
    'helpers.mustache',
    2,
    (args, { faker }) => {
      const text = str('helpers.mustache', 'string', args[0]);
      const data = args[1] ?? {};
      if (!isObject(data)) throw new ArgumentError('helpers.mustache takes a string and an object');
      return text === undefined ? '' : faker.helpers.mustache(text, data as Record<string, string>);
    },
    '("Hi {{name}}", {"name":"Bo"})',
  ),
  'helpers.createCard': plain('helpers.createCard', (_faker, ctx) => card(ctx, 'create')),
  'helpers.contextualCard': plain('helpers.contextualCard', (_faker, ctx) => card(ctx, 'contextual')),
  'helpers.userCard': plain('helpers.userCard', (_faker, ctx) => card(ctx, 'user')),
  'helpers.createTransaction': plain('helpers.createTransaction', (_faker, ctx) => transaction(ctx)),

  // image
  'image.image': fn('image.image', 3, (args, { faker }) =>
    imageUrl('image.image', args, faker, faker.helpers.arrayElement(IMAGE_CATEGORIES)),
  ),
  'image.avatar': plain('image.avatar', (faker) => faker.image.avatar()),
  'image.imageUrl': fn(
    'image.imageUrl',
    4,
    (args, { faker }) => imageUrl('image.imageUrl', args, faker, str('image.imageUrl', 'category', args[2])),
    '(320, 240, "cats")',
  ),
  ...imageCategories,

  // internet
  'internet.avatar': plain('internet.avatar', (faker) => faker.image.avatar()),
  'internet.email': fn('internet.email', 3, (args, { faker }) =>
    faker.internet.email({
      firstName: str('internet.email', 'firstName', args[0]),
      lastName: str('internet.email', 'lastName', args[1]),
      provider: str('internet.email', 'provider', args[2]),
    }),
  ),
  'internet.exampleEmail': fn('internet.exampleEmail', 2, (args, { faker }) =>
    faker.internet.exampleEmail({
      firstName: str('internet.exampleEmail', 'firstName', args[0]),
      lastName: str('internet.exampleEmail', 'lastName', args[1]),
    }),
  ),
  'internet.userName': fn('internet.userName', 2, (args, { faker }) =>
    faker.internet.username({
      firstName: str('internet.userName', 'firstName', args[0]),
      lastName: str('internet.userName', 'lastName', args[1]),
    }),
  ),
  'internet.protocol': plain('internet.protocol', (faker) => faker.internet.protocol()),
  'internet.url': plain('internet.url', (faker) => faker.internet.url({ appendSlash: false })),
  'internet.domainName': plain('internet.domainName', (faker) => faker.internet.domainName()),
  'internet.domainSuffix': plain('internet.domainSuffix', (faker) => faker.internet.domainSuffix()),
  'internet.domainWord': plain('internet.domainWord', (faker) => faker.internet.domainWord()),
  /** faker.js 3's ip is IPv4 only (faker 9's may be IPv6). */
  'internet.ip': plain('internet.ip', (faker) => faker.internet.ipv4()),
  'internet.userAgent': plain('internet.userAgent', (faker) => faker.internet.userAgent()),
  'internet.color': fn('internet.color', 3, (args, { faker }) => hexColor(faker, args)),
  'internet.mac': plain('internet.mac', (faker) => faker.internet.mac()),
  'internet.password': fn(
    'internet.password',
    4,
    (args, { faker }) => {
      const pattern = str('internet.password', 'pattern', args[2]);
      return faker.internet.password({
        length: whole('internet.password', 'length', args[0] || undefined, 15, 1),
        memorable: bool('internet.password', 'memorable', args[1]) ?? false,
        ...(pattern ? { pattern: new RegExp(pattern) } : {}),
        prefix: str('internet.password', 'prefix', args[3]) ?? '',
      });
    },
    '(12)',
  ),

  // lorem
  'lorem.word': fn('lorem.word', 1, (_args, { faker }) => faker.lorem.word()),
  'lorem.words': fn(
    'lorem.words',
    1,
    (args, { faker }) => faker.lorem.words(whole('lorem.words', 'num', args[0], 3)),
    '(5)',
  ),
  'lorem.sentence': fn('lorem.sentence', 2, (args, { faker }) =>
    faker.lorem.sentence(num('lorem.sentence', 'wordCount', args[0]) ?? { min: 3, max: 10 }),
  ),
  'lorem.sentences': fn('lorem.sentences', 2, (args, { faker }) =>
    faker.lorem.sentences(
      whole('lorem.sentences', 'sentenceCount', args[0], faker.number.int({ min: 2, max: 6 })),
      str('lorem.sentences', 'separator', args[1]) ?? ' ',
    ),
  ),
  'lorem.paragraph': fn('lorem.paragraph', 1, (args, ctx) =>
    paragraph(ctx, whole('lorem.paragraph', 'sentenceCount', args[0], 3)),
  ),
  'lorem.paragraphs': fn('lorem.paragraphs', 2, (args, ctx) => {
    const count = whole('lorem.paragraphs', 'paragraphCount', args[0], 3);
    const separator = str('lorem.paragraphs', 'separator', args[1]) ?? '\n \r';
    return Array.from({ length: count }, () => paragraph(ctx, 3)).join(separator);
  }),
  'lorem.text': fn('lorem.text', 1, (_args, ctx) =>
    call(`lorem.${ctx.faker.helpers.arrayElement(LOREM_TEXT)}`, ctx),
  ),
  'lorem.lines': fn('lorem.lines', 1, (args, { faker }) =>
    faker.lorem.sentences(
      whole('lorem.lines', 'lineCount', args[0], faker.number.int({ min: 1, max: 5 })),
      '\n',
    ),
  ),

  // name
  'name.firstName': fn(
    'name.firstName',
    1,
    (args, { faker }) => faker.person.firstName(sexOf('name.firstName', args[0])),
    '(1)',
  ),
  'name.lastName': fn('name.lastName', 1, (args, { faker }) =>
    faker.person.lastName(sexOf('name.lastName', args[0])),
  ),
  'name.findName': fn('name.findName', 3, (args, { faker }) =>
    faker.person.fullName({
      firstName: str('name.findName', 'firstName', args[0]),
      lastName: str('name.findName', 'lastName', args[1]),
      sex: sexOf('name.findName', args[2]),
    }),
  ),
  'name.jobTitle': plain('name.jobTitle', (faker) => faker.person.jobTitle()),
  'name.prefix': fn('name.prefix', 1, (args, { faker }) =>
    faker.person.prefix(sexOf('name.prefix', args[0])),
  ),
  'name.suffix': plain('name.suffix', (faker) => faker.person.suffix()),
  'name.title': plain('name.title', (faker) => faker.person.jobTitle()),
  'name.jobDescriptor': plain('name.jobDescriptor', (faker) => faker.person.jobDescriptor()),
  'name.jobArea': plain('name.jobArea', (faker) => faker.person.jobArea()),
  'name.jobType': plain('name.jobType', (faker) => faker.person.jobType()),

  // phone
  'phone.phoneNumber': fn(
    'phone.phoneNumber',
    1,
    (args, { faker }) => {
      const format = str('phone.phoneNumber', 'format', args[0]);
      return format === undefined ? faker.phone.number() : symbolsToDigits(faker, format);
    },
    '("(###) ###-####")',
  ),
  'phone.phoneNumberFormat': fn('phone.phoneNumberFormat', 1, (args, { faker }) => {
    const formats = phoneFormats(faker);
    const index = whole('phone.phoneNumberFormat', 'index', args[0], 0);
    if (index >= formats.length) {
      throw new ArgumentError(
        `phone.phoneNumberFormat: "index" must be below ${formats.length}, got ${index}`,
      );
    }
    return symbolsToDigits(faker, formats[index]);
  }),
  'phone.phoneFormats': plain('phone.phoneFormats', (faker) =>
    faker.helpers.arrayElement(phoneFormats(faker)),
  ),

  // system
  'system.fileName': fn('system.fileName', 2, (_args, { faker }) => faker.system.fileName()),
  'system.commonFileName': fn('system.commonFileName', 2, (args, { faker }) =>
    faker.system.commonFileName(str('system.commonFileName', 'ext', args[0])),
  ),
  'system.mimeType': plain('system.mimeType', (faker) => faker.system.mimeType()),
  'system.commonFileType': plain('system.commonFileType', (faker) => faker.system.commonFileType()),
  'system.commonFileExt': fn('system.commonFileExt', 1, (_args, { faker }) => faker.system.commonFileExt()),
  'system.fileType': plain('system.fileType', (faker) => faker.system.fileType()),
  'system.fileExt': fn(
    'system.fileExt',
    1,
    (args, { faker }) => faker.system.fileExt(str('system.fileExt', 'mimeType', args[0])),
    '("image/png")',
  ),
  'system.directoryPath': plain('system.directoryPath', (faker) => faker.system.directoryPath()),
  'system.filePath': plain('system.filePath', (faker) => faker.system.filePath()),
  'system.semver': plain('system.semver', (faker) => faker.system.semver()),
};

/** faker.js 4 namespaces that faker renamed: `name.middleName` is `person.middleName`. */
const MODULE_ALIASES: Readonly<Record<string, string>> = { name: 'person', address: 'location' };

/** faker 9 modules a template may call; everything else on the instance is internal. */
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

/** A faker 9 method by dotted name (`person.jobTitle`, `vehicle.vin`), or undefined. */
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

/** The helper a template names: the generator's name first, else a faker 9 method. */
export function helperNamed(name: string, probe: Faker): Helper | undefined {
  return Object.hasOwn(KDG_HELPERS, name) ? KDG_HELPERS[name].run : fakerHelper(name, probe);
}
