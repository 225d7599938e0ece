import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddressInfo } from 'node:net';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: object) => import('node:http').Server;

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** An in-memory DynamoDB emulator on 127.0.0.1 with a free port; call `stop` when done. */
export async function startDynalite() {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  return {
    client,
    doc: DynamoDBDocumentClient.from(client),
    createSummaryTable: (name: string) => createSummaryTable(client, name),
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

/**
 * A pay-per-request table keyed by the string attribute `hash` (and `range`, when given), the
 * way the stacks declare theirs.
 */
export async function createKeyTable(client: DynamoDBClient, name: string, hash: string, range?: string) {
  const keys = range === undefined ? [hash] : [hash, range];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      KeySchema: keys.map((AttributeName, i) => ({ AttributeName, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** The unicorn summaries table of SummaryPersistence: Name and StatusTime. */
export const createSummaryTable = (client: DynamoDBClient, name: string) =>
  createKeyTable(client, name, 'Name', 'StatusTime');
