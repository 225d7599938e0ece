import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { FailedRecord } from '#core/failure-record';
import type { SummaryItem, UnicornSummary } from '#core/summary';
import { createAggregationHandler } from '../../lambda/aggregate-summaries/aggregate';
import { createPersistenceHandler } from '../../lambda/persist-summaries/persist';
import { SummaryStore } from '../../lambda/persist-summaries/summary-store';
import { startDynalite } from '../support/dynalite';
import { fakeKinesis } from '../support/fake-kinesis';
import { expectedTotals } from '../support/oracle';
import {
  kinesisEvent,
  kinesisRecord,
  tumblingWindowEvent,
  unicornStatus,
} from '../../lambda/shared/kinesis-events';

const TABLE = 'UnicornSensorData';
const silent = new Logger({ logLevel: 'SILENT' });
const context = {} as Context;

let db: Awaited<ReturnType<typeof startDynalite>>;
let table = 0;
let tableName: string;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());
beforeEach(async () => {
  tableName = `${TABLE}${table++}`;
  await db.createSummaryTable(tableName);
});

const summary = (overrides: Partial<UnicornSummary> = {}): UnicornSummary => ({
  Name: 'Shadowfax',
  StatusTime: '2017-06-05 09:17:00.000',
  Distance: 120.5,
  MinMagicPoints: 140,
  MaxMagicPoints: 160,
  MinHealthPoints: 120,
  MaxHealthPoints: 150,
  Records: 4,
  SummaryId: 'shardId-000000000000:100',
  ...overrides,
});

async function item(name = 'Shadowfax', time = '2017-06-05 09:17:00.000') {
  const out = await db.doc.send(
    new GetCommand({ TableName: tableName, Key: { Name: name, StatusTime: time } }),
  );
  return out.Item as SummaryItem | undefined;
}

function persistence(store = new SummaryStore(db.doc, tableName)) {
  const quarantined: FailedRecord[] = [];
  const counts: Record<string, number> = {};
  const handler = createPersistenceHandler({
    store,
    failures: { send: async (records) => void quarantined.push(...records) },
    log: silent,
    count: (metric, value) => void (counts[metric] = (counts[metric] ?? 0) + value),
  });
  return { handler, quarantined, counts };
}

describe('SummaryStore against DynamoDB (dynalite)', () => {
  it('writes a summary once; a replay leaves the item untouched', async () => {
    const store = new SummaryStore(db.doc, tableName);
    expect(await store.save(summary())).toBe('written');
    expect(await store.save(summary())).toBe('unchanged');
    expect(await item()).toMatchObject({ Distance: 120.5, Records: 4, Version: 1 });
  });

  it('merges parts written concurrently without losing either', async () => {
    const stores = [new SummaryStore(db.doc, tableName), new SummaryStore(db.doc, tableName)];
    const parts = Array.from({ length: 8 }, (_, i) =>
      summary({
        SummaryId: `shardId-000000000000:${i}`,
        Distance: 10 + i,
        Records: 1,
        MinMagicPoints: 100 + i,
        MaxMagicPoints: 100 + i,
      }),
    );
    await Promise.all(parts.map((p, i) => stores[i % 2].save(p)));
    const stored = await item();
    expect(stored?.PartIds).toHaveLength(8);
    expect(stored).toMatchObject({
      Distance: 10 * 8 + 28,
      Records: 8,
      MinMagicPoints: 100,
      MaxMagicPoints: 107,
    });
  });
});

describe('summary persistence handler', () => {
  it('stores each summary of a batch, keyed by Name and StatusTime', async () => {
    const { handler, counts } = persistence();
    const batch = [
      summary(),
      summary({ Name: 'Bucephalus', Distance: 80 }),
      summary({ StatusTime: '2017-06-05 09:18:00.000', SummaryId: 'shardId-000000000000:200' }),
    ];
    const response = await handler(kinesisEvent(batch.map((s) => kinesisRecord(s))), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(await item('Bucephalus')).toMatchObject({ Distance: 80 });
    expect(await item('Shadowfax', '2017-06-05 09:18:00.000')).toMatchObject({ Distance: 120.5 });
    expect(counts.SummariesWritten).toBe(3);
  });

  it('a retried batch changes nothing', async () => {
    const { handler, counts } = persistence();
    const event = kinesisEvent([kinesisRecord(summary())]);
    await handler(event, context);
    const before = await item();
    await handler(event, context);
    expect(await item()).toEqual(before);
    expect(counts).toEqual({ SummariesWritten: 1, SummariesUnchanged: 1 });
  });

  it('sets malformed summaries aside without failing the batch', async () => {
    const { handler, quarantined, counts } = persistence();
    const bad = kinesisRecord('not a summary');
    const response = await handler(kinesisEvent([bad, kinesisRecord(summary())]), context);
    expect(response.batchItemFailures).toEqual([]);
    expect(quarantined).toEqual([
      expect.objectContaining({ eventID: bad.eventID, reason: 'data is not JSON: not a summary' }),
    ]);
    expect(counts.MalformedRecords).toBe(1);
    expect(await item()).toBeDefined();
  });

  it('reports a record the table rejects as a batch item failure', async () => {
    const failing = new SummaryStore(db.doc, 'NoSuchTable');
    const { handler } = persistence(failing);
    const records = [kinesisRecord(summary()), kinesisRecord(summary({ Name: 'Bucephalus' }))];
    await expect(handler(kinesisEvent(records), context)).rejects.toThrow(/All records failed/);
    const mixed = persistence({
      save: async (s: UnicornSummary) => {
        if (s.Name === 'Bucephalus') throw new Error('throttled');
        return 'written' as const;
      },
    } as unknown as SummaryStore);
    const response = await mixed.handler(kinesisEvent(records), context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1].kinesis.sequenceNumber }]);
  });
});

describe('aggregation to table, end to end', () => {
  it('ends with exactly one correct total per unicorn-minute despite early termination and replays', async () => {
    const kinesis = fakeKinesis();
    const aggregate = createAggregationHandler({
      kinesis: kinesis.client,
      summaryStreamName: 'wildrydes-summary',
      failures: { send: async () => undefined },
      log: silent,
      count: () => undefined,
    });
    const statuses = Array.from({ length: 40 }, (_, i) =>
      unicornStatus({
        Name: i % 2 ? 'Shadowfax' : 'Bucephalus',
        Distance: 20 + i,
        MagicPoints: 120 + i,
        HealthPoints: 180 - i,
      }),
    );
    const records = statuses.map((s) => kinesisRecord(s));

    // Segment 1 ends early (state too big); segment 2 closes the window. The final invocation
    // of segment 2 is then replayed, as Lambda does after a failure it could not confirm.
    const first = await aggregate(tumblingWindowEvent(records.slice(0, 10)));
    await aggregate(
      tumblingWindowEvent(records.slice(10, 25), { state: first.state, final: true, terminatedEarly: true }),
    );
    const second = await aggregate(tumblingWindowEvent(records.slice(25, 35)));
    const closing = tumblingWindowEvent(records.slice(35), { state: second.state, final: true });
    await aggregate(closing);
    await aggregate(closing);

    const emitted = kinesis.accepted.map((data) => kinesisRecord(data));
    expect(emitted).toHaveLength(6); // 2 unicorns x (1 early part + 2 identical final parts)

    const { handler } = persistence();
    await handler(kinesisEvent(emitted.slice(0, 4)), context);
    await handler(kinesisEvent(emitted.slice(2)), context); // the stream redelivers part of it too

    for (const name of ['Shadowfax', 'Bucephalus']) {
      const stored = await item(name);
      expect(stored).toMatchObject({
        Name: name,
        StatusTime: '2017-06-05 09:17:00.000',
        ...expectedTotals(statuses, name),
      });
      expect(stored?.PartIds).toHaveLength(2);
    }
  });
});
