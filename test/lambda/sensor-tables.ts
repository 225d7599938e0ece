import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createKeyTable } from '../support/dynalite';

/** The sensor pipeline's tables in an emulator, with the key schemas SensorProcessing declares. */
export const createDedupTable = (client: DynamoDBClient, name: string) =>
  createKeyTable(client, name, 'fingerprint');

export const createAggregateTable = (client: DynamoDBClient, name: string) =>
  createKeyTable(client, name, 'sensorId', 'windowStart');
