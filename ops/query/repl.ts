import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { formatResult, type OutputFormat } from './format';
import type { QuerySession, StatementResult } from './run';

/**
 * The interactive prompt: statements end with `;` and may span lines; `exit` or `quit` (or
 * Ctrl-D) ends it. A failing statement prints its one-line error and the prompt carries on.
 */

export interface ReplIO {
  readonly input: Readable;
  readonly output: Writable;
  readonly errors: Writable;
}

/** Splits text into the complete `;`-terminated statements it holds and what is left over. */
export function completeStatements(text: string): { statements: string[]; rest: string } {
  const statements: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === ';') {
      const statement = text.slice(start, i).trim();
      if (statement) statements.push(statement);
      start = i + 1;
    }
  }
  return { statements, rest: text.slice(start) };
}

/** Prints a statement's result on `output`, its notes and summary on `errors`. */
export function printResult(
  result: StatementResult,
  format: OutputFormat,
  io: Pick<ReplIO, 'output' | 'errors'>,
): void {
  io.output.write(formatResult(result, format));
  for (const note of result.notes) io.errors.write(`Note: ${note}\n`);
  if (result.summary) io.errors.write(`${result.summary}\n`);
}

export async function repl(session: QuerySession, format: OutputFormat, io: ReplIO): Promise<void> {
  const terminal = (io.input as { isTTY?: boolean }).isTTY === true;
  const lines = createInterface({ input: io.input, output: terminal ? io.output : undefined, terminal });
  const prompt = (continuation: boolean) => {
    if (terminal) {
      lines.setPrompt(continuation ? '     -> ' : 'query> ');
      lines.prompt();
    }
  };
  io.errors.write(`Querying ${session.description}. End statements with ;  exit or Ctrl-D quits.\n`);
  let buffer = '';
  prompt(false);
  for await (const line of lines) {
    if (buffer.trim() === '' && /^\s*(exit|quit)\s*;?\s*$/i.test(line)) break;
    const { statements, rest } = completeStatements(`${buffer}${line}\n`);
    buffer = rest.trim() === '' ? '' : rest;
    for (const statement of statements) {
      try {
        printResult(await session.run(statement), format, io);
      } catch (error) {
        io.errors.write(`${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    prompt(buffer !== '');
  }
  lines.close();
}
