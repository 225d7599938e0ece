/**
 * The local engine's answers for Athena's SQL: each case is a construct whose Trino (Athena
 * engine 3) answer is documented, run through the same session `npm run query` uses, over
 * fixture tables in an in-memory object store. Where DuckDB alone would answer differently
 * (integer division, casts, substr, concat with NULL, NaN, implicit casts, select aliases in
 * WHERE), the answer must be Trino's or an error; never DuckDB's.
 */
import { DataError, SqlError, UnsupportedError } from '../../ops/query/errors';
import type { GlueTable } from '../../ops/query/catalog';
import { localSession, type QuerySession } from '../../ops/query/run';
import { glueToSql } from '../../ops/query/types';
import { jsonLines, MemoryStore, SENSOR_ALERTS, UNICORN_STATUS } from './query/fixtures';

const HOUR = 'raw/year=2026/month=11/day=23/hour=10/';
const store = new MemoryStore()
  .put(
    'lake',
    `${HOUR}WildRydes-Delivery-1-2026-11-23-10-00-00-a.gz`,
    jsonLines([
      {
        Name: 'Shadowfax',
        StatusTime: '2026-11-23 10:00:00.189',
        Latitude: 40.75,
        Longitude: -73.98,
        Distance: 10.5,
        MagicPoints: 150,
        HealthPoints: 140,
      },
      {
        name: 'Shadowfax',
        statustime: '2026-11-23 10:00:01.189',
        DISTANCE: 4.5,
        magicPoints: '151',
        HealthPoints: 139,
        Extra: [1],
      },
      { Name: 'Bucephalus', Distance: 'far, far away', MagicPoints: 1.9, HealthPoints: 1e2 },
      '{"Name":"Rocinante","StatusTime":',
      'not json',
    ]),
  )
  .put('lake', 'raw/year=2026/month=10/day=31/hour=23/b.gz', jsonLines([{ Name: 'Shadowfax', Distance: 1 }]))
  .put('lake', 'raw/year=2019/month=01/day=01/hour=00/old.gz', jsonLines([{ Name: 'Old', Distance: 1 }]))
  .put('lake', 'raw/year=2026/month=11/day=23/hour=10/_SUCCESS', '')
  .put(
    'lake',
    'raw/year=2026/month=1/day=23/hour=10/unpadded.gz',
    jsonLines([{ Name: 'Unpadded', Distance: 1 }]),
  )
  .put(
    'lake',
    'sensor-alerts/year=2026/month=11/day=23/hour=10/alerts.csv',
    [
      'sensor-1,1795428000000,20,55.5,OK',
      '"sensor-2",1795428000001,21.5,-10,"FAIL, ""hot"""',
      'sensor-3,1795428000002,20,60,',
      'sensor-4,1795428000003',
    ].join('\n'),
  );

let session: QuerySession;
beforeAll(async () => {
  session = await localSession([UNICORN_STATUS, SENSOR_ALERTS], 'wildrydes', store, 'fixtures');
});
afterAll(() => session.close());

const rows = async (sql: string) => (await session.run(sql)).rows;
const one = async (sql: string) => (await rows(sql))[0];

describe("the README's query", () => {
  const readme = `SELECT name, count(*) AS records, sum(distance) AS metres
FROM wildrydes.unicorn_status
WHERE year = '2026' AND month = '11'
GROUP BY name;`;

  it('counts per unicorn; the lines the SerDe reads as NULL rows are a NULL group, as in Athena', async () => {
    const result = await session.run(`${readme.replace(';', '')} ORDER BY name`);
    expect(result.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'name varchar',
      'records bigint',
      'metres double',
    ]);
    expect(result.rows).toEqual([
      ['Bucephalus', 1n, null],
      ['Shadowfax', 2n, 15],
      [null, 2n, null],
    ]);
  });

  it('reads only the objects of the partitions the WHERE clause fixes', async () => {
    const before = store.reads;
    const result = await session.run(readme);
    expect(store.reads - before).toBe(1);
    expect(result.summary).toMatch(/^1 objects, 5 records read/);
  });

  it('sees only projected partitions: not before 2020, not unpadded months, not hidden files', async () => {
    expect(await rows(`SELECT DISTINCT year, month FROM unicorn_status ORDER BY 1, 2`)).toEqual([
      ['2026', '10'],
      ['2026', '11'],
    ]);
  });
});

describe('reading JSON as the OpenX SerDe does', () => {
  it('matches field names case-insensitively and converts values by column type', async () => {
    expect(
      await rows(
        `SELECT name, magicpoints, healthpoints, distance FROM unicorn_status WHERE year = '2026' AND month = '11' AND name IS NOT NULL ORDER BY statustime NULLS LAST`,
      ),
    ).toEqual([
      ['Shadowfax', 150, 140, 10.5],
      ['Shadowfax', 151, 139, 4.5],
      // "far, far away" is no double: NULL; 1.9 is truncated to 1; 1e2 is 100.
      ['Bucephalus', 1, 100, null],
    ]);
  });

  it('holds boolean, smallint and tinyint columns as those types', async () => {
    const flags: GlueTable = {
      ...UNICORN_STATUS,
      name: 'flags',
      columns: (['boolean', 'smallint', 'tinyint'] as const).map((glueType) => ({
        name: `a_${glueType}`,
        type: glueToSql(glueType),
        glueType,
      })),
      location: 's3://lake/flags/',
      locationTemplate: 's3://lake/flags/year=${year}/month=${month}/day=${day}/hour=${hour}/',
    };
    const objects = new MemoryStore().put(
      'lake',
      'flags/year=2026/month=11/day=23/hour=10/a.json',
      jsonLines([{ a_boolean: true, a_smallint: -32768, a_tinyint: 127 }]),
    );
    const s = await localSession([flags], 'wildrydes', objects, 'flags');
    try {
      const result = await s.run('SELECT a_boolean, a_smallint, a_tinyint FROM flags');
      expect(result.columns.map((c) => c.type)).toEqual(['boolean', 'smallint', 'tinyint']);
      expect(result.rows).toEqual([[true, -32768, 127]]);
    } finally {
      await s.close();
    }
  });

  it('gives "$path", and * without it, partition columns last', async () => {
    const result = await session.run(`SELECT *, "$path" FROM unicorn_status WHERE month = '10'`);
    expect(result.columns.map((c) => c.name)).toEqual([
      'name',
      'statustime',
      'latitude',
      'longitude',
      'distance',
      'magicpoints',
      'healthpoints',
      'year',
      'month',
      'day',
      'hour',
      '$path',
    ]);
    expect(result.rows[0][11]).toBe('s3://lake/raw/year=2026/month=10/day=31/hour=23/b.gz');
  });
});

describe('reading CSV as the Open CSV SerDe does', () => {
  it('unquotes RFC 4180 fields, converts the numbers, leaves missing fields NULL', async () => {
    expect(await rows(`SELECT * FROM sensor_alerts ORDER BY sensorid`)).toEqual([
      ['sensor-1', 1795428000000n, 20, 55.5, 'OK', '2026', '11', '23', '10'],
      ['sensor-2', 1795428000001n, 21.5, -10, 'FAIL, "hot"', '2026', '11', '23', '10'],
      ['sensor-3', 1795428000002n, 20, 60, '', '2026', '11', '23', '10'],
      ['sensor-4', 1795428000003n, null, null, null, '2026', '11', '23', '10'],
    ]);
  });

  it.each([
    ['a backslash', 'sensor-5,1,2,3,a\\b', /backslash/],
    ['a quoted line break', 'sensor-5,1,2,3,"a\nb"', /unterminated quote/],
    ['an empty number', 'sensor-5,,2,3,OK', /"" is not a bigint/],
  ])('stops at %s, naming the object and line', async (_, line, message) => {
    const odd = new MemoryStore().put(
      'lake',
      'sensor-alerts/year=2026/month=11/day=23/hour=10/odd.csv',
      `sensor-0,1,2,3,OK\n${line}\n`,
    );
    const s = await localSession([SENSOR_ALERTS], 'wildrydes', odd, 'odd');
    try {
      const error = await s.run('SELECT count(*) FROM sensor_alerts').catch((e: Error) => e);
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(
        /^s3:\/\/lake\/sensor-alerts\/year=2026\/month=11\/day=23\/hour=10\/odd\.csv line 2: /,
      );
      expect((error as Error).message).toMatch(message);
    } finally {
      await s.close();
    }
  });
});

/** Each case: a construct, the SQL, and Trino's documented answer. */
const SEMANTICS: [string, string, unknown[]][] = [
  ['integer division truncates toward zero', 'SELECT 7 / 2, -7 / 2, 7 % -3, 7e0 / 2', [3, -3, 1, 3.5]],
  [
    'CAST rounds half away from zero',
    `SELECT CAST(2.5e0 AS integer), CAST(-2.5e0 AS integer), CAST('12' AS bigint), CAST(true AS integer)`,
    [3, -3, 12n, 1],
  ],
  ['TRY_CAST gives NULL', `SELECT TRY_CAST('x' AS integer), TRY_CAST('1e3' AS double)`, [null, 1000]],
  [
    'substr',
    `SELECT substr('hello', 0), substr('hello', -3), substr('hello', 2, 3), substr('hello', -10), substring('hello', 2, 0)`,
    ['', 'llo', 'ell', '', ''],
  ],
  [
    'concat is NULL with a NULL',
    `SELECT concat('a', NULL), 'a' || 'b', concat('a', 'b', 'c')`,
    [null, 'ab', 'abc'],
  ],
  [
    'regexp functions',
    `SELECT regexp_extract('abc', 'x'), regexp_extract('a1b2', '\\d'), regexp_replace('aaa', 'a(a?)', '<$1>'), regexp_like('abc', 'b')`,
    [null, '1', '<a><>', true],
  ],
  ['greatest is NULL with a NULL', 'SELECT greatest(1, NULL), greatest(1, 2), least(2e0, 1)', [null, 2, 1]],
  [
    'NaN equals nothing',
    'SELECT nan() = nan(), nan() <> nan(), 1e0 < nan(), nan() BETWEEN 0 AND 1',
    [false, true, false, false],
  ],
  ['sqrt and ln outside their domain', 'SELECT is_nan(sqrt(-1)), ln(0)', [true, -Infinity]],
  ['trim removes Java whitespace', `SELECT trim('  x  '), ltrim(' x '), rtrim(' x ')`, ['x', 'x ', ' x']],
  [
    'split and arrays are 1-based',
    `SELECT cardinality(split('a,b,,c', ',')), element_at(split('a,b', ','), -1), split('a,b', ',')[1]`,
    [4n, 'b', 'a'],
  ],
  [
    'date_parse and date_format use MySQL formats',
    `SELECT date_parse('2017-06-05 09:17:08.189', '%Y-%m-%d %H:%i:%s.%f'), date_format(TIMESTAMP '2026-11-23 10:05:09', '%Y/%m/%d %H:%i:%s %W %b %e')`,
    ['2017-06-05 09:17:08.189', '2026/11/23 10:05:09 Monday Nov 23'],
  ],
  [
    'timestamps keep millisecond precision, UTC',
    `SELECT from_unixtime(1795428000.1234), from_iso8601_timestamp('2026-11-23T10:00:00.5Z'), to_unixtime(TIMESTAMP '2026-11-23 10:00:00')`,
    ['2026-11-23 10:00:00.123 UTC', '2026-11-23 10:00:00.500 UTC', 1795428000],
  ],
  [
    'date arithmetic',
    `SELECT date_trunc('hour', TIMESTAMP '2026-11-23 10:35:00.123'), date_add('month', 1, DATE '2026-01-31'), date_diff('day', TIMESTAMP '2026-01-01 23:00:00', TIMESTAMP '2026-01-02 01:00:00'), day_of_week(DATE '2026-11-29'), hour(TIMESTAMP '2026-11-23 10:35:00')`,
    ['2026-11-23 10:00:00.000', '2026-02-28', 0n, 7n, 10n],
  ],
  [
    'CAST of a timestamp to varchar keeps its digits',
    `SELECT CAST(TIMESTAMP '2026-11-23 10:00:00.000' AS varchar), CAST(DATE '2026-11-23' AS varchar)`,
    ['2026-11-23 10:00:00.000', '2026-11-23'],
  ],
  [
    'LIKE and = are case-sensitive',
    `SELECT 'Shadowfax' LIKE 'shadow%', 'a' = 'A', 'a_c' LIKE 'a\\_c' ESCAPE '\\'`,
    [false, false, true],
  ],
  [
    'if, coalesce, nullif and CASE',
    `SELECT if(1 > 2, 'a', 'b'), coalesce(NULL, 2, 3), nullif(1, 1), CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END`,
    ['b', 2, null, 'two'],
  ],
  ['decimals keep their scale', 'SELECT 1.5 * 2, 0.1 + 0.20, 1.5 + 1e0', ['3.0', '0.30', 2.5]],
  [
    'round and mod',
    'SELECT round(2.5e0), round(-2.5e0), round(1.23456e0, 2), mod(-7, 3), abs(-3), ceil(1.2e0)',
    [3, -3, 1.23, -1, 3, 2],
  ],
];

describe("Trino's semantics where DuckDB's differ", () => {
  it.each(SEMANTICS)('%s', async (_, sql, expected) => {
    expect(await one(sql)).toEqual(expected);
  });
});

describe("Trino's types, ordering and query forms", () => {
  it('types: sum of integers is bigint, avg is double, unnamed columns are _colN', async () => {
    const result = await session.run(
      `SELECT sum(magicpoints), avg(magicpoints), count(*) AS n, max(name) FROM unicorn_status WHERE month = '11'`,
    );
    expect(result.columns).toEqual([
      { name: '_col0', type: 'bigint' },
      { name: '_col1', type: 'double' },
      { name: 'n', type: 'bigint' },
      { name: '_col3', type: 'varchar' },
    ]);
    expect(result.rows).toEqual([[302n, 302 / 3, 5n, 'Shadowfax']]);
  });

  it('sorts NULLs last in both directions, as Trino does', async () => {
    const names = async (direction: string) =>
      (await rows(`SELECT name FROM unicorn_status WHERE month = '11' ORDER BY name ${direction}`)).map(
        (r) => r[0],
      );
    expect(await names('ASC')).toEqual(['Bucephalus', 'Shadowfax', 'Shadowfax', null, null]);
    expect(await names('DESC')).toEqual(['Shadowfax', 'Shadowfax', 'Bucephalus', null, null]);
  });

  it('runs WITH, joins, subqueries, UNION, DISTINCT, HAVING, LIMIT', async () => {
    const sql = `WITH counts AS (SELECT name, count(*) AS c FROM unicorn_status WHERE name IS NOT NULL GROUP BY name)
      SELECT a.name, a.c, (SELECT count(*) FROM counts) AS unicorns FROM counts a JOIN counts b ON a.name = b.name
      WHERE a.name IN (SELECT name FROM unicorn_status WHERE distance > 5) OR a.c > 1
      UNION ALL SELECT 'total', count(*), 0 FROM unicorn_status HAVING count(*) > 1
      ORDER BY 2 DESC LIMIT 2`;
    expect(await rows(sql)).toEqual([
      ['total', 6n, 0n],
      ['Shadowfax', 3n, 2n],
    ]);
  });

  it('notes the estimates it answers exactly', async () => {
    const result = await session.run(
      `SELECT approx_distinct(name), approx_percentile(magicpoints, 0.5) FROM unicorn_status WHERE month = '11'`,
    );
    expect(result.rows).toEqual([[2n, 150n]]);
    expect(result.notes).toEqual([
      expect.stringMatching(/^approx_distinct\(\) is computed exactly/),
      expect.stringMatching(/^approx_percentile\(\) is computed exactly/),
    ]);
  });

  it('shows the tables', async () => {
    expect(await rows('SHOW TABLES')).toEqual([['sensor_alerts'], ['unicorn_status']]);
  });
});

describe('errors Athena gives too, where DuckDB would answer', () => {
  it.each([
    [
      'comparing a string partition with a number',
      `SELECT name FROM unicorn_status WHERE year = 2026`,
      /^Cannot apply operator: varchar = integer$/,
    ],
    [
      'a select alias in WHERE',
      `SELECT name AS n FROM unicorn_status WHERE n = 'x'`,
      /^Column 'n' cannot be resolved$/,
    ],
    [
      'a select alias in GROUP BY',
      `SELECT upper(name) AS n, count(*) FROM unicorn_status GROUP BY n`,
      /^Column 'n' cannot be resolved$/,
    ],
    [
      'ORDER BY outside a DISTINCT select list',
      `SELECT DISTINCT name FROM unicorn_status ORDER BY distance`,
      /must appear in select list/,
    ],
    [
      'CASE results of unrelated types',
      `SELECT CASE WHEN true THEN 1 ELSE 'a' END`,
      /All CASE results must be the same type/,
    ],
    ['integer division by zero', 'SELECT 1 / 0', /^Division by zero$/],
    ['a string that is no integer', `SELECT CAST('12.5' AS integer)`, /^Cannot cast '12\.5' to INT$/],
    [
      'an array subscript out of bounds',
      `SELECT split('a,b', ',')[3]`,
      /^Array subscript must be less than or equal to array length: 3 > 2$/,
    ],
    [
      'a scalar subquery with two rows',
      `SELECT (SELECT name FROM unicorn_status WHERE month = '11' AND name IS NOT NULL)`,
      /More than one row/,
    ],
    [
      'an aggregate in WHERE',
      `SELECT name FROM unicorn_status WHERE count(*) > 1`,
      /^WHERE clause cannot contain aggregations/,
    ],
    [
      'a missing table',
      `SELECT * FROM wildrydes.nothing`,
      /^Table 'awsdatacatalog\.wildrydes\.nothing' does not exist$/,
    ],
    ['a syntax error', `SELECT name FROM`, /^line 1:17: unexpected end of the statement$/],
  ])('%s', async (_, sql, message) => {
    const error = await session.run(sql).catch((e: Error) => e);
    expect((error as Error).message).toMatch(message);
  });

  it('are SqlErrors when the query is not valid Athena SQL', async () => {
    await expect(session.run('SELECT name FROM unicorn_status WHERE year = 2026')).rejects.toBeInstanceOf(
      SqlError,
    );
  });
});

describe('constructs the local engine refuses by name', () => {
  it.each([
    [
      'window functions',
      'SELECT row_number() OVER () FROM unicorn_status',
      /^window functions \(OVER\): not supported/,
    ],
    ['INTERSECT', 'SELECT 1 INTERSECT SELECT 1', /^INTERSECT: not supported/],
    ['UNNEST', 'SELECT x FROM UNNEST(ARRAY[1]) AS t(x)', /^UNNEST: not supported/],
    [
      'an unknown function',
      'SELECT levenshtein_distance(name, name) FROM unicorn_status',
      /^the function levenshtein_distance\(\): not supported/,
    ],
    [
      'a correlated subquery',
      `SELECT name FROM unicorn_status u WHERE distance > (SELECT avg(distance) FROM unicorn_status v WHERE v.name = u.name)`,
      /^a correlated subquery/,
    ],
    [
      'double to varchar',
      'SELECT CAST(1.5e0 AS varchar)',
      /^CAST of double to varchar: not supported .*1\.5E0/,
    ],
    ['decimal division', 'SELECT 1.5 / 2', /^decimal division: not supported/],
    [
      'a time zone offset',
      `SELECT from_iso8601_timestamp('2026-11-23T10:00:00+01:00')`,
      /offset other than UTC is not supported/,
    ],
    [
      'two-digit years in date_parse',
      `SELECT date_parse('2026-11-23 26', '%Y-%m-%d %y')`,
      /%y in date_parse\(\): not supported/,
    ],
    ['other statements', 'CREATE TABLE x (a int)', /^the CREATE statement: not supported/],
  ])('%s', async (_, sql, message) => {
    const error = await session.run(sql).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(message);
    if (!/offset/.test(String(message))) expect(error).toBeInstanceOf(UnsupportedError);
  });
});
