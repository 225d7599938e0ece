/**
 * `npm run query -- --aws`: the same command on Athena, through the real SDK client, against a
 * small server on 127.0.0.1 that speaks Athena's JSON protocol (X-Amz-Target
 * AmazonAthena.StartQueryExecution, GetQueryExecution, GetQueryResults) as the API reference
 * documents it: a query that runs a while, results over two pages, the first row of a SELECT
 * holding the column names.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { QueryError } from '../../ops/query/errors';
import { formatTable } from '../../ops/query/format';
import { openSession } from '../../ops/query/session';

interface Call {
  target: string;
  body: Record<string, unknown>;
}

const calls: Call[] = [];
let state: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED';
let polls = 0;
let server: Server;
let endpoint: string;

const column = (name: string, type: string) => ({
  CatalogName: 'hive',
  SchemaName: '',
  TableName: '',
  Name: name,
  Label: name,
  Type: type,
  Nullable: 'UNKNOWN',
  CaseSensitive: type === 'varchar',
});
const row = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});

function respond(call: Call): unknown {
  switch (call.target) {
    case 'StartQueryExecution':
      return { QueryExecutionId: 'a1b2c3d4-0000-4000-8000-000000000001' };
    case 'GetQueryExecution': {
      polls += 1;
      const running = polls < 3;
      return {
        QueryExecution: {
          QueryExecutionId: call.body.QueryExecutionId,
          StatementType: 'DML',
          Status: {
            State: running ? 'RUNNING' : state,
            ...(state === 'FAILED' && !running
              ? { StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'nme' cannot be resolved" }
              : {}),
          },
          Statistics: { DataScannedInBytes: 4096, TotalExecutionTimeInMillis: 850 },
        },
      };
    }
    case 'GetQueryResults': {
      const metadata = {
        ColumnInfo: [column('name', 'varchar'), column('records', 'bigint'), column('metres', 'double')],
      };
      if (call.body.NextToken === undefined) {
        return {
          ResultSet: {
            Rows: [row('name', 'records', 'metres'), row('Shadowfax', '120', '3571.25')],
            ResultSetMetadata: metadata,
          },
          NextToken: 'page-2',
        };
      }
      return { ResultSet: { Rows: [row('Bucephalus', '118', undefined)], ResultSetMetadata: metadata } };
    }
  }
  throw new Error(`unexpected ${call.target}`);
}

async function body(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const call = {
      target: target.replace(/^AmazonAthena\./, ''),
      body: JSON.parse((await body(request)) || '{}'),
    };
    calls.push(call);
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(respond(call)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
});

afterAll(async () => {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
  polls = 0;
  state = 'SUCCEEDED';
});

const README_QUERY = `SELECT name, count(*) AS records, sum(distance) AS metres
FROM wildrydes.unicorn_status
WHERE year = '2026' AND month = '11'
GROUP BY name;`;

it('sends the SQL unchanged in the stack’s workgroup, waits, and reads every page', async () => {
  const session = await openSession({
    aws: true,
    endpointUrl: endpoint,
    region: 'us-east-1',
    polling: { startingDelay: 1 },
  });
  try {
    const result = await session.run(README_QUERY);
    expect(calls[0]).toEqual({
      target: 'StartQueryExecution',
      body: expect.objectContaining({
        QueryString: README_QUERY,
        WorkGroup: 'wildrydes',
        QueryExecutionContext: { Database: 'wildrydes', Catalog: 'AwsDataCatalog' },
      }),
    });
    expect(calls.map((c) => c.target)).toEqual([
      'StartQueryExecution',
      'GetQueryExecution',
      'GetQueryExecution',
      'GetQueryExecution',
      'GetQueryResults',
      'GetQueryResults',
    ]);
    expect(calls[5].body).toMatchObject({ NextToken: 'page-2' });
    expect(formatTable(result)).toBe(
      [
        '    name    | records | metres',
        '------------+---------+---------',
        ' Shadowfax  |     120 | 3571.25',
        ' Bucephalus |     118 |    NULL',
        '(2 rows)',
        '',
      ].join('\n'),
    );
    expect(result.summary).toBe(
      'Athena query a1b2c3d4-0000-4000-8000-000000000001, 4096 bytes scanned (0.85 s)',
    );
  } finally {
    await session.close();
  }
});

it('takes the workgroup and database from cdk deploy outputs', async () => {
  const outputs = path.join(__dirname, 'fixtures', 'outputs.json');
  const session = await openSession({
    outputs,
    stack: 'WildRydes-bob',
    endpointUrl: endpoint,
    region: 'us-east-1',
    polling: { startingDelay: 1 },
  });
  try {
    await session.run('SELECT 1');
    expect(calls[0].body).toMatchObject({
      WorkGroup: 'bob-wildrydes',
      QueryExecutionContext: { Database: 'bob_wildrydes' },
    });
  } finally {
    await session.close();
  }
  await expect(openSession({ outputs, endpointUrl: endpoint })).rejects.toThrow(
    /several stacks with an Athena workgroup: pass --stack/,
  );
});

it('reports a failed query in one line with Athena’s reason', async () => {
  state = 'FAILED';
  const session = await openSession({
    aws: true,
    prefix: 'alice',
    endpointUrl: endpoint,
    region: 'us-east-1',
    polling: { startingDelay: 1 },
  });
  try {
    const error = await session.run('SELECT nme FROM unicorn_status').catch((e: Error) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as Error).message).toBe(
      "Athena query a1b2c3d4-0000-4000-8000-000000000001 failed: COLUMN_NOT_FOUND: line 1:8: Column 'nme' cannot be resolved",
    );
    expect(calls[0].body).toMatchObject({
      WorkGroup: 'alice-wildrydes',
      QueryExecutionContext: { Database: 'alice_wildrydes' },
    });
  } finally {
    await session.close();
  }
});

it('asks for a pipeline or --aws when neither is there', async () => {
  await expect(openSession({}, { WILDRYDES_ENDPOINTS_FILE: 'none' })).rejects.toThrow(
    /^No local pipeline is running: start it with npm start, or pass --aws/,
  );
});
