/**
 * The Kinesis Agent's configuration format (`/etc/aws-kinesis/agent.json`), read and checked
 * so that an existing agent configuration works unchanged. Every key is accounted for: keys
 * log-agent uses, keys of the Java agent it does not need (reported as ignored), keys whose
 * absence would change what is sent (refused with a reason), and anything else, which is a
 * mistake (refused, with the nearest known key suggested).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { APACHE_LOG_FIELDS, type ApacheLogFormat } from '#core/apache-log';
import { PUT_RECORDS_LIMITS } from '#core/settings';

export type PartitionKeyOption = 'RANDOM' | 'DETERMINISTIC';
export type InitialPosition = 'START_OF_FILE' | 'END_OF_FILE';
/** What to do with a line LOGTOJSON cannot parse: drop it (the Java agent's behaviour) or send it as it is. */
export type MalformedLineAction = 'SKIP' | 'SEND_RAW';

export type DataProcessingOption =
  | {
      readonly optionName: 'LOGTOJSON';
      readonly logFormat: ApacheLogFormat;
      /** A regular expression with one group per field, replacing the format's own pattern. */
      readonly matchPattern?: string;
      readonly customFieldNames?: readonly string[];
      readonly jsonFormat: 'COMPACT' | 'PRETTYPRINT';
      readonly malformedLines: MalformedLineAction;
    }
  | { readonly optionName: 'SINGLELINE' };

export interface FlowConfig {
  /** `kinesis:<stream>:<absolute file pattern>`, as the Java agent names its flows; keys the checkpoints. */
  readonly id: string;
  /** The pattern as written in the configuration. */
  readonly filePattern: string;
  /** Absolute directory the pattern's files live in. */
  readonly directory: string;
  /** Glob for file names in `directory`. */
  readonly fileGlob: string;
  readonly kinesisStream: string;
  readonly partitionKeyOption: PartitionKeyOption;
  readonly initialPosition: InitialPosition;
  readonly maxBufferAgeMillis: number;
  readonly maxBufferSizeRecords: number;
  readonly maxBufferSizeBytes: number;
  readonly minTimeBetweenFilePollsMillis: number;
  readonly retryInitialBackoffMillis: number;
  readonly retryMaxBackoffMillis: number;
  /** Appended to a line cut at the record size limit. */
  readonly truncatedRecordTerminator: string;
  readonly dataProcessingOptions: readonly DataProcessingOption[];
}

export interface AgentConfig {
  readonly checkpointFile: string;
  readonly kinesisEndpoint?: string;
  readonly kinesisRegion?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly statusReportingPeriodSeconds: number;
  /** How long a stop may spend sending what was read. */
  readonly shutdownTimeoutMillis: number;
  /** Checkpoints of files not seen for this long are forgotten. */
  readonly checkpointTimeToLiveDays: number;
  readonly flows: readonly FlowConfig[];
}

/** One or more problems that make a configuration unusable, each a sentence a person can act on. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

export interface ParsedConfig {
  readonly config: AgentConfig;
  /** Keys that have no effect here, and settings that work but deserve a second look. */
  readonly warnings: readonly string[];
}

export interface ParseOptions {
  /** Relative file patterns and checkpoint paths are resolved against this. @default process.cwd() */
  readonly baseDir?: string;
  /** @default the environment */
  readonly env?: NodeJS.ProcessEnv;
}

/** Java agent defaults and limits (KinesisFileFlow, FileFlow, AgentConfiguration). */
export const FLOW_DEFAULTS = {
  maxBufferAgeMillis: 60_000,
  maxBufferSizeRecords: PUT_RECORDS_LIMITS.maxRecords,
  maxBufferSizeBytes: PUT_RECORDS_LIMITS.maxRequestBytes,
  minTimeBetweenFilePollsMillis: 100,
  retryInitialBackoffMillis: 100,
  retryMaxBackoffMillis: 10_000,
  truncatedRecordTerminator: '\n',
} as const;

const RANGES = {
  maxBufferAgeMillis: [1_000, 900_000],
  maxBufferSizeRecords: [1, PUT_RECORDS_LIMITS.maxRecords],
  maxBufferSizeBytes: [1, PUT_RECORDS_LIMITS.maxRequestBytes],
  minTimeBetweenFilePollsMillis: [1, 3_600_000],
  retryInitialBackoffMillis: [0, 3_600_000],
  retryMaxBackoffMillis: [0, 3_600_000],
  'log.statusReportingPeriodSeconds': [1, 86_400],
  shutdownTimeoutMillis: [0, 3_600_000],
  checkpointTimeToLiveDays: [1, 3_650],
} as const;

/**
 * Where checkpoints go unless `checkpointFile` says otherwise: a per-user state directory that
 * survives reboots (the Java agent's /var/run location is cleared at boot, so it re-sends
 * every file after one).
 */
export function defaultCheckpointFile(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || path.join(env.HOME || homedir(), '.local', 'state');
  return path.join(state, 'log-agent', 'checkpoints.json');
}

/** Directories cleared at boot on common Linux systems. */
const VOLATILE_DIRS = ['/run/', '/var/run/', '/tmp/', '/dev/shm/'];

const GLOBAL_KEYS = new Set([
  'checkpointFile',
  'kinesis.endpoint',
  'kinesis.region',
  'awsAccessKeyId',
  'awsSecretAccessKey',
  'log.statusReportingPeriodSeconds',
  'shutdownTimeoutMillis',
  'checkpointTimeToLiveDays',
  'flows',
]);
/** Java agent settings with nothing to do here: its CloudWatch publisher, thread pools, HTTP tuning. */
const GLOBAL_IGNORED = new Set([
  'cloudwatch.emitMetrics',
  'cloudwatch.endpoint',
  'cloudwatch.namespace',
  'cloudwatch.tagInstance',
  'cloudwatch.metricsBufferTimeMillis',
  'cloudwatch.metricsQueueSize',
  'firehose.endpoint',
  'firehose.region',
  'sts.endpoint',
  'log.emitMetrics',
  'log.emitInternalMetrics',
  'maxSendingThreads',
  'maxSendingThreadsPerCore',
  'sendingThreadsKeepAliveMillis',
  'sendingThreadsMaxQueueSize',
  'maxConnections',
  'connectionTimeoutMillis',
  'connectionTTLMillis',
  'socketTimeoutMillis',
  'useTcpKeepAlive',
  'useHttpGzip',
]);
const GLOBAL_REFUSED: Record<string, string> = {
  assumeRoleARN:
    'log-agent does not assume roles: give the role to the instance profile or run with AWS_PROFILE',
  assumeRoleExternalId: 'log-agent does not assume roles',
  assumeRoleDurationSeconds: 'log-agent does not assume roles',
  'userDefinedCredentialsProvider.classname': 'log-agent cannot load Java credential providers',
  'userDefinedCredentialsProvider.location': 'log-agent cannot load Java credential providers',
};

const FLOW_KEYS = new Set([
  'filePattern',
  'kinesisStream',
  'partitionKeyOption',
  'initialPosition',
  'maxBufferAgeMillis',
  'maxBufferSizeRecords',
  'maxBufferSizeBytes',
  'minTimeBetweenFilePollsMillis',
  'retryInitialBackoffMillis',
  'retryMaxBackoffMillis',
  'truncatedRecordTerminator',
  'dataProcessingOptions',
]);
const FLOW_IGNORED = new Set([
  'maxTimeBetweenFileTrackerRefreshMillis',
  'publishQueueCapacity',
  'waitOnFullPublishQueueMillis',
  'waitOnEmptyPublishQueueMillis',
  'waitOnFullRetryQueueMillis',
  'log.emitInternalMetrics',
]);
const FLOW_REFUSED: Record<string, string> = {
  deliveryStream: 'log-agent sends to Kinesis data streams only (kinesisStream), not to Firehose directly',
  multiLineStartPattern: 'log-agent sends one record per line; multi-line records are not supported',
  fileFooterPattern: 'log-agent does not stop at a footer line',
  skipHeaderLines: 'log-agent does not skip header lines',
  aggregatedRecordSizeBytes: 'log-agent sends one record per line; aggregation is not supported',
};

const LOGTOJSON_KEYS = new Set([
  'optionName',
  'logFormat',
  'matchPattern',
  'customFieldNames',
  'jsonFormat',
  'malformedLines',
]);
const UNSUPPORTED_OPTIONS: Record<string, string> = {
  CSVTOJSON: 'CSV conversion',
  ADDBRACKETS: 'bracket wrapping',
  ADDEC2METADATA: 'EC2 metadata',
  ADDMETADATA: 'metadata fields',
};
const UNSUPPORTED_FORMATS = ['APACHEERRORLOG', 'SYSLOG', 'RFC3164SYSLOG', 'RFC5424SYSLOG'];

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

function suggestion(key: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4))
    ? ` (did you mean "${best}"?)`
    : '';
}

/** A value that means "not set" in agent configurations (the shipped file has `"kinesis.endpoint": ""`). */
const isUnset = (value: unknown) => value === undefined || value === null || value === '';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

class Checker {
  readonly problems: string[] = [];
  readonly warnings: string[] = [];

  /** Sorts an object's keys into used, ignored (warned), refused and unknown (problems). */
  keys(
    object: Record<string, unknown>,
    where: string,
    used: Set<string>,
    ignored: Set<string> = new Set(),
    refused: Record<string, string> = {},
  ): void {
    const ignoredHere: string[] = [];
    for (const [key, value] of Object.entries(object)) {
      if (used.has(key)) continue;
      if (key in refused) {
        if (!isUnset(value) && value !== 0 && value !== false) {
          this.problems.push(`${where}"${key}" is not supported: ${refused[key]}`);
        }
      } else if (ignored.has(key)) {
        if (!isUnset(value) && value !== false) ignoredHere.push(key);
      } else {
        this.problems.push(
          `${where}unknown key "${key}"${suggestion(key, [...used, ...ignored, ...Object.keys(refused)])}`,
        );
      }
    }
    if (ignoredHere.length > 0) {
      this.warnings.push(
        `${where}ignored (Java agent settings log-agent does not need): ${ignoredHere.join(', ')}`,
      );
    }
  }

  string(object: Record<string, unknown>, key: string, where: string): string | undefined {
    const value = object[key];
    if (isUnset(value)) return undefined;
    if (typeof value !== 'string') {
      this.problems.push(`${where}"${key}" must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  /** A whole number in range; the Java agent also reads numbers written as strings. */
  integer(
    object: Record<string, unknown>,
    key: keyof typeof RANGES,
    where: string,
    fallback: number,
  ): number {
    const value = object[key];
    if (isUnset(value)) return fallback;
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    const [min, max] = RANGES[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.problems.push(
        `${where}"${key}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    return n;
  }

  choice<T extends string>(
    object: Record<string, unknown>,
    key: string,
    where: string,
    choices: readonly T[],
    fallback: T,
  ): T {
    const value = object[key];
    if (isUnset(value)) return fallback;
    const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
    const found = choices.find((c) => c === upper);
    if (!found) {
      this.problems.push(`${where}"${key}" must be ${choices.join(' or ')}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return found;
  }
}

/** Counts the capturing groups of a regular expression. */
function groupCount(pattern: RegExp): number {
  return new RegExp(`${pattern.source}|`).exec('')!.length - 1;
}

function parseOptions(raw: unknown, where: string, check: Checker): DataProcessingOption[] {
  if (isUnset(raw)) return [];
  if (!Array.isArray(raw)) {
    check.problems.push(`${where}"dataProcessingOptions" must be a list of options`);
    return [];
  }
  const options: DataProcessingOption[] = [];
  raw.forEach((option: unknown, i) => {
    const at = `${where}dataProcessingOptions[${i}]: `;
    if (!isObject(option)) {
      check.problems.push(`${at}must be an object with an "optionName"`);
      return;
    }
    const name = typeof option.optionName === 'string' ? option.optionName.toUpperCase() : option.optionName;
    if (name === 'SINGLELINE') {
      check.keys(option, at, new Set(['optionName']));
      options.push({ optionName: 'SINGLELINE' });
    } else if (name === 'LOGTOJSON') {
      check.keys(option, at, LOGTOJSON_KEYS);
      const logFormatText = check.string(option, 'logFormat', at)?.toUpperCase();
      if (logFormatText === undefined) {
        check.problems.push(`${at}"logFormat" is required (COMMONAPACHELOG or COMBINEDAPACHELOG)`);
        return;
      }
      if (UNSUPPORTED_FORMATS.includes(logFormatText)) {
        check.problems.push(
          `${at}logFormat ${logFormatText} is not supported: use COMMONAPACHELOG or COMBINEDAPACHELOG`,
        );
        return;
      }
      if (logFormatText !== 'COMMONAPACHELOG' && logFormatText !== 'COMBINEDAPACHELOG') {
        check.problems.push(
          `${at}"logFormat" must be COMMONAPACHELOG or COMBINEDAPACHELOG, got "${option.logFormat}"`,
        );
        return;
      }
      const logFormat: ApacheLogFormat = logFormatText;
      const names = option.customFieldNames;
      let customFieldNames: string[] | undefined;
      if (!isUnset(names)) {
        if (
          !Array.isArray(names) ||
          names.length === 0 ||
          !names.every((n) => typeof n === 'string' && n !== '')
        ) {
          check.problems.push(`${at}"customFieldNames" must be a list of field names`);
          return;
        }
        customFieldNames = names as string[];
      }
      const matchPattern = check.string(option, 'matchPattern', at);
      if (matchPattern !== undefined) {
        if (!customFieldNames) {
          check.problems.push(`${at}"matchPattern" needs "customFieldNames", one name per group`);
          return;
        }
        let groups: number;
        try {
          groups = groupCount(new RegExp(matchPattern));
        } catch (error) {
          check.problems.push(
            `${at}"matchPattern" is not a valid regular expression: ${(error as Error).message}`,
          );
          return;
        }
        if (groups !== customFieldNames.length) {
          check.problems.push(
            `${at}"matchPattern" has ${groups} groups but "customFieldNames" names ${customFieldNames.length}`,
          );
          return;
        }
      } else if (customFieldNames && customFieldNames.length !== APACHE_LOG_FIELDS[logFormat].length) {
        check.problems.push(
          `${at}"customFieldNames" must name the ${APACHE_LOG_FIELDS[logFormat].length} fields of ${logFormat} (${APACHE_LOG_FIELDS[logFormat].join(', ')}), got ${customFieldNames.length}`,
        );
        return;
      }
      options.push({
        optionName: 'LOGTOJSON',
        logFormat,
        ...(matchPattern !== undefined ? { matchPattern } : {}),
        ...(customFieldNames ? { customFieldNames } : {}),
        jsonFormat: check.choice(option, 'jsonFormat', at, ['COMPACT', 'PRETTYPRINT'] as const, 'COMPACT'),
        malformedLines: check.choice(option, 'malformedLines', at, ['SKIP', 'SEND_RAW'] as const, 'SKIP'),
      });
    } else if (typeof name === 'string' && name in UNSUPPORTED_OPTIONS) {
      check.problems.push(`${at}${name} (${UNSUPPORTED_OPTIONS[name]}) is not supported by log-agent`);
    } else {
      check.problems.push(
        `${at}"optionName" must be LOGTOJSON or SINGLELINE, got ${JSON.stringify(option.optionName)}`,
      );
    }
  });
  if (options.filter((o) => o.optionName === 'LOGTOJSON').length > 1) {
    check.problems.push(
      `${where}only one LOGTOJSON option can apply: a second would parse JSON as a log line`,
    );
  }
  return options;
}

const GLOB_CHARS = /[*?[\]{}!]/;

function parseFlow(raw: unknown, index: number, check: Checker, baseDir: string): FlowConfig | undefined {
  const where = `flows[${index}]: `;
  if (!isObject(raw)) {
    check.problems.push(`${where}must be an object with "filePattern" and "kinesisStream"`);
    return undefined;
  }
  const before = check.problems.length;
  check.keys(raw, where, FLOW_KEYS, FLOW_IGNORED, FLOW_REFUSED);
  const filePattern = check.string(raw, 'filePattern', where);
  const kinesisStream = check.string(raw, 'kinesisStream', where);
  if (filePattern === undefined) check.problems.push(`${where}"filePattern" is required`);
  if (kinesisStream === undefined && isUnset(raw.deliveryStream)) {
    check.problems.push(`${where}"kinesisStream" is required`);
  }
  let directory = '';
  let fileGlob = '';
  if (filePattern !== undefined) {
    const absolute = path.resolve(baseDir, filePattern);
    directory = path.dirname(absolute);
    fileGlob = path.basename(absolute);
    if (GLOB_CHARS.test(directory)) {
      check.problems.push(
        `${where}"filePattern" may have wildcards only in the file name, not in the directory: "${filePattern}"`,
      );
    } else if (fileGlob === '' || filePattern.endsWith('/')) {
      check.problems.push(`${where}"filePattern" must name files, not a directory: "${filePattern}"`);
    } else {
      try {
        picomatch(fileGlob);
      } catch (error) {
        check.problems.push(`${where}"filePattern" is not a valid pattern: ${(error as Error).message}`);
      }
    }
  }
  const retryInitialBackoffMillis = check.integer(
    raw,
    'retryInitialBackoffMillis',
    where,
    FLOW_DEFAULTS.retryInitialBackoffMillis,
  );
  const retryMaxBackoffMillis = check.integer(
    raw,
    'retryMaxBackoffMillis',
    where,
    FLOW_DEFAULTS.retryMaxBackoffMillis,
  );
  if (retryMaxBackoffMillis < retryInitialBackoffMillis) {
    check.problems.push(`${where}"retryMaxBackoffMillis" must not be less than "retryInitialBackoffMillis"`);
  }
  const terminator = raw.truncatedRecordTerminator;
  if (terminator !== undefined && (typeof terminator !== 'string' || terminator.length > 64)) {
    check.problems.push(`${where}"truncatedRecordTerminator" must be a short string`);
  }
  const flow: FlowConfig = {
    id: `kinesis:${kinesisStream}:${path.join(directory, fileGlob)}`,
    filePattern: filePattern ?? '',
    directory,
    fileGlob,
    kinesisStream: kinesisStream ?? '',
    partitionKeyOption: check.choice(
      raw,
      'partitionKeyOption',
      where,
      ['RANDOM', 'DETERMINISTIC'] as const,
      'RANDOM',
    ),
    initialPosition: check.choice(
      raw,
      'initialPosition',
      where,
      ['START_OF_FILE', 'END_OF_FILE'] as const,
      'END_OF_FILE',
    ),
    maxBufferAgeMillis: check.integer(raw, 'maxBufferAgeMillis', where, FLOW_DEFAULTS.maxBufferAgeMillis),
    maxBufferSizeRecords: check.integer(
      raw,
      'maxBufferSizeRecords',
      where,
      FLOW_DEFAULTS.maxBufferSizeRecords,
    ),
    maxBufferSizeBytes: check.integer(raw, 'maxBufferSizeBytes', where, FLOW_DEFAULTS.maxBufferSizeBytes),
    minTimeBetweenFilePollsMillis: check.integer(
      raw,
      'minTimeBetweenFilePollsMillis',
      where,
      FLOW_DEFAULTS.minTimeBetweenFilePollsMillis,
    ),
    retryInitialBackoffMillis,
    retryMaxBackoffMillis,
    truncatedRecordTerminator:
      typeof terminator === 'string' ? terminator : FLOW_DEFAULTS.truncatedRecordTerminator,
    dataProcessingOptions: parseOptions(raw.dataProcessingOptions, where, check),
  };
  return check.problems.length === before ? flow : undefined;
}

/**
 * Reads a configuration object in the Kinesis Agent's format. Throws a ConfigError listing
 * every problem; returns the settings and warnings about keys that have no effect here.
 */
export function parseAgentConfig(raw: unknown, options: ParseOptions = {}): ParsedConfig {
  const baseDir = options.baseDir ?? process.cwd();
  const env = options.env ?? process.env;
  const check = new Checker();
  if (!isObject(raw)) throw new ConfigError(['the configuration must be a JSON object with "flows"']);

  check.keys(raw, '', GLOBAL_KEYS, GLOBAL_IGNORED, GLOBAL_REFUSED);
  const accessKeyId = check.string(raw, 'awsAccessKeyId', '');
  const secretAccessKey = check.string(raw, 'awsSecretAccessKey', '');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    check.problems.push('"awsAccessKeyId" and "awsSecretAccessKey" must be given together');
  }
  const endpoint = check.string(raw, 'kinesis.endpoint', '');
  const region = check.string(raw, 'kinesis.region', '');
  const checkpointText = check.string(raw, 'checkpointFile', '');
  const checkpointFile = checkpointText ? path.resolve(baseDir, checkpointText) : defaultCheckpointFile(env);
  if (VOLATILE_DIRS.some((dir) => `${checkpointFile}`.startsWith(dir))) {
    check.warnings.push(
      `checkpointFile ${checkpointFile} is in a directory cleared at boot: after a reboot every file would be sent again`,
    );
  }

  const flows: FlowConfig[] = [];
  if (!Array.isArray(raw.flows) || raw.flows.length === 0) {
    check.problems.push('"flows" must list at least one flow');
  } else {
    raw.flows.forEach((flow: unknown, i: number) => {
      const parsed = parseFlow(flow, i, check, baseDir);
      if (parsed) flows.push(parsed);
    });
    const ids = flows.map((f) => f.id);
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated) check.problems.push(`two flows send the same files to the same stream: ${repeated}`);
  }

  const config: AgentConfig = {
    checkpointFile,
    ...(endpoint !== undefined ? { kinesisEndpoint: endpoint } : {}),
    ...(region !== undefined ? { kinesisRegion: region } : {}),
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey } }
      : {}),
    statusReportingPeriodSeconds: check.integer(raw, 'log.statusReportingPeriodSeconds', '', 30),
    shutdownTimeoutMillis: check.integer(raw, 'shutdownTimeoutMillis', '', 10_000),
    checkpointTimeToLiveDays: check.integer(raw, 'checkpointTimeToLiveDays', '', 7),
    flows,
  };
  if (check.problems.length > 0) throw new ConfigError(check.problems);
  return { config, warnings: check.warnings };
}

/** Reads and checks a configuration file; relative paths in it are relative to the file. */
export function readAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): ParsedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      code === 'ENOENT'
        ? `no configuration file at ${file}`
        : `cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`${file} is not valid JSON: ${(error as Error).message}`]);
  }
  try {
    return parseAgentConfig(raw, { baseDir: path.dirname(path.resolve(file)), env });
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.problems.map((p) => `${file}: ${p}`));
    throw error;
  }
}
