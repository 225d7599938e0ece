/**
 * The log formats of the agent's LOGTOJSON option, with the field names it gives their
 * values: Apache's access and error logs (core/apache-log) and syslog lines, with the
 * traditional (RFC 3164) or an RFC 3339 time stamp.
 */
import {
  APACHE_ERROR_LOG_FIELDS,
  APACHE_LOG_FIELDS,
  matchApacheErrorLog,
  matchApacheLog,
} from '#core/apache-log';
import { invalid, ok, type Parsed } from '#core/result';
import type { LogFormat } from './config-schema';

/** timestamp hostname program[processid]: message */
export const SYSLOG_FIELDS = ['timestamp', 'hostname', 'program', 'processid', 'message'] as const;

export const LOG_FORMAT_FIELDS: { readonly [F in LogFormat]: readonly string[] } = {
  COMMONAPACHELOG: APACHE_LOG_FIELDS.COMMONAPACHELOG,
  COMBINEDAPACHELOG: APACHE_LOG_FIELDS.COMBINEDAPACHELOG,
  APACHEERRORLOG: APACHE_ERROR_LOG_FIELDS,
  SYSLOG: SYSLOG_FIELDS,
  RFC3339SYSLOG: SYSLOG_FIELDS,
};

/**
 * Whether `-` in a value means "not logged" (null): so in Apache's logs, as the agent's Apache
 * parser reads them; its syslog parser keeps values as written.
 */
export const DASH_IS_NULL: { readonly [F in LogFormat]: boolean } = {
  COMMONAPACHELOG: true,
  COMBINEDAPACHELOG: true,
  APACHEERRORLOG: true,
  SYSLOG: false,
  RFC3339SYSLOG: false,
};

const MONTH = String.raw`(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*`;
// Mar 12 12:00:08
const TRADITIONAL_TIME = String.raw`${MONTH} +\d{1,2} +\d{1,2}:\d{2}:\d{2}`;
// 2017-06-05T09:17:00.123+02:00
const RFC3339_TIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})`;
// host program[pid]: message, with an optional <facility.priority> before the host
const SYSLOG_REST = String.raw` (?:<\d+\.\d+> )?([\w.-]+) ([\w./%-]+)(?:\[(\d+)\])?: (.*)$`;
const SYSLOG_LINES = {
  SYSLOG: new RegExp(`^(${TRADITIONAL_TIME})${SYSLOG_REST}`),
  RFC3339SYSLOG: new RegExp(`^(${RFC3339_TIME})${SYSLOG_REST}`),
};

function matchSyslog(line: string, format: 'SYSLOG' | 'RFC3339SYSLOG'): Parsed<(string | null)[]> {
  const match = SYSLOG_LINES[format].exec(line);
  if (!match) return invalid(`not a ${format === 'SYSLOG' ? 'syslog' : 'RFC 3339 syslog'} line`);
  return ok(match.slice(1).map((value) => value ?? null));
}

/** The values of one line (without its newline), in the order of LOG_FORMAT_FIELDS[format]. */
export function matchLogLine(line: string, format: LogFormat): Parsed<(string | null)[]> {
  switch (format) {
    case 'COMMONAPACHELOG':
    case 'COMBINEDAPACHELOG':
      return matchApacheLog(line, format);
    case 'APACHEERRORLOG':
      return matchApacheErrorLog(line);
    case 'SYSLOG':
    case 'RFC3339SYSLOG':
      return matchSyslog(line, format);
  }
}
