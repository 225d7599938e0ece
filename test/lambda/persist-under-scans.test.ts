import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SummaryItem, UnicornSummary } from '#core/summary';
import { SummaryStore } from '../../lambda/persist-summaries/summary-store';
import { dynamodbService } from '../../local/aws/json-proxies';
import { startServiceEndpoint } from '../support/aws-endpoint';
import { createSummaryTable } from '../support/dynalite';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: object) => Server;

/**
 * The persistence step under load as `npm start` runs it: DynamoDB served by dynalite on disk
 * behind the one endpoint, several writers merging parts into the same items while full-table
 * Scans page through the table. Every part a writer reports written must be in the table.
 */

const TABLE = 'UnicornSensorData';
let dir: string;
let server: Server;
let served: Awaited<ReturnType<typeof startServiceEndpoint<DynamoDBClient>>>;
let client: DynamoDBClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'persist-scan-'));
  server = dynalite({ path: dir, createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const upstream = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The SDK's own retries (3 attempts), as the persistence function has them.
  served = await startServiceEndpoint([dynamodbService(() => upstream)], DynamoDBClient, { maxAttempts: 3 });
  client = served.client;
  await createSummaryTable(client, TABLE);
});

afterAll(async () => {
  await served.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function scanAll(): Promise<SummaryItem[]> {
  const items: SummaryItem[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((i) => unmarshall(i) as SummaryItem));
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return items;
}

it('stores every part reported written while full-table scans run', async () => {
  const names = 8;
  const minutes = 3;
  const partsPerItem = 24;
  const writers = 3;
  const doc = DynamoDBDocumentClient.from(client);
  const part = (n: number, m: number, p: number): UnicornSummary => ({
    Name: `unicorn-${n}`,
    StatusTime: `2026-01-01 12:0${m}:00.000`,
    SummaryId: `shardId-00000000000${p % 4}:49590338271490256608559692538361571095921575989136${String(p).padStart(6, '0')}`,
    Distance: 10 + p,
    MinMagicPoints: 100 + p,
    MaxMagicPoints: 100 + p,
    MinHealthPoints: 200 - p,
    MaxHealthPoints: 200 - p,
    Records: 1 + (p % 3),
  });

  let scanning = true;
  let scans = 0;
  const scanner = (async () => {
    while (scanning) {
      await scanAll();
      scans += 1;
    }
  })();

  // Each writer takes every `writers`-th part of every item, so all writers contend for every
  // item at once, as Lambda invocations on different shards would.
  const written: UnicornSummary[] = [];
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const store = new SummaryStore(doc, TABLE, 50);
      for (let p = w; p < partsPerItem; p += writers) {
        for (let n = 0; n < names; n++) {
          for (let m = 0; m < minutes; m++) {
            const summary = part(n, m, p);
            if ((await store.save(summary)) === 'written') written.push(summary);
          }
        }
      }
    }),
  );
  scanning = false;
  await scanner;

  expect(scans).toBeGreaterThan(0);
  expect(written).toHaveLength(names * minutes * partsPerItem);
  const items = await scanAll();
  expect(items).toHaveLength(names * minutes);
  for (const item of items) {
    const mine = written.filter((s) => s.Name === item.Name && s.StatusTime === item.StatusTime);
    expect([...item.PartIds].sort()).toEqual(mine.map((s) => s.SummaryId).sort());
    expect(item.Records).toBe(mine.reduce((sum, s) => sum + s.Records, 0));
    expect(item.Distance).toBe(mine.reduce((sum, s) => sum + s.Distance, 0));
    expect(item.MinMagicPoints).toBe(Math.min(...mine.map((s) => s.MinMagicPoints)));
    expect(item.MaxHealthPoints).toBe(Math.max(...mine.map((s) => s.MaxHealthPoints)));
  }
});
