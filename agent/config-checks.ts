/**
 * What a schema cannot say about an agent configuration: settings that depend on one another
 * (a flow's destination, its patterns, the fields of a log format), and the one-line message
 * for each problem, naming where it is and what was found there.
 */
import * as path from 'node:path';
import picomatch from 'picomatch';
import { closest } from '#core/schema';
import type { z } from 'zod';
import {
  AGENT_SCHEMA,
  DESTINATION_LIMITS,
  FLOW_SCHEMA,
  isUnset,
  LOG_FORMATS,
  NO_EFFECT,
  OPTION_NAMES,
  OPTION_SCHEMAS,
  type LogFormat,
} from './config-schema';
import { LOG_FORMAT_FIELDS } from './log-formats';

export type Path = readonly (string | number)[];

/** A problem found by a check: where, and a sentence that completes `"<key>" …`. */
export interface Finding {
  readonly path: Path;
  readonly message: string;
  /** Print the found value after the message. @default true */
  readonly showValue?: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at `p` in `raw`, or undefined. */
export function valueAt(raw: unknown, p: Path): unknown {
  let value = raw;
  for (const segment of p) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** `flows[0]: dataProcessingOptions[1]: ` for the object at `p`. */
export function where(p: Path): string {
  const parts: string[] = [];
  for (const segment of p) {
    if (typeof segment === 'number' && parts.length > 0) parts[parts.length - 1] += `[${segment}]`;
    else parts.push(String(segment));
  }
  return parts.map((part) => `${part}: `).join('');
}

/** Splits a path into the object that holds a field and the field's name (the last key). */
function field(p: Path): { owner: Path; key?: string } {
  let last = p.length - 1;
  while (last >= 0 && typeof p[last] === 'number') last -= 1;
  const key = last < 0 ? undefined : String(p[last]);
  // A flow or an option is reported on its own (flows[2]: …); an item of any other list, as its list.
  if (key === undefined || (last < p.length - 1 && (key === 'flows' || key === 'dataProcessingOptions'))) {
    return { owner: p };
  }
  return { owner: p.slice(0, last), key };
}

const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/** One line for a finding: `flows[0]: "maxBufferAgeMillis" must be …, got 10`. */
export function describe(finding: Finding, raw: unknown): string {
  const { owner, key } = field(finding.path);
  const value = valueAt(
    raw,
    finding.path.slice(0, key === undefined ? finding.path.length : owner.length + 1),
  );
  const got = finding.showValue === false || value === undefined ? '' : `, got ${show(value)}`;
  return `${where(owner)}${key === undefined ? '' : `"${key}" `}${finding.message}${got}`;
}

// ---------------------------------------------------------------------------------------------
// Unknown keys: "did you mean"

const AGENT_KEYS = Object.keys(AGENT_SCHEMA.shape);
const FLOW_KEYS = Object.keys(FLOW_SCHEMA.shape);

/** The keys the object at `p` may have. */
function knownKeys(p: Path, raw: unknown): string[] {
  if (p.length === 0) return AGENT_KEYS;
  if (p.length === 2 && p[0] === 'flows') return FLOW_KEYS;
  const name = valueAt(raw, [...p, 'optionName']);
  const schema =
    typeof name === 'string' ? OPTION_SCHEMAS[name.toUpperCase() as keyof typeof OPTION_SCHEMAS] : undefined;
  return schema ? Object.keys(schema.shape) : [];
}

function suggestion(key: string, known: readonly string[]): string {
  const best = closest(key, known);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function unknownKey(p: Path, key: string, raw: unknown): string {
  const known = knownKeys(p, raw);
  const hint =
    p.length === 0 && FLOW_KEYS.includes(key)
      ? ' (it belongs in a flow)'
      : p.length === 2 && AGENT_KEYS.includes(key)
        ? ' (it belongs at the top level, not in a flow)'
        : suggestion(key, known);
  return `${where(p)}unknown key "${key}"${hint}`;
}

/** The lines for one schema issue. */
export function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const p = issue.path as Path;
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownKey(p, key, raw));
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    const found = valueAt(raw, p);
    const names = OPTION_NAMES.join(', ');
    return [
      describe(
        { path: p, message: found === undefined ? `is required (${names})` : `must be one of ${names}` },
        raw,
      ),
    ];
  }
  const found = valueAt(raw, p);
  let message = issue.message;
  if (message.startsWith('Invalid input')) {
    message =
      found === undefined ? 'is required' : `must be ${/expected (\w+)/.exec(message)?.[1] ?? 'valid'}`;
  }
  if (field(p).key === undefined && p.length === 2 && p[0] === 'flows') {
    message = 'must be an object with "filePattern" and "kinesisStream" or "deliveryStream"';
  } else if (field(p).key === undefined && p.at(-2) === 'dataProcessingOptions') {
    message = 'must be an object with an "optionName"';
  }
  return [describe({ path: p, message }, raw)];
}

// ---------------------------------------------------------------------------------------------
// Checks across settings

const number = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** Counts the capturing groups of a regular expression. */
function groupCount(pattern: RegExp): number {
  return new RegExp(`${pattern.source}|`).exec('')!.length - 1;
}

function regexProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string' || pattern === '') return undefined;
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
}

export function destinationOf(flow: Record<string, unknown>): 'kinesis' | 'firehose' | undefined {
  if (!isUnset(flow.deliveryStream)) return 'firehose';
  if (!isUnset(flow.kinesisStream)) return 'kinesis';
  return undefined;
}

const GLOB_CHARS = /[*?[\]{}!]/;

function checkFilePattern(pattern: unknown, at: Path, baseDir: string): Finding[] {
  if (typeof pattern !== 'string' || pattern === '') return [];
  const absolute = path.resolve(baseDir, pattern);
  const fileGlob = path.basename(absolute);
  const found = { path: [...at, 'filePattern'], showValue: true };
  if (GLOB_CHARS.test(path.dirname(absolute))) {
    return [{ ...found, message: 'may have wildcards only in the file name, not in the directory' }];
  }
  if (fileGlob === '' || pattern.endsWith('/'))
    return [{ ...found, message: 'must name files, not a directory' }];
  try {
    picomatch(fileGlob);
    return [];
  } catch (error) {
    return [{ ...found, message: `is not a valid pattern: ${(error as Error).message}` }];
  }
}

function checkFlowSizes(flow: Record<string, unknown>, at: Path): Finding[] {
  const findings: Finding[] = [];
  const limits = DESTINATION_LIMITS[destinationOf(flow) ?? 'kinesis'];
  const range = (key: string, min: number, max: number) => {
    const n = number(flow[key]);
    if (n !== undefined && (n < min || n > max)) {
      findings.push({ path: [...at, key], message: `must be a whole number from ${min} to ${max}` });
    }
  };
  range('maxBufferSizeBytes', 1, limits.maxRequestBytes);
  range('maxRecordSizeBytes', 1, limits.maxRecordBytes);
  range('aggregatedRecordSizeBytes', 0, limits.maxRecordBytes);
  const initial = number(flow.retryInitialBackoffMillis) ?? 100;
  const max = number(flow.retryMaxBackoffMillis);
  if (max !== undefined && max < initial) {
    findings.push({
      path: [...at, 'retryMaxBackoffMillis'],
      message: 'must not be less than "retryInitialBackoffMillis"',
    });
  }
  const terminator = flow.truncatedRecordTerminator;
  const recordLimit = number(flow.maxRecordSizeBytes) ?? limits.maxRecordBytes;
  if (typeof terminator === 'string' && Buffer.byteLength(terminator) >= recordLimit) {
    findings.push({
      path: [...at, 'truncatedRecordTerminator'],
      message: 'must be shorter than the record size limit',
    });
  }
  return findings;
}

function checkFlow(flow: unknown, at: Path, baseDir: string): Finding[] {
  if (!isObject(flow)) return [];
  const findings: Finding[] = [];
  if (destinationOf(flow) === undefined) {
    findings.push({
      path: [...at, 'kinesisStream'],
      message: 'or "deliveryStream" is required',
      showValue: false,
    });
  }
  findings.push(...checkFilePattern(flow.filePattern, at, baseDir), ...checkFlowSizes(flow, at));
  for (const key of ['multiLineStartPattern', 'fileFooterPattern']) {
    const problem = regexProblem(flow[key]);
    if (problem) findings.push({ path: [...at, key], message: problem });
  }
  const options = Array.isArray(flow.dataProcessingOptions) ? flow.dataProcessingOptions : [];
  options.forEach((option, i) => findings.push(...checkOption(option, [...at, 'dataProcessingOptions', i])));
  const logToJson = options.filter((o) => isObject(o) && String(o.optionName).toUpperCase() === 'LOGTOJSON');
  if (logToJson.length > 1) {
    findings.push({
      path: [...at, 'dataProcessingOptions'],
      message: 'can hold only one LOGTOJSON: a second would parse JSON as a log line',
      showValue: false,
    });
  }
  return findings;
}

/** A LOGTOJSON (or ADDEC2METADATA) option's pattern and field names agree. */
function checkOption(option: unknown, at: Path): Finding[] {
  if (!isObject(option) || typeof option.optionName !== 'string') return [];
  const name = option.optionName.toUpperCase();
  if (name !== 'LOGTOJSON' && name !== 'ADDEC2METADATA') return [];
  const names = Array.isArray(option.customFieldNames) ? option.customFieldNames : undefined;
  const pattern = option.matchPattern;
  if (typeof pattern === 'string' && pattern !== '') {
    if (!names) {
      return [
        {
          path: [...at, 'matchPattern'],
          message: 'needs "customFieldNames", one name per group',
          showValue: false,
        },
      ];
    }
    const problem = regexProblem(pattern);
    if (problem) return [{ path: [...at, 'matchPattern'], message: problem }];
    const groups = groupCount(new RegExp(pattern));
    return groups === names.length
      ? []
      : [
          {
            path: [...at, 'matchPattern'],
            message: `has ${groups} groups but "customFieldNames" names ${names.length}`,
            showValue: false,
          },
        ];
  }
  const format =
    typeof option.logFormat === 'string' ? (option.logFormat.toUpperCase() as LogFormat) : undefined;
  if (names && format && (LOG_FORMATS as readonly string[]).includes(format)) {
    const fields = LOG_FORMAT_FIELDS[format];
    if (names.length !== fields.length) {
      return [
        {
          path: [...at, 'customFieldNames'],
          message: `must name the ${fields.length} fields of ${format} (${fields.join(', ')}), or come with a "matchPattern"`,
        },
      ];
    }
  }
  return [];
}

/** Every check across settings, on the configuration as written (it may also fail the schema). */
export function crossCheck(raw: Record<string, unknown>, baseDir: string): Finding[] {
  const findings: Finding[] = [];
  if (isUnset(raw.awsAccessKeyId) !== isUnset(raw.awsSecretAccessKey)) {
    const missing = isUnset(raw.awsAccessKeyId) ? 'awsAccessKeyId' : 'awsSecretAccessKey';
    findings.push({
      path: [missing],
      message: 'is required with the other access key: they must be given together',
      showValue: false,
    });
  }
  if (Array.isArray(raw.flows)) {
    if (raw.flows.length === 0)
      findings.push({ path: ['flows'], message: 'must list at least one flow', showValue: false });
    raw.flows.forEach((flow, i) => findings.push(...checkFlow(flow, ['flows', i], baseDir)));
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Keys with no effect here

const EC2_TAGS = 'ADDEC2METADATA tags and instanceName';
const inert = (value: unknown) => isUnset(value) || value === false || value === 'false';

/** One line per reason: which keys (and where) have no effect here, and why. */
export function noEffectNotices(raw: Record<string, unknown>): string[] {
  const byReason = new Map<string, string[]>();
  const note = (key: string, reason: string) => byReason.set(reason, [...(byReason.get(reason) ?? []), key]);
  for (const [key, reason] of Object.entries(NO_EFFECT.agent)) if (!inert(raw[key])) note(key, reason);
  if (!isUnset(raw.assumeRoleExternalId) && isUnset(raw.assumeRoleARN)) {
    note('assumeRoleExternalId', 'it is used only with assumeRoleARN');
  }
  const flows = Array.isArray(raw.flows) ? raw.flows.filter(isObject) : [];
  const flowNotes = new Map<string, number[]>();
  const flowNote = (key: string, i: number) => flowNotes.set(key, [...(flowNotes.get(key) ?? []), i]);
  flows.forEach((flow, i) => {
    for (const key of Object.keys(NO_EFFECT.flow)) if (!inert(flow[key])) flowNote(key, i);
    if (destinationOf(flow) === 'firehose' && !isUnset(flow.partitionKeyOption))
      flowNote('partitionKeyOption', i);
    if (destinationOf(flow) === 'firehose' && !isUnset(flow.kinesisStream)) flowNote('kinesisStream', i);
    const options = Array.isArray(flow.dataProcessingOptions)
      ? flow.dataProcessingOptions.filter(isObject)
      : [];
    const ec2 = options.find((o) => String(o.optionName).toUpperCase() === 'ADDEC2METADATA');
    const fields = ec2 && Array.isArray(ec2.metadataFields) ? ec2.metadataFields : ['tags'];
    if (ec2 && fields.some((f) => f === 'tags' || f === 'instanceName')) flowNote(EC2_TAGS, i);
  });
  const flowReasons: Record<string, string> = {
    ...NO_EFFECT.flow,
    partitionKeyOption: 'Firehose records have no partition key',
    kinesisStream: 'a flow with "deliveryStream" sends to Firehose only, as the Kinesis Agent does',
    [EC2_TAGS]: 'they come from the EC2 DescribeTags API, which log-agent does not call',
  };
  for (const [key, indexes] of flowNotes) {
    note(`${key} (${indexes.map((i) => `flows[${i}]`).join(', ')})`, flowReasons[key]);
  }
  return [...byReason].map(
    ([reason, keys]) => `${keys.join(', ')} ${keys.length === 1 ? 'has' : 'have'} no effect here: ${reason}`,
  );
}
