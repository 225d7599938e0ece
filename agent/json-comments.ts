/**
 * JSON as the Kinesis Agent reads it: its Jackson parser is set to allow comments, so
 * `/* … *\/` blocks and `// …` lines are accepted anywhere white space is. Comments are
 * replaced by spaces (line breaks kept), so positions in error messages stay right.
 */

/** The text with every comment blanked out; strings are left alone. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  const blank = (from: number, to: number) => text.slice(from, to).replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      const end = newline < 0 ? text.length : newline;
      out += blank(i, end);
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw new SyntaxError(`comment opened at ${lineAndColumn(text, i)} is never closed`);
      out += blank(i, close + 2);
      i = close + 2;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** Index just past the string literal that starts at `start` (or the end of the text). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"' || text[i] === '\n') return i + 1;
  }
  return text.length;
}

export function lineAndColumn(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return `line ${line}, column ${index - before.lastIndexOf('\n')}`;
}

/**
 * Where a JSON text stops being valid (-1 if it is valid). Node's own messages give a position
 * for some errors only, so the position is found here for all of them.
 */
function errorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i += 1;
  };
  const string = () => {
    for (i += 1; i < text.length && text[i] !== '"'; i += 1) {
      if (text[i] === '\\') i += 1;
      else if (text[i] < ' ') fail();
    }
    if (i >= text.length) fail();
    i += 1;
  };
  const items = (close: string, item: () => void) => {
    i += 1;
    space();
    if (text[i] === close) return void (i += 1);
    for (;;) {
      item();
      space();
      if (text[i] === close) return void (i += 1);
      if (text[i] !== ',') fail();
      i += 1;
    }
  };
  const value = (): void => {
    space();
    if (text[i] === '{') {
      return items('}', () => {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i += 1;
        value();
      });
    }
    if (text[i] === '[') return items(']', value);
    if (text[i] === '"') return string();
    const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(
      text.slice(i, i + 400),
    );
    if (!literal) fail();
    i += literal![0].length;
  };
  try {
    value();
    space();
    return i < text.length ? i : -1;
  } catch (offset) {
    return offset as number;
  }
}

/** Parses JSON that may hold comments; a syntax error names the line and column. */
export function parseJsonWithComments(text: string): unknown {
  const json = stripJsonComments(text);
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    // Node's message, without the position or source excerpt some versions add.
    const reason = (error as Error).message
      .split('\n')[0]
      .replace(/,? (?:\.\.\.)?".*$/, '')
      .replace(/ (?:in JSON )?at position \d+.*$/, '')
      .replace(/ \(line \d+ column \d+\)$/, '');
    const offset = errorOffset(json);
    throw new SyntaxError(
      `${reason}${offset < 0 ? '' : ` at ${lineAndColumn(json, Math.min(offset, json.length))}`}`,
    );
  }
}
