import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SensorAggregatePart } from '#core/sensor-window';
import { AggregateStore } from '../../lambda/sensor-processing/aggregate-store';
import { DedupStore } from '../../lambda/sensor-processing/dedup-store';
import { startDynalite } from '../support/dynalite';
import { createAggregateTable, createDedupTable } from './sensor-tables';

let db: Awaited<ReturnType<typeof startDynalite>>;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());

const noWait = {
  policy: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
  retryable: () => true,
};

describe('DedupStore (dynalite)', () => {
  it('remembers the last kept reading of each fingerprint, across more than one request', async () => {
    const table = `dedup-${tables++}`;
    await createDedupTable(db.client, table);
    const store = new DedupStore(db.doc, table);
    expect(await store.lookup(['a', 'b'])).toEqual(new Map());

    const kept = new Map(
      Array.from({ length: 260 }, (_, i) => [
        `fp-${i}`,
        { eventId: `shardId-000000000000:${i}`, arrival: 1_000_000 + i },
      ]),
    );
    await store.remember(kept);
    const seen = await store.lookup([...kept.keys(), 'unknown', 'fp-1']);
    expect(seen).toEqual(kept);

    const item = await db.doc.send(new GetCommand({ TableName: table, Key: { fingerprint: 'fp-0' } }));
    expect(item.Item).toEqual({
      fingerprint: 'fp-0',
      eventId: 'shardId-000000000000:0',
      arrival: 1_000_000,
      expiresAt: 1000 + 3600,
    });
  });

  it('retries keys and items DynamoDB leaves unprocessed', async () => {
    let calls = 0;
    const doc = {
      send: async (command: { input: { RequestItems: Record<string, { Keys?: object[] } | object[]> } }) => {
        calls += 1;
        const request = command.input.RequestItems.t;
        if ('Keys' in request) {
          const keys = request.Keys as { fingerprint: string }[];
          // First answer: only the first key; the rest unprocessed.
          return {
            Responses: { t: [{ fingerprint: keys[0].fingerprint, eventId: 'e', arrival: 1 }] },
            UnprocessedKeys: keys.length > 1 ? { t: { Keys: keys.slice(1) } } : {},
          };
        }
        const items = request as object[];
        return { UnprocessedItems: items.length > 1 ? { t: items.slice(1) } : {} };
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DedupStore(doc, 't', 3600, { ...noWait, policy: { ...noWait.policy, maxAttempts: 5 } });
    expect([...(await store.lookup(['a', 'b', 'c'])).keys()]).toEqual(['a', 'b', 'c']);
    expect(calls).toBe(3);
    calls = 0;
    await store.remember(
      new Map([
        ['a', { eventId: 'e', arrival: 1 }],
        ['b', { eventId: 'e', arrival: 1 }],
      ]),
    );
    expect(calls).toBe(2);
  });

  it('gives up with an error when keys stay unprocessed', async () => {
    const doc = {
      send: async () => ({ Responses: { t: [] }, UnprocessedKeys: { t: { Keys: [{ fingerprint: 'a' }] } } }),
    } as unknown as DynamoDBDocumentClient;
    await expect(new DedupStore(doc, 't', 3600, noWait).lookup(['a'])).rejects.toThrow(
      /1 fingerprints unread/,
    );
  });
});

describe('AggregateStore (dynalite)', () => {
  const part = (
    partId: string,
    count: number,
    ambient: number,
    measured: number,
    alerts = 0,
  ): SensorAggregatePart => ({
    sensorId: 'sensor-7',
    windowStart: '2026-11-22T10:00:10.000Z',
    windowEnd: '2026-11-22T10:00:20.000Z',
    count,
    ambientTempSum: ambient,
    measuredTempSum: measured,
    alerts,
    partId,
  });

  async function setup() {
    const table = `aggregates-${tables++}`;
    await createAggregateTable(db.client, table);
    const read = async () =>
      (
        await db.doc.send(
          new GetCommand({
            TableName: table,
            Key: { sensorId: 'sensor-7', windowStart: '2026-11-22T10:00:10.000Z' },
          }),
        )
      ).Item;
    return { table, store: new AggregateStore(db.doc, table), read };
  }

  it('writes totals and averages, adds distinct parts, and ignores a repeated part', async () => {
    const { store, read } = await setup();
    expect(await store.add(part('s:1', 4, 80, 100, 1))).toBe('added');
    expect(await read()).toEqual({
      sensorId: 'sensor-7',
      windowStart: '2026-11-22T10:00:10.000Z',
      windowEnd: '2026-11-22T10:00:20.000Z',
      count: 4,
      ambientTempSum: 80,
      measuredTempSum: 100,
      alerts: 1,
      avgAmbientTemp: 20,
      avgMeasuredTemp: 25,
      parts: new Set(['s:1']),
    });
    expect(await store.add(part('s:1', 4, 80, 100, 1))).toBe('unchanged');
    expect(await store.add(part('s:2', 1, 30, 60, 1))).toBe('added');
    expect(await read()).toMatchObject({
      count: 5,
      ambientTempSum: 110,
      measuredTempSum: 160,
      alerts: 2,
      avgAmbientTemp: 22,
      avgMeasuredTemp: 32,
      parts: new Set(['s:1', 's:2']),
    });
  });

  it('loses no part to concurrent writers, and the averages follow the final totals', async () => {
    const { store, read } = await setup();
    const parts = Array.from({ length: 12 }, (_, i) => part(`s:${i}`, i + 1, 10 * (i + 1), 3 * (i + 1)));
    await Promise.all(parts.map((p) => store.add(p)));
    await Promise.all(parts.slice(0, 5).map((p) => store.add(p))); // replays
    const item = await read();
    expect(item).toMatchObject({
      count: 78,
      ambientTempSum: 780,
      measuredTempSum: 234,
      avgAmbientTemp: 10,
      avgMeasuredTemp: 3,
    });
    expect((item?.parts as Set<string>).size).toBe(12);
  });

  it('sets the averages on a replay when an earlier attempt stopped between its two updates', async () => {
    const { table, store, read } = await setup();
    await store.add(part('s:1', 2, 40, 50));
    // As if the second update of part s:2 had never run.
    await db.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { sensorId: 'sensor-7', windowStart: '2026-11-22T10:00:10.000Z' },
        UpdateExpression: 'ADD #count :c, ambientTempSum :a, measuredTempSum :m, parts :p',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':c': 2, ':a': 0, ':m': 10, ':p': new Set(['s:2']) },
      }),
    );
    expect(await read()).toMatchObject({ count: 4, avgAmbientTemp: 20, avgMeasuredTemp: 25 });
    expect(await store.add(part('s:2', 2, 0, 10))).toBe('unchanged');
    expect(await read()).toMatchObject({ count: 4, avgAmbientTemp: 10, avgMeasuredTemp: 15 });
  });
});
