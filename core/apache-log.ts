/**
 * Apache logs: parsing the Common and Combined Log Formats and the error log into the Kinesis
 * Agent's field names, and a generator of realistic combined-log lines for demos and tests.
 */
import { seededRandom, type Random } from './movement';
import { invalid, ok, type Parsed } from './result';

export type ApacheLogFormat = 'COMMONAPACHELOG' | 'COMBINEDAPACHELOG';

/**
 * Field names in the order Apache writes them, exactly as the Kinesis Agent's LOGTOJSON option
 * names them, so records read the same whichever agent shipped them.
 */
const COMMON_LOG_FIELDS = ['host', 'ident', 'authuser', 'datetime', 'request', 'response', 'bytes'];
export const APACHE_LOG_FIELDS: { readonly [F in ApacheLogFormat]: readonly string[] } = {
  COMMONAPACHELOG: COMMON_LOG_FIELDS,
  COMBINEDAPACHELOG: [...COMMON_LOG_FIELDS, 'referer', 'agent'],
};

/** An access-log entry as the agent emits it: every value a string, and `-` (not logged) as null. */
export type ApacheLogRecord = Record<string, string | null>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A quoted field as Apache writes it: `\"` and `\\` escaped inside, possibly empty. */
const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const NUMBER_OR_DASH = String.raw`(-|-?\d+)`;
const HTTP_DATE = String.raw`(\d{1,2}/([A-Z][a-z]{2})/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})`;
// host ident authuser [datetime] "request" status bytes
const COMMON = String.raw`^(\S+) (\S+) (\S+) \[${HTTP_DATE}\] ${QUOTED} ${NUMBER_OR_DASH} ${NUMBER_OR_DASH}`;
// Anything may follow the standard fields (LogFormat extensions such as %D), after a space.
const REST = String.raw`(?:\s.*)?$`;
const PATTERNS: { readonly [F in ApacheLogFormat]: RegExp } = {
  COMMONAPACHELOG: new RegExp(COMMON + REST, 's'),
  COMBINEDAPACHELOG: new RegExp(`${COMMON} ${QUOTED} ${QUOTED}${REST}`, 's'),
};

/**
 * The field values of one access-log line, in Apache's order, with `-` as null. Lines the
 * Kinesis Agent's own patterns reject but Apache does write are accepted: IPv6 clients, empty
 * quoted fields (`""`) and escaped quotes inside them. Quoted values are kept as written.
 */
export function matchApacheLog(line: string, format: ApacheLogFormat): Parsed<(string | null)[]> {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  const match = PATTERNS[format].exec(text);
  if (!match) {
    return invalid(
      `not an Apache ${format === 'COMMONAPACHELOG' ? 'common' : 'combined'} log line: ${preview(text)}`,
    );
  }
  const [, host, ident, authuser, datetime, month, ...rest] = match;
  if (!MONTHS.includes(month)) return invalid(`unknown month "${month}" in [${datetime}]`);
  const values = [host, ident, authuser, datetime, ...rest.slice(0, APACHE_LOG_FIELDS[format].length - 4)];
  return ok(values.map((value) => (value === '-' ? null : value)));
}

/** One access-log line as a record keyed by the agent's field names (or `fieldNames`, same count). */
export function parseApacheLog(
  line: string,
  format: ApacheLogFormat,
  fieldNames: readonly string[] = APACHE_LOG_FIELDS[format],
): Parsed<ApacheLogRecord> {
  const values = matchApacheLog(line, format);
  if (!values.ok) return values;
  return ok(Object.fromEntries(fieldNames.map((name, i) => [name, values.value[i]])));
}

/**
 * Apache's error log, in the Kinesis Agent's APACHEERRORLOG field names: `[timestamp]
 * [module:severity] [pid N:tid N] [client host:port] message`. Apache 2.4 writes module and
 * thread; 2.2 writes neither, and lines from the server itself have no client: those fields
 * are null then.
 */
export const APACHE_ERROR_LOG_FIELDS = [
  'timestamp',
  'module',
  'severity',
  'processid',
  'threadid',
  'client',
  'message',
] as const;

const DAY_NAME = String.raw`(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*`;
const MONTH_NAME = String.raw`(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*`;
// Fri Sep 09 10:42:29.902022 2011
const ERROR_TIME = String.raw`${DAY_NAME} +${MONTH_NAME} +\d{1,2} +\d{1,2}:\d{2}:\d{2}(?:[.,:]\d+)? +\d{4}`;
const ERROR_LINE = new RegExp(
  String.raw`^\[(${ERROR_TIME})\] \[(?:(\w+):)?(\w+)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client:? ([^\]]+)\])? (.*)$`,
);

/** The field values of one error-log line, in APACHE_ERROR_LOG_FIELDS order. */
export function matchApacheErrorLog(line: string): Parsed<(string | null)[]> {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  const match = ERROR_LINE.exec(text);
  if (!match) return invalid(`not an Apache error log line: ${preview(text)}`);
  return ok(match.slice(1).map((value) => (value === undefined || value === '-' ? null : value)));
}

function preview(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Generating realistic lines

export interface AccessLogEntry {
  readonly host: string;
  readonly ident?: string;
  readonly authuser?: string;
  /** Epoch milliseconds; written in UTC. */
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly protocol?: string;
  readonly status: number;
  /** Response body bytes; null is written as `-` (Apache's %b for an empty body). */
  readonly bytes: number | null;
  readonly referer?: string | null;
  readonly agent?: string | null;
}

/** Apache's %t: `05/Jun/2017:09:17:00 +0000` (always UTC here). */
export function formatApacheTime(time: number | Date): string {
  const d = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

const quote = (value: string | null | undefined) =>
  `"${value === null || value === undefined ? '-' : value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** One line in Apache's Combined Log Format, without the trailing newline. */
export function formatCombinedLogLine(entry: AccessLogEntry): string {
  return [
    entry.host,
    entry.ident ?? '-',
    entry.authuser ?? '-',
    `[${formatApacheTime(entry.time)}]`,
    quote(`${entry.method} ${entry.path} ${entry.protocol ?? 'HTTP/1.1'}`),
    String(entry.status),
    entry.bytes === null ? '-' : String(entry.bytes),
    quote(entry.referer),
    quote(entry.agent),
  ].join(' ');
}

const SITE = 'https://www.wildrydes.com';

/** Pages of the Wild Rydes site: weight (how often requested), body size, method. */
const PAGES: readonly { path: string; weight: number; bytes: number; method?: string; static?: boolean }[] = [
  { path: '/', weight: 20, bytes: 10_234 },
  { path: '/index.html', weight: 6, bytes: 10_234 },
  { path: '/ride.html', weight: 14, bytes: 7_812 },
  { path: '/unicorns.html', weight: 8, bytes: 6_045 },
  { path: '/investors.html', weight: 3, bytes: 5_330 },
  { path: '/faq.html', weight: 3, bytes: 4_120 },
  { path: '/register.html', weight: 4, bytes: 3_908 },
  { path: '/css/main.css', weight: 14, bytes: 18_422, static: true },
  { path: '/js/ride.js', weight: 10, bytes: 12_760, static: true },
  { path: '/images/wr-home-unicorn.png', weight: 8, bytes: 152_907, static: true },
  { path: '/favicon.ico', weight: 6, bytes: 1_150, static: true },
  { path: '/ride', weight: 5, bytes: 212, method: 'POST' },
  { path: '/wp-login.php', weight: 1, bytes: 196 },
  { path: '/.env', weight: 1, bytes: 196 },
];
const PAGE_WEIGHT = PAGES.reduce((sum, p) => sum + p.weight, 0);

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'curl/8.5.0',
];
const REFERERS = ['https://www.google.com/', 'https://duckduckgo.com/', 'https://news.ycombinator.com/'];
/** Documentation address ranges (RFC 5737, RFC 3849): realistic shape, nobody's real address. */
const NETWORKS = ['192.0.2.', '198.51.100.', '203.0.113.'];

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A visitor: one address and browser, as one person's requests share them. */
function visitor(index: number): { host: string; agent: string } {
  const host =
    index % 10 === 9
      ? `2001:db8::${(index * 37).toString(16)}`
      : `${NETWORKS[index % NETWORKS.length]}${1 + ((index * 53) % 254)}`;
  return { host, agent: AGENTS[(index * 5) % AGENTS.length] };
}

/**
 * One realistic request at `time`: mostly pages and their assets, some 304s for cached assets,
 * a few 404s from scanners, a rare 500; referers from the site itself or a search engine.
 */
export function randomAccessLogEntry(random: Random, time: number): AccessLogEntry {
  const who = visitor(Math.floor(random() * 40));
  let roll = random() * PAGE_WEIGHT;
  const page = PAGES.find((p) => (roll -= p.weight) < 0) ?? PAGES[0];
  const scanner = page.path === '/wp-login.php' || page.path === '/.env';
  const fault = random() < 0.005;
  const cached = !fault && page.static === true && random() < 0.25;
  const status = scanner ? 404 : fault ? 500 : cached ? 304 : page.method === 'POST' ? 201 : 200;
  const bytes =
    status === 304 ? null : status === 500 ? 531 : page.bytes + (page.static ? 0 : Math.floor(random() * 64));
  const from = random();
  const referer = scanner || from < 0.3 ? null : from < 0.45 ? pick(random, REFERERS) : `${SITE}/`;
  return {
    host: who.host,
    time,
    method: page.method ?? 'GET',
    path: page.path,
    status,
    bytes,
    referer,
    agent: scanner ? 'python-requests/2.32.3' : who.agent,
  };
}

/** Lines a log shipper must survive: not access-log lines at all, or cut short. */
const MALFORMED = [
  'GET /index.html HTTP/1.1',
  '[notice] caught SIGTERM, shutting down',
  '203.0.113.9 - - [05/Jun/2017:09:17:00 +0000] "GET /ride.html',
];

export interface AccessLogOptions {
  readonly count: number;
  /** Time of the first request. */
  readonly start: number | Date;
  /** Mean time between requests (exponentially distributed). @default 200 */
  readonly meanIntervalMs?: number;
  /** @default 1 */
  readonly seed?: number;
  /** Make every Nth line malformed, to watch a shipper count it. @default never */
  readonly malformedEvery?: number;
  /** Source of randomness (overrides `seed`), so a caller can continue one sequence. */
  readonly random?: Random;
}

/**
 * `count` combined-log lines (without newlines) with increasing times from `start`: a pure
 * function of its options, so the same seed gives the same log.
 */
export function generateAccessLog(options: AccessLogOptions): string[] {
  const random = options.random ?? seededRandom(options.seed ?? 1);
  const mean = options.meanIntervalMs ?? 200;
  let time = new Date(options.start).getTime();
  const lines: string[] = [];
  for (let i = 1; i <= options.count; i++) {
    if (options.malformedEvery !== undefined && i % options.malformedEvery === 0) {
      lines.push(MALFORMED[(i / options.malformedEvery) % MALFORMED.length]);
    } else {
      lines.push(formatCombinedLogLine(randomAccessLogEntry(random, Math.floor(time))));
    }
    time += -Math.log(1 - random()) * mean;
  }
  return lines;
}
