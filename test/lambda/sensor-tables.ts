import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The sensor pipeline's tables in an emulator, with the key schemas SensorProcessing declares. */
export async function createDedupTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'fingerprint', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'fingerprint', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

export async function createAggregateTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'sensorId', AttributeType: 'S' },
        { AttributeName: 'windowStart', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'sensorId', KeyType: 'HASH' },
        { AttributeName: 'windowStart', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
