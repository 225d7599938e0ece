import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { retrying } from '#core/retry';
import { QueryError } from './errors';
import type { QueryResult, Value } from './format';
import type { QuerySession } from './run';

/**
 * The same query on Amazon Athena, in a deployed stack's workgroup: StartQueryExecution, then
 * GetQueryExecution with the retry policy's back-off until the query ends, then GetQueryResults page by
 * page. The SQL is sent as written; Athena answers in its own dialect.
 */

export interface AthenaTarget {
  readonly workGroup: string;
  readonly database: string;
}

export interface AthenaPolling {
  /** First wait between status checks, ms. @default 250 */
  readonly startingDelay?: number;
  /** Longest wait between status checks, ms. @default 5000 */
  readonly maxDelay?: number;
}

export interface AthenaResult extends QueryResult {
  readonly queryExecutionId: string;
  readonly dataScannedBytes?: number;
  readonly executionMs?: number;
}

class StillRunning extends Error {}

async function waitForQuery(
  client: AthenaClient,
  id: string,
  polling: AthenaPolling,
): Promise<QueryExecution> {
  return retrying(
    async () => {
      const { QueryExecution: execution } = await client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = execution?.Status?.State;
      if (state === 'QUEUED' || state === 'RUNNING' || state === undefined) throw new StillRunning(state);
      return execution!;
    },
    {
      // A query runs for at most 30 minutes by default; the waits are capped, so this covers it.
      policy: {
        maxAttempts: 1000,
        baseDelayMs: polling.startingDelay ?? 250,
        maxDelayMs: polling.maxDelay ?? 5000,
      },
      retryable: (error) => error instanceof StillRunning,
    },
  );
}

/** A value as Athena writes it (text) for its column type. */
function athenaValue(text: string | undefined, type: string): Value {
  if (text === undefined) return null;
  switch (type) {
    case 'bigint':
      return BigInt(text);
    case 'integer':
    case 'smallint':
    case 'tinyint':
    case 'double':
    case 'float':
    case 'real':
      return Number(text);
    case 'boolean':
      return text === 'true';
    default:
      return text;
  }
}

export async function runOnAthena(
  client: AthenaClient,
  sql: string,
  target: AthenaTarget,
  polling: AthenaPolling = {},
): Promise<AthenaResult> {
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: target.workGroup,
      QueryExecutionContext: { Database: target.database, Catalog: 'AwsDataCatalog' },
    }),
  );
  const id = started.QueryExecutionId!;
  const execution = await waitForQuery(client, id, polling);
  const status = execution.Status!;
  if (status.State !== 'SUCCEEDED') {
    throw new QueryError(
      `Athena query ${id} ${status.State?.toLowerCase()}: ${status.StateChangeReason ?? 'no reason given'}`,
    );
  }
  let columns: ColumnInfo[] | undefined;
  const rows: Value[][] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await client.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }),
    );
    columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
    const data = page.ResultSet?.Rows ?? [];
    // The first row of a SELECT's results holds the column names.
    const skip = first && execution.StatementType === 'DML' ? 1 : 0;
    for (const row of data.slice(skip)) {
      rows.push(columns.map((c, i) => athenaValue(row.Data?.[i]?.VarCharValue, c.Type ?? 'varchar')));
    }
    first = false;
    token = page.NextToken;
  } while (token);
  return {
    queryExecutionId: id,
    columns: (columns ?? []).map((c) => ({ name: c.Name ?? c.Label ?? '', type: c.Type ?? 'varchar' })),
    rows,
    dataScannedBytes: execution.Statistics?.DataScannedInBytes,
    executionMs: execution.Statistics?.TotalExecutionTimeInMillis,
  };
}

export interface AthenaSessionOptions extends AthenaTarget {
  readonly client: AthenaClient;
  readonly polling?: AthenaPolling;
}

export function openAthenaSession(options: AthenaSessionOptions): QuerySession {
  return {
    description: `Athena (workgroup ${options.workGroup}, database ${options.database})`,
    async run(sql) {
      const result = await runOnAthena(options.client, sql, options, options.polling);
      const scanned =
        result.dataScannedBytes === undefined ? '' : `, ${result.dataScannedBytes} bytes scanned`;
      const time = result.executionMs === undefined ? '' : ` (${(result.executionMs / 1000).toFixed(2)} s)`;
      return { ...result, notes: [], summary: `Athena query ${result.queryExecutionId}${scanned}${time}` };
    },
    async close() {
      options.client.destroy();
    },
  };
}
