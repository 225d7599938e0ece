import type { OutputColumn } from './translate';

/**
 * A query's result, however it was computed (locally or by Athena), and its three renderings:
 * an aligned table as Athena's console and the Trino CLI show it, JSON (an array of objects)
 * and CSV (RFC 4180, a header line).
 */

export type Value = string | number | bigint | boolean | null | readonly Value[];

export interface QueryResult {
  readonly columns: readonly OutputColumn[];
  readonly rows: readonly (readonly Value[])[];
}

export type OutputFormat = 'table' | 'json' | 'csv';

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return String(n);
}

/** A value as text: numbers in their shortest exact form, arrays as `[a, b]`. */
export function valueText(value: Value, nullText: string): string {
  if (value === null) return nullText;
  if (typeof value === 'number') return numberText(value);
  if (Array.isArray(value)) return `[${value.map((v) => valueText(v, 'NULL')).join(', ')}]`;
  return String(value);
}

const isNumberType = (type: string) => /^(tinyint|smallint|integer|bigint|double|real|decimal)/.test(type);

export function formatTable(result: QueryResult): string {
  const header = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) => row.map((v) => valueText(v, 'NULL')));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const centre = (text: string, width: number) => {
    const left = Math.floor((width - text.length) / 2);
    return `${' '.repeat(left)}${text}`.padEnd(width);
  };
  const lines = [
    ` ${header.map((h, i) => centre(h, widths[i])).join(' | ')}`.trimEnd(),
    widths.map((w) => '-'.repeat(w + 2)).join('+'),
    ...cells.map((row) =>
      ` ${row.map((v, i) => (isNumberType(result.columns[i].type) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')}`.trimEnd(),
    ),
    `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`,
  ];
  return `${lines.join('\n')}\n`;
}

function jsonValue(value: Value): unknown {
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return numberText(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  return value;
}

export function formatJson(result: QueryResult): string {
  const objects = result.rows.map((row) =>
    Object.fromEntries(result.columns.map((c, i) => [c.name, jsonValue(row[i])])),
  );
  return `${JSON.stringify(objects, null, 2)}\n`;
}

/** RFC 4180: fields with a comma, quote or line break quoted, quotes doubled; NULL is an empty field. */
export function csvField(value: Value): string {
  if (value === null) return '';
  const text = valueText(value, '');
  return text === '' || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(result: QueryResult): string {
  const lines = [result.columns.map((c) => csvField(c.name)), ...result.rows.map((row) => row.map(csvField))];
  return lines.map((l) => `${l.join(',')}\r\n`).join('');
}

export function formatResult(result: QueryResult, format: OutputFormat): string {
  return format === 'json' ? formatJson(result) : format === 'csv' ? formatCsv(result) : formatTable(result);
}
