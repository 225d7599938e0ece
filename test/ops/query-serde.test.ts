/**
 * Reading lines as Athena's SerDes do: the OpenX JSON SerDe as Trino documents its
 * implementation (lib/trino-hive-formats, openxjson/README.md), the Open CSV SerDe as Athena
 * documents it, and the strict JSON line reader underneath.
 */
import { DataError } from '../../ops/query/errors';
import { readJsonLine } from '../../ops/query/json-line';
import {
  csvFields,
  javaDouble,
  openCsvDecoder,
  openXJsonDecoder,
  openXLong,
  textLines,
} from '../../ops/query/serde';

const where = () => 's3://b/k line 1';

describe('JSON lines', () => {
  it('reads the first value, keeps number text, ignores what follows', () => {
    expect(readJsonLine('{"a": 1.50, "b": [true, null]} trailing')).toEqual({
      ok: true,
      value: {
        t: 'object',
        entries: [
          ['a', { t: 'number', raw: '1.50' }],
          ['b', { t: 'array', items: [{ t: 'boolean', v: true }, { t: 'null' }] }],
        ],
      },
    });
  });

  it.each(['{"Name":"Shadowfax","StatusTime":', '{"a":"unterminated', '{"a":12.', '{"a":tr', '{"a":1,', '['])(
    'tells a line cut short: %s',
    (line) => {
      expect(readJsonLine(line)).toMatchObject({ ok: false, truncated: true });
    },
  );

  it.each(["{'a':1}", '{"a":1,}', '{a:1}', '{"a":01}', '{"a":NaN}'])(
    'tells other syntax errors: %s',
    (line) => {
      expect(readJsonLine(line)).toMatchObject({ ok: false, truncated: false });
    },
  );
});

describe('OpenX JSON SerDe', () => {
  const decoder = openXJsonDecoder(
    [
      { name: 'name', type: 'varchar' },
      { name: 'distance', type: 'double' },
      { name: 'points', type: 'integer' },
      { name: 'big', type: 'bigint' },
      { name: 'ok', type: 'boolean' },
    ],
    { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
  );
  const decode = (line: string) => decoder.decode(line, where);

  it('matches names case-insensitively, the last duplicate winning', () => {
    expect(
      decode('{"NAME":"a","Name":"b","Distance":1.5,"POINTS":7,"big":9007199254740993,"OK":"TRUE"}'),
    ).toEqual(['b', 1.5, 7, 9007199254740993n, true]);
  });

  it('gives a row of NULLs for a line that is no object or array, or is cut short', () => {
    for (const line of ['', 'hello', '"text"', '42', '{"name":"a","distance":']) {
      expect(decode(line)).toEqual([null, null, null, null, null]);
    }
  });

  it('maps an array by position', () => {
    expect(decode('["a", 2, 3]')).toEqual(['a', 2, 3, null, null]);
  });

  it('converts numbers from text as Trino does; what does not convert is NULL', () => {
    expect(decode('{"distance":"far","points":"0x1F","big":"1.9e1"}')).toEqual([null, null, 31, 19n, null]);
    expect(decode('{"distance":"1e3","points":2147483648,"big":-1.9,"ok":1}')).toEqual([
      null,
      1000,
      null,
      -1n,
      false,
    ]);
    expect(decode('{"distance":true,"points":"017","ok":{"x":1}}')).toEqual([null, null, 15, null, false]);
  });

  it('refuses what it cannot read as Athena would', () => {
    expect(() => decode('{"name":12}')).toThrow(
      /a JSON number in a string column is not read by the local reader/,
    );
    expect(() => decode('{"distance":{"a":1}}')).toThrow(
      /a JSON object cannot be read as double \(Athena fails the query too\)/,
    );
    expect(() => decode("{'name':'a'}")).toThrow(DataError);
    expect(() => decode("{'name':'a'}")).toThrow(/^s3:\/\/b\/k line 1: not strict JSON/);
  });

  it('fails on a malformed line without ignore.malformed.json, as Athena does', () => {
    const strict = openXJsonDecoder([{ name: 'a', type: 'varchar' }], {});
    expect(() => strict.decode('{"a":', where)).toThrow(/malformed JSON .*HIVE_BAD_DATA/);
  });
});

describe('OpenX JSON SerDe numbers', () => {
  it.each([
    ['123', 123n],
    ['+5', 5n],
    ['0x1f', 31n],
    ['017', 15n],
    ['089', 89n],
    ['1.99', 1n],
    ['-1.99', -1n],
    ['1e3', 1000n],
    ['.5', 0n],
    ['9223372036854775808', undefined],
    ['0x', undefined],
    ['abc', undefined],
  ])('reads %s as a long like Trino', (text, value) => {
    expect(openXLong(text, where)).toBe(value);
  });

  it.each([
    ['1.5', 1.5],
    [' 2 ', 2],
    ['3d', 3],
    ['-Infinity', -Infinity],
    ['far', null],
  ])('reads %s as a double like Java', (text, value) => {
    expect(javaDouble(text, where)).toBe(value);
  });
});

describe('Open CSV SerDe', () => {
  it('splits RFC 4180 fields', () => {
    expect(csvFields('a,"b,c","d ""e""",,""')).toEqual(['a', 'b,c', 'd "e"', '', '']);
    expect(csvFields('a,b')).toEqual(['a', 'b']);
  });

  it.each([
    ['a,b\\c', /backslash/],
    ['a,"b', /unterminated quote/],
    ['a,"b"c', /text after a closing quote/],
    ['a,b"c', /quote inside an unquoted field/],
  ])('refuses %s', (line, reason) => {
    expect(csvFields(line)).toEqual({ unsupported: expect.stringMatching(reason) });
  });

  it('skips header lines when the table says so, and splits lines as Hadoop does', () => {
    const decoder = openCsvDecoder([{ name: 'a', type: 'bigint' }], {}, { 'skip.header.line.count': '1' });
    expect(decoder.skipLines).toBe(1);
    expect(textLines('a\r\nb\rc\nd\n')).toEqual(['a', 'b', 'c', 'd']);
  });
});
