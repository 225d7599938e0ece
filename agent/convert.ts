/**
 * The agent's data processing options: what a line of a log file becomes before it is sent.
 * Every record ends with a newline, as the Java agent's do, so a Firehose delivery of them is
 * one line per record.
 */
import { APACHE_LOG_FIELDS, matchApacheLog } from '#core/apache-log';
import { invalid, ok, type Parsed } from '#core/result';
import type { DataProcessingOption, MalformedLineAction } from './config';

export type LineConversion = (line: string) => Parsed<string>;

export interface Converter {
  /** The record text for one line (without its newline), or why it cannot be converted. */
  readonly convert: LineConversion;
  /** What to do with a line `convert` rejects. */
  readonly onMalformed: MalformedLineAction;
}

function logToJson(option: Extract<DataProcessingOption, { optionName: 'LOGTOJSON' }>): LineConversion {
  const names = option.customFieldNames ?? APACHE_LOG_FIELDS[option.logFormat];
  const indent = option.jsonFormat === 'PRETTYPRINT' ? 2 : undefined;
  const custom =
    option.matchPattern === undefined ? undefined : new RegExp(`^(?:${option.matchPattern})$`, 's');
  return (line) => {
    let values: (string | null)[];
    if (custom) {
      const match = custom.exec(line);
      if (!match) return invalid(`line does not match matchPattern`);
      values = match.slice(1).map((v) => (v === undefined || v === '-' ? null : v));
    } else {
      const parsed = matchApacheLog(line, option.logFormat);
      if (!parsed.ok) return parsed;
      values = parsed.value;
    }
    return ok(JSON.stringify(Object.fromEntries(names.map((name, i) => [name, values[i]])), null, indent));
  };
}

/** SINGLELINE: no line breaks, no leading or trailing white space. */
const singleLine: LineConversion = (line) => ok(line.replace(/[\r\n]+/g, '').trim());

/** The options applied in order; the first that rejects a line decides. */
export function buildConverter(options: readonly DataProcessingOption[]): Converter {
  const steps = options.map((option) => (option.optionName === 'LOGTOJSON' ? logToJson(option) : singleLine));
  const logOption = options.find((o) => o.optionName === 'LOGTOJSON');
  return {
    convert: (line) => {
      let text = line;
      for (const step of steps) {
        const result = step(text);
        if (!result.ok) return result;
        text = result.value;
      }
      return ok(text);
    },
    onMalformed: logOption?.optionName === 'LOGTOJSON' ? logOption.malformedLines : 'SKIP',
  };
}
