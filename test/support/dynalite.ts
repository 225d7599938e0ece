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
    async createSummaryTable(name: string) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [
            { AttributeName: 'Name', AttributeType: 'S' },
            { AttributeName: 'StatusTime', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'Name', KeyType: 'HASH' },
            { AttributeName: 'StatusTime', KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
