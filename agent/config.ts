/**
 * The Kinesis Agent's configuration format (`/etc/aws-kinesis/agent.json`), read and checked
 * so that an existing agent configuration works unchanged: JSON with comments, every key the
 * Java agent documents or reads. Keys log-agent applies become settings; keys that mean
 * nothing here are reported once with the reason; anything else is a mistake, refused with
 * the nearest known key suggested.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { crossCheck, describe, describeIssue, noEffectNotices, type Finding } from './config-checks';
import {
  AGENT_SCHEMA,
  DESTINATION_LIMITS,
  type AgentInput,
  EC2_METADATA_FIELDS,
  type FlowInput,
  type LogFormat,
  type ProcessingOptionInput,
} from './config-schema';
import { parseJsonWithComments } from './json-comments';

export type PartitionKeyOption = 'RANDOM' | 'DETERMINISTIC';
export type InitialPosition = 'START_OF_FILE' | 'END_OF_FILE';
/** What to do with a line LOGTOJSON cannot parse: drop it (the Java agent's behaviour) or send it as it is. */
export type MalformedLineAction = 'SKIP' | 'SEND_RAW';
export type JsonFormat = 'COMPACT' | 'PRETTYPRINT';
export type Ec2MetadataField = (typeof EC2_METADATA_FIELDS)[number];
export type Destination = 'kinesis' | 'firehose';
export type { LogFormat };

export type DataProcessingOption =
  | { readonly optionName: 'SINGLELINE' }
  | { readonly optionName: 'ADDBRACKETS' }
  | {
      readonly optionName: 'CSVTOJSON';
      readonly customFieldNames: readonly string[];
      /** The separator, with Java escapes such as `\t` resolved. */
      readonly delimiter: string;
      readonly jsonFormat: JsonFormat;
    }
  | {
      readonly optionName: 'LOGTOJSON';
      readonly logFormat: LogFormat;
      /** A regular expression with one group per field, replacing the format's own pattern. */
      readonly matchPattern?: string;
      readonly customFieldNames?: readonly string[];
      readonly jsonFormat: JsonFormat;
      readonly malformedLines: MalformedLineAction;
    }
  | {
      readonly optionName: 'ADDMETADATA';
      readonly metadata: unknown;
      /** Add `ts`, the time of processing. */
      readonly timestamp: boolean;
      readonly jsonFormat: JsonFormat;
    }
  | {
      readonly optionName: 'ADDEC2METADATA';
      readonly metadataFields: readonly Ec2MetadataField[];
      readonly metadataPrefix: string;
      readonly metadataTTLSeconds: number;
      readonly jsonFormat: JsonFormat;
    };

export interface FlowConfig {
  /** `kinesis:<stream>:<file pattern>` or `fh:<stream>:<file pattern>`, as the Java agent names flows; keys the checkpoints. */
  readonly id: string;
  readonly destination: Destination;
  /** The Kinesis data stream or Firehose delivery stream. */
  readonly streamName: string;
  /** Set for Kinesis flows. */
  readonly kinesisStream?: string;
  /** Set for Firehose flows. */
  readonly deliveryStream?: string;
  /** The pattern as written in the configuration. */
  readonly filePattern: string;
  /** Absolute directory the pattern's files live in. */
  readonly directory: string;
  /** Glob for file names in `directory`. */
  readonly fileGlob: string;
  readonly partitionKeyOption: PartitionKeyOption;
  readonly initialPosition: InitialPosition;
  readonly maxBufferAgeMillis: number;
  readonly maxBufferSizeRecords: number;
  readonly maxBufferSizeBytes: number;
  readonly minTimeBetweenFilePollsMillis: number;
  readonly retryInitialBackoffMillis: number;
  readonly retryMaxBackoffMillis: number;
  /** Appended to a record cut at the record size limit. */
  readonly truncatedRecordTerminator: string;
  /** Records are cut to this size (the destination's limit unless lower). */
  readonly maxRecordSizeBytes: number;
  /** Lines skipped at the start of every file. */
  readonly skipHeaderLines: number;
  /** A line matching this starts a record; the lines after it that do not match belong to it. */
  readonly multiLineStartPattern?: string;
  /** A line matching this ends the file: it and the lines after it are not sent. */
  readonly fileFooterPattern?: string;
  /** Records are joined, newline-separated, into records of up to this size (0: not joined). */
  readonly aggregatedRecordSizeBytes: number;
  readonly dataProcessingOptions: readonly DataProcessingOption[];
}

export interface AgentConfig {
  readonly checkpointFile: string;
  /** Checkpoints of files not seen for this long are forgotten. */
  readonly checkpointTimeToLiveDays: number;
  /** How long a stop may spend sending what was read. */
  readonly shutdownTimeoutMillis: number;
  readonly statusReportingPeriodSeconds: number;
  readonly kinesisEndpoint?: string;
  readonly kinesisRegion?: string;
  readonly firehoseEndpoint?: string;
  readonly cloudwatchEndpoint?: string;
  readonly stsEndpoint?: string;
  /** awsAccessKeyId / awsSecretAccessKey. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** assumeRoleARN / assumeRoleExternalId: the credentials above (or the default chain) assume this role. */
  readonly assumeRole?: { readonly roleArn: string; readonly externalId?: string };
  /** cloudwatch.*: the agent's own metrics, sent with PutMetricData. */
  readonly metrics: { readonly emit: boolean; readonly namespace: string; readonly bufferTimeMillis: number };
  readonly http: {
    readonly connectionTimeoutMillis?: number;
    readonly socketTimeoutMillis?: number;
    readonly userAgent?: string;
  };
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
  /** Settings that work but deserve a second look. */
  readonly warnings: readonly string[];
  /** Keys of the Java agent that have no effect here, with the reason, once each. */
  readonly notes: readonly string[];
}

export interface ParseOptions {
  /** Relative file patterns and checkpoint paths are resolved against this. @default process.cwd() */
  readonly baseDir?: string;
  /** @default the environment */
  readonly env?: NodeJS.ProcessEnv;
}

/** Java agent defaults (FileFlow, KinesisFileFlow, AgentConfiguration). */
export const FLOW_DEFAULTS = {
  maxBufferAgeMillis: 60_000,
  maxBufferSizeRecords: DESTINATION_LIMITS.kinesis.maxRecords,
  maxBufferSizeBytes: DESTINATION_LIMITS.kinesis.maxRequestBytes,
  minTimeBetweenFilePollsMillis: 100,
  retryInitialBackoffMillis: 100,
  retryMaxBackoffMillis: 10_000,
  truncatedRecordTerminator: '\n',
  skipHeaderLines: 0,
  aggregatedRecordSizeBytes: 0,
} as const;

export const AGENT_DEFAULTS = {
  checkpointTimeToLiveDays: 7,
  shutdownTimeoutMillis: 10_000,
  statusReportingPeriodSeconds: 30,
  metricsNamespace: 'AWSKinesisAgent',
  metricsBufferTimeMillis: 30_000,
  /** ADDEC2METADATA refreshes what it adds every hour. */
  ec2MetadataTTLSeconds: 3_600,
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

/** Without `metadataFields`, the agent adds every field but the derived availabilityZoneInitial and instanceName. */
const DEFAULT_EC2_FIELDS: readonly Ec2MetadataField[] = EC2_METADATA_FIELDS.filter(
  (field) => field !== 'availabilityZoneInitial' && field !== 'instanceName',
);

/** Java string escapes (`\t`, `\\`, `\u0009`), as the agent resolves them in a CSV delimiter. */
function unescapeJava(text: string): string {
  const simple: Record<string, string> = {
    t: '\t',
    n: '\n',
    r: '\r',
    f: '\f',
    b: '\b',
    '\\': '\\',
    '"': '"',
    "'": "'",
  };
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (escape, code: string) =>
    code.length === 5 ? String.fromCharCode(parseInt(code.slice(1), 16)) : (simple[code] ?? escape),
  );
}

function buildOption(option: ProcessingOptionInput): DataProcessingOption {
  switch (option.optionName) {
    case 'SINGLELINE':
    case 'ADDBRACKETS':
      return { optionName: option.optionName };
    case 'CSVTOJSON':
      return {
        optionName: 'CSVTOJSON',
        customFieldNames: option.customFieldNames,
        delimiter: unescapeJava(option.delimiter ?? ','),
        jsonFormat: option.jsonFormat ?? 'COMPACT',
      };
    case 'LOGTOJSON':
      return {
        optionName: 'LOGTOJSON',
        logFormat: option.logFormat,
        ...(option.matchPattern !== undefined ? { matchPattern: option.matchPattern } : {}),
        ...(option.customFieldNames ? { customFieldNames: option.customFieldNames } : {}),
        jsonFormat: option.jsonFormat ?? 'COMPACT',
        malformedLines: option.malformedLines ?? 'SKIP',
      };
    case 'ADDMETADATA':
      return {
        optionName: 'ADDMETADATA',
        metadata: option.metadata ?? null,
        timestamp: option.timestamp ?? false,
        jsonFormat: option.jsonFormat ?? 'COMPACT',
      };
    case 'ADDEC2METADATA':
      return {
        optionName: 'ADDEC2METADATA',
        metadataFields: option.metadataFields ?? DEFAULT_EC2_FIELDS,
        metadataPrefix: option.metadataPrefix ?? '',
        metadataTTLSeconds: option.metadataTTL ?? AGENT_DEFAULTS.ec2MetadataTTLSeconds,
        jsonFormat: option.jsonFormat ?? 'COMPACT',
      };
  }
}

function buildFlow(flow: FlowInput, baseDir: string): FlowConfig {
  const destination: Destination = flow.deliveryStream !== undefined ? 'firehose' : 'kinesis';
  const streamName = (flow.deliveryStream ?? flow.kinesisStream)!;
  const absolute = path.resolve(baseDir, flow.filePattern);
  const limits = DESTINATION_LIMITS[destination];
  const optional = <K extends 'multiLineStartPattern' | 'fileFooterPattern'>(key: K) =>
    flow[key] !== undefined ? { [key]: flow[key] } : {};
  return {
    id: `${destination === 'kinesis' ? 'kinesis' : 'fh'}:${streamName}:${absolute}`,
    destination,
    streamName,
    ...(destination === 'kinesis' ? { kinesisStream: streamName } : { deliveryStream: streamName }),
    filePattern: flow.filePattern,
    directory: path.dirname(absolute),
    fileGlob: path.basename(absolute),
    partitionKeyOption: flow.partitionKeyOption ?? 'RANDOM',
    initialPosition: flow.initialPosition ?? 'END_OF_FILE',
    maxBufferAgeMillis: flow.maxBufferAgeMillis ?? FLOW_DEFAULTS.maxBufferAgeMillis,
    maxBufferSizeRecords: flow.maxBufferSizeRecords ?? FLOW_DEFAULTS.maxBufferSizeRecords,
    maxBufferSizeBytes: flow.maxBufferSizeBytes ?? limits.maxRequestBytes,
    minTimeBetweenFilePollsMillis:
      flow.minTimeBetweenFilePollsMillis ?? FLOW_DEFAULTS.minTimeBetweenFilePollsMillis,
    retryInitialBackoffMillis: flow.retryInitialBackoffMillis ?? FLOW_DEFAULTS.retryInitialBackoffMillis,
    retryMaxBackoffMillis: flow.retryMaxBackoffMillis ?? FLOW_DEFAULTS.retryMaxBackoffMillis,
    truncatedRecordTerminator: flow.truncatedRecordTerminator ?? FLOW_DEFAULTS.truncatedRecordTerminator,
    maxRecordSizeBytes: flow.maxRecordSizeBytes ?? limits.maxRecordBytes,
    skipHeaderLines: flow.skipHeaderLines ?? FLOW_DEFAULTS.skipHeaderLines,
    ...optional('multiLineStartPattern'),
    ...optional('fileFooterPattern'),
    aggregatedRecordSizeBytes: flow.aggregatedRecordSizeBytes ?? FLOW_DEFAULTS.aggregatedRecordSizeBytes,
    dataProcessingOptions: (flow.dataProcessingOptions ?? []).map(buildOption),
  };
}

function buildConfig(input: AgentInput, baseDir: string, env: NodeJS.ProcessEnv): AgentConfig {
  const defined = <T extends object>(entries: T) =>
    Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    checkpointFile: input.checkpointFile
      ? path.resolve(baseDir, input.checkpointFile)
      : defaultCheckpointFile(env),
    checkpointTimeToLiveDays: input.checkpointTimeToLiveDays ?? AGENT_DEFAULTS.checkpointTimeToLiveDays,
    shutdownTimeoutMillis: input.shutdownTimeoutMillis ?? AGENT_DEFAULTS.shutdownTimeoutMillis,
    statusReportingPeriodSeconds:
      input['log.statusReportingPeriodSeconds'] ?? AGENT_DEFAULTS.statusReportingPeriodSeconds,
    ...defined({
      kinesisEndpoint: input['kinesis.endpoint'],
      kinesisRegion: input['kinesis.region'],
      firehoseEndpoint: input['firehose.endpoint'],
      cloudwatchEndpoint: input['cloudwatch.endpoint'],
      stsEndpoint: input['sts.endpoint'],
    }),
    ...(input.awsAccessKeyId && input.awsSecretAccessKey
      ? { credentials: { accessKeyId: input.awsAccessKeyId, secretAccessKey: input.awsSecretAccessKey } }
      : {}),
    ...(input.assumeRoleARN
      ? {
          assumeRole: {
            roleArn: input.assumeRoleARN,
            ...defined({ externalId: input.assumeRoleExternalId }),
          },
        }
      : {}),
    metrics: {
      emit: input['cloudwatch.emitMetrics'] ?? true,
      namespace: input['cloudwatch.namespace'] ?? AGENT_DEFAULTS.metricsNamespace,
      bufferTimeMillis: input['cloudwatch.metricsBufferTimeMillis'] ?? AGENT_DEFAULTS.metricsBufferTimeMillis,
    },
    http: defined({
      connectionTimeoutMillis: input.connectionTimeoutMillis,
      socketTimeoutMillis: input.socketTimeoutMillis,
      userAgent: input.userAgent,
    }),
    flows: input.flows.map((flow) => buildFlow(flow, baseDir)),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every problem of a configuration object, one line each (none: it is usable). */
function problemsOf(
  raw: Record<string, unknown>,
  baseDir: string,
): { problems: string[]; input?: AgentInput } {
  const parsed = AGENT_SCHEMA.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, raw));
  const reported = new Set(parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.')));
  const findings: Finding[] = crossCheck(raw, baseDir).filter((f) => !reported.has(f.path.join('.')));
  problems.push(...findings.map((finding) => describe(finding, raw)));
  return parsed.success ? { problems, input: parsed.data } : { problems };
}

/**
 * Reads a configuration object in the Kinesis Agent's format. Throws a ConfigError listing
 * every problem; returns the settings and notes about keys that have no effect here.
 */
export function parseAgentConfig(raw: unknown, options: ParseOptions = {}): ParsedConfig {
  const baseDir = options.baseDir ?? process.cwd();
  const env = options.env ?? process.env;
  if (!isObject(raw)) throw new ConfigError(['the configuration must be a JSON object with "flows"']);
  const { problems, input } = problemsOf(raw, baseDir);
  if (problems.length > 0 || !input) throw new ConfigError(problems);
  const config = buildConfig(input, baseDir, env);
  const ids = config.flows.map((f) => f.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new ConfigError([`two flows send the same files to the same stream: ${repeated}`]);
  const warnings = VOLATILE_DIRS.some((dir) => config.checkpointFile.startsWith(dir))
    ? [
        `checkpointFile ${config.checkpointFile} is in a directory cleared at boot: after a reboot every file would be sent again`,
      ]
    : [];
  return { config, warnings, notes: noEffectNotices(raw) };
}

/** Reads and checks a configuration file (JSON, comments allowed); relative paths in it are relative to the file. */
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
    raw = parseJsonWithComments(text);
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
