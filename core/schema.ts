import { z } from 'zod';

/**
 * Configuration files and JSON inputs are validated with zod schemas; this turns the first
 * problem into the one line a person can act on: which file, which field, what was received
 * and, for an unknown key, the closest known one.
 *
 *   workshop.yaml: attendees[1].region must be a region code such as "us-east-1", got "mars"
 *   agent.json: flows[0]: unknown key "filePatern" (did you mean "filePattern"?)
 */

/** `attendees[1].region`, `settings.weblogs`: a JSON path as people write it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
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

/** The known name closest to a misspelt one, when it is close enough to be a typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || d < best.d) best = { name: candidate, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.name : undefined;
}

const shown = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

/** The keys an object schema at `path` allows, for suggestions. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    current = unwrap(current);
    if (current instanceof z.ZodObject) current = current.shape[key as string] as z.ZodType | undefined;
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return [];
  }
  current = unwrap(current);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodNullable
  )
    current = current.unwrap() as z.ZodType;
  return current;
}

/** One line for one zod issue, prefixed by `source` (the file, or what is being read). */
export function describeIssue(issue: z.core.$ZodIssue, source: string, schema?: z.ZodType): string {
  const field = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const where = field === '' ? source : `${source}: ${field}`;
    const allowed = schema ? allowedKeys(schema, issue.path) : [];
    const keys = issue.keys.map((key) => {
      const suggestion = closest(key, allowed);
      return `"${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    });
    const list = allowed.length > 0 ? `; allowed: ${allowed.join(', ')}` : '';
    return `${where}: unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}${list}`;
  }
  const input = (issue as { input?: unknown }).input;
  const withoutInput = issue.code === 'custom' && issue.params?.withoutInput === true;
  return `${source}: ${field === '' ? '' : `${field} `}${issue.message}${withoutInput ? '' : `, got ${shown(input)}`}`;
}

/**
 * Validates `value` with `schema`; on a problem throws `new ErrorClass(line)` for the first
 * one, unknown keys first (a typo usually explains whatever else fails).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  source: string,
  ErrorClass: new (message: string) => Error = Error,
): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues = [...result.error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  throw new ErrorClass(describeIssue(issues[0], source, schema));
}
