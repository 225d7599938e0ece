/**
 * The agent's data processing options: what a record (a line, or the lines of a multi-line
 * record, each with its newline) becomes before it is sent. Options apply in order, each to
 * what the previous one made, as the Java agent chains them; the JSON-making ones end their
 * record with a newline, so a Firehose delivery of them is one line per record.
 */
import { invalid, ok, type Parsed } from '#core/result';
import type { DataProcessingOption, JsonFormat, MalformedLineAction } from './config';
import { DASH_IS_NULL, LOG_FORMAT_FIELDS, matchLogLine } from './log-formats';

/** What the options make of a record, or why it cannot be sent (and whether to send it raw then). */
export type Conversion =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: string; readonly action: MalformedLineAction };

/** What ADDEC2METADATA adds (already prefixed and filtered), or undefined when there is none. */
export type Ec2MetadataSource = () => Readonly<Record<string, unknown>> | undefined;

export interface ConvertContext {
  /** For ADDMETADATA's `ts`. @default Date.now */
  readonly now?: () => number;
  /** For ADDEC2METADATA. @default none: records pass through, as the Java agent does without metadata */
  readonly ec2Metadata?: Ec2MetadataSource;
}

type Step = (record: string) => Parsed<string>;

const withoutNewline = (text: string) => (text.endsWith('\n') ? text.slice(0, -1) : text);
const json = (value: unknown, format: JsonFormat) =>
  `${JSON.stringify(value, null, format === 'PRETTYPRINT' ? 2 : undefined)}\n`;

/** Java's String.trim: strips control characters and spaces (code points up to U+0020) at both ends. */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start += 1;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end -= 1;
  return text.slice(start, end);
}

/** SINGLELINE: each line trimmed, the lines joined without their newlines. */
const singleLine: Step = (record) => ok(`${record.split('\n').map(javaTrim).join('')}\n`);

/** ADDBRACKETS: the record, newline included, wrapped in braces. */
const addBrackets: Step = (record) => ok(`{${record}}`);

function logToJson(option: Extract<DataProcessingOption, { optionName: 'LOGTOJSON' }>): Step {
  const names = option.customFieldNames ?? LOG_FORMAT_FIELDS[option.logFormat];
  const dashIsNull = DASH_IS_NULL[option.logFormat];
  // Like Java's Matcher.matches: the pattern must match the whole record.
  const custom = option.matchPattern === undefined ? undefined : new RegExp(`^(?:${option.matchPattern})$`);
  return (record) => {
    const line = withoutNewline(record);
    let values: (string | null)[];
    if (custom) {
      const match = custom.exec(line);
      if (!match) return invalid('line does not match matchPattern');
      values = match.slice(1).map((v) => (v === undefined || (dashIsNull && v === '-') ? null : v));
    } else {
      const parsed = matchLogLine(line, option.logFormat);
      if (!parsed.ok) return parsed;
      values = parsed.value;
    }
    return ok(json(Object.fromEntries(names.map((name, i) => [name, values[i] ?? null])), option.jsonFormat));
  };
}

/**
 * Splits one line of delimiter-separated values: `"` quotes a value (holding delimiters, `""`
 * or `\"` for a quote), as the Java agent's CSV parser reads it.
 */
export function splitCsv(line: string, delimiter: string): Parsed<string[]> {
  const values: string[] = [];
  let i = 0;
  for (;;) {
    let value = '';
    if (line[i] === '"') {
      for (i += 1; ; i += 1) {
        if (i >= line.length) return invalid('a quoted value is not closed');
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) value += line[++i];
        else if (line[i] === '"' && line[i + 1] === '"') value += line[++i];
        else if (line[i] === '"') break;
        else value += line[i];
      }
      i += 1;
      const next = line.indexOf(delimiter, i);
      value += line.slice(i, next < 0 ? line.length : next);
      i = next < 0 ? line.length : next;
    } else {
      const next = line.indexOf(delimiter, i);
      value = line.slice(i, next < 0 ? line.length : next);
      i = next < 0 ? line.length : next;
    }
    values.push(value);
    if (i >= line.length) return ok(values);
    i += delimiter.length;
  }
}

function csvToJson(option: Extract<DataProcessingOption, { optionName: 'CSVTOJSON' }>): Step {
  return (record) => {
    const values = splitCsv(withoutNewline(record), option.delimiter);
    if (!values.ok) return values;
    // Names without a value get null; values without a name are left out.
    const fields = option.customFieldNames.map((name, i) => [name, values.value[i] ?? null]);
    return ok(json(Object.fromEntries(fields), option.jsonFormat));
  };
}

function addMetadata(
  option: Extract<DataProcessingOption, { optionName: 'ADDMETADATA' }>,
  now: () => number,
): Step {
  return (record) =>
    ok(
      json(
        {
          ...(option.timestamp ? { ts: new Date(now()).toISOString() } : {}),
          metadata: option.metadata,
          data: withoutNewline(record),
        },
        option.jsonFormat,
      ),
    );
}

function addEc2Metadata(
  option: Extract<DataProcessingOption, { optionName: 'ADDEC2METADATA' }>,
  source: Ec2MetadataSource,
): Step {
  return (record) => {
    const metadata = source();
    // Without metadata the Java agent sends the record as it is; so does this.
    if (!metadata) return ok(record);
    let object: unknown;
    try {
      object = JSON.parse(record);
    } catch {
      return invalid('ADDEC2METADATA needs a JSON record (put LOGTOJSON or CSVTOJSON before it)');
    }
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      return invalid('ADDEC2METADATA needs a JSON object');
    }
    return ok(json({ ...object, ...metadata }, option.jsonFormat));
  };
}

function step(option: DataProcessingOption, context: ConvertContext): Step {
  switch (option.optionName) {
    case 'SINGLELINE':
      return singleLine;
    case 'ADDBRACKETS':
      return addBrackets;
    case 'LOGTOJSON':
      return logToJson(option);
    case 'CSVTOJSON':
      return csvToJson(option);
    case 'ADDMETADATA':
      return addMetadata(option, context.now ?? Date.now);
    case 'ADDEC2METADATA':
      return addEc2Metadata(option, context.ec2Metadata ?? (() => undefined));
  }
}

/**
 * The options as one conversion of a record's text (with its newline). The first option that
 * rejects a record decides: LOGTOJSON by its malformedLines setting, any other by skipping it,
 * as the Java agent filters records its converters cannot make.
 */
export function buildConverter(
  options: readonly DataProcessingOption[],
  context: ConvertContext = {},
): (record: string) => Conversion {
  const steps = options.map((option) => ({
    run: step(option, context),
    action: option.optionName === 'LOGTOJSON' ? option.malformedLines : ('SKIP' as const),
  }));
  return (record) => {
    let text = record;
    for (const { run, action } of steps) {
      const result = run(text);
      if (!result.ok) return { ok: false, reason: result.reason, action };
      text = result.value;
    }
    return { ok: true, value: text };
  };
}
