import { formatCsv, formatJson, formatTable, type QueryResult } from '../../ops/query/format';
import { PassThrough, Readable } from 'node:stream';
import { completeStatements, repl } from '../../ops/query/repl';
import type { QuerySession } from '../../ops/query/run';

const result: QueryResult = {
  columns: [
    { name: 'name', type: 'varchar' },
    { name: 'records', type: 'bigint' },
    { name: 'metres', type: 'double' },
    { name: 'parts', type: 'array(varchar)' },
  ],
  rows: [
    ['Shadowfax', 120n, 3571.25, ['a', null]],
    ['Bucephalus, "the ox-head"', 9007199254740993n, NaN, []],
    [null, 0n, null, null],
  ],
};

describe('output formats', () => {
  it('aligns a table, numbers to the right, NULL shown, a row count', () => {
    expect(formatTable(result)).toBe(
      [
        '           name            |     records      | metres  |   parts',
        '---------------------------+------------------+---------+-----------',
        ' Shadowfax                 |              120 | 3571.25 | [a, NULL]',
        ' Bucephalus, "the ox-head" | 9007199254740993 |     NaN | []',
        ' NULL                      |                0 |    NULL | NULL',
        '(3 rows)',
        '',
      ].join('\n'),
    );
  });

  it('writes JSON: an array of objects, exact big integers as strings', () => {
    expect(JSON.parse(formatJson(result))).toEqual([
      { name: 'Shadowfax', records: 120, metres: 3571.25, parts: ['a', null] },
      { name: 'Bucephalus, "the ox-head"', records: '9007199254740993', metres: 'NaN', parts: [] },
      { name: null, records: 0, metres: null, parts: null },
    ]);
  });

  it('writes RFC 4180 CSV: a header, quotes where needed, NULL as an empty field, "" for an empty string', () => {
    const withEmpty: QueryResult = { ...result, rows: [...result.rows, ['', 1n, 0.5, null]] };
    expect(formatCsv(withEmpty)).toBe(
      'name,records,metres,parts\r\n' +
        'Shadowfax,120,3571.25,"[a, NULL]"\r\n' +
        '"Bucephalus, ""the ox-head""",9007199254740993,NaN,[]\r\n' +
        ',0,,\r\n' +
        '"",1,0.5,\r\n',
    );
  });
});

describe('the prompt', () => {
  it('splits statements at semicolons outside quotes and comments', () => {
    expect(completeStatements(`SELECT 'a;b'; SELECT "x;" -- c;\nFROM t; SELECT`)).toEqual({
      statements: [`SELECT 'a;b'`, `SELECT "x;" -- c;\nFROM t`],
      rest: ' SELECT',
    });
  });
});

describe('the interactive prompt', () => {
  it('runs each ;-terminated statement, reports a failing one and carries on, stops at exit', async () => {
    const ran: string[] = [];
    const session: QuerySession = {
      description: 'a test session',
      async run(sql) {
        ran.push(sql);
        if (sql === 'bad') throw new Error('line 1:1: mismatched input');
        return {
          columns: [{ name: 'x', type: 'integer' }],
          rows: [[ran.length]],
          notes: [],
          summary: 'read',
        };
      },
      async close() {},
    };
    const [output, errors] = [new PassThrough(), new PassThrough()];
    let [out, err] = ['', ''];
    output.on('data', (d) => (out += d));
    errors.on('data', (d) => (err += d));
    await repl(session, 'csv', {
      input: Readable.from(['SELECT 1;\nSELECT\n', ' 2;\nbad;\n', 'exit\nSELECT 3;\n']),
      output,
      errors,
    });
    expect(ran).toEqual(['SELECT 1', 'SELECT\n 2', 'bad']);
    expect(out).toBe('x\r\n1\r\nx\r\n2\r\n');
    expect(err).toBe(
      'Querying a test session. End statements with ;  exit or Ctrl-D quits.\nread\nread\nline 1:1: mismatched input\n',
    );
  });
});
