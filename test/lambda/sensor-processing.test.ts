import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { FailedRecord } from '#core/failure-record';
import type { SensorReading } from '#core/sensor';
import { AggregateStore } from '../../lambda/sensor-processing/aggregate-store';
import { DedupStore } from '../../lambda/sensor-processing/dedup-store';
import { createSensorProcessingHandler, type SensorMetric } from '../../lambda/sensor-processing/process';
import { startDynalite } from '../support/dynalite';
import { fakeKinesis } from '../support/fake-kinesis';
import { kinesisRecord, tumblingWindowEvent } from '../../lambda/shared/kinesis-events';
import { createAggregateTable, createDedupTable } from './sensor-tables';

const silent = new Logger({ logLevel: 'SILENT' });
const noWait = { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 };
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

let db: Awaited<ReturnType<typeof startDynalite>>;
let tables = 0;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.stop());

async function setup(decide?: Parameters<typeof fakeKinesis>[0]) {
  const n = tables++;
  await createDedupTable(db.client, `dedup-${n}`);
  await createAggregateTable(db.client, `aggregates-${n}`);
  const kinesis = fakeKinesis(decide);
  const quarantined: FailedRecord[] = [];
  const counts: Partial<Record<SensorMetric, number>> = {};
  const handler = createSensorProcessingHandler({
    kinesis: kinesis.client,
    alertStreamName: 'sensor-alerts',
    dedup: new DedupStore(db.doc, `dedup-${n}`),
    aggregates: new AggregateStore(db.doc, `aggregates-${n}`),
    failures: { send: async (records) => void quarantined.push(...records) },
    log: silent,
    count: (metric, value) => void (counts[metric] = (counts[metric] ?? 0) + value),
    retryPolicy: noWait,
  });
  const items = async () =>
    ((await db.doc.send(new ScanCommand({ TableName: `aggregates-${n}` }))).Items ?? []).sort((a, b) =>
      `${a.sensorId}${a.windowStart}`.localeCompare(`${b.sensorId}${b.windowStart}`),
    );
  return { handler, kinesis, quarantined, counts, items };
}

interface Arrival {
  readonly reading: SensorReading;
  readonly arrival: number;
  readonly original: boolean;
}

/**
 * 5 sensors, one reading every 2 s for 24 s each (3 event windows), arriving 200 ms after
 * they are taken; every fourth reading is sent again 100–900 ms later, as a producer retry.
 */
function traffic(): Arrival[] {
  const arrivals: Arrival[] = [];
  let k = 0;
  for (let second = 0; second < 24; second += 2) {
    for (let s = 1; s <= 5; s++) {
      k += 1;
      const reading: SensorReading = {
        sensorId: `sensor-${s}`,
        eventTimestamp: T0 + second * 1000 + s * 37,
        ambientTemp: 10 + ((k * 7) % 21),
        measuredTemp: Math.round(((k * 13) % 56) * 10 + s) / 10,
        status: k % 9 === 0 ? 'WARN' : 'OK',
      };
      arrivals.push({ reading, arrival: reading.eventTimestamp + 200, original: true });
      if (k % 4 === 0) {
        arrivals.push({
          reading,
          arrival: reading.eventTimestamp + 200 + 100 + ((k * 211) % 800),
          original: false,
        });
      }
    }
  }
  return arrivals.sort((a, b) => a.arrival - b.arrival);
}

const asRecord = (a: Arrival, shard = 'shardId-000000000000') =>
  kinesisRecord(a.reading, { arrival: a.arrival / 1000, partitionKey: a.reading.sensorId, shardId: shard });

/** The expected aggregates, computed directly from the original readings. */
function expectedAggregates(originals: readonly SensorReading[]) {
  const groups = new Map<string, SensorReading[]>();
  for (const r of originals) {
    const start = new Date(Math.floor(r.eventTimestamp / 10_000) * 10_000).toISOString();
    const key = `${r.sensorId} ${start}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups]
    .map(([key, rs]) => {
      const [sensorId, windowStart] = key.split(' ');
      return {
        sensorId,
        windowStart,
        count: rs.length,
        avgAmbientTemp: rs.reduce((sum, r) => sum + r.ambientTemp, 0) / rs.length,
        avgMeasuredTemp: rs.reduce((sum, r) => sum + r.measuredTemp, 0) / rs.length,
        alerts: rs.filter((r) => Math.abs(r.measuredTemp - r.ambientTemp) > 20).length,
      };
    })
    .sort((a, b) => `${a.sensorId}${a.windowStart}`.localeCompare(`${b.sensorId}${b.windowStart}`));
}

function expectAggregates(items: Record<string, unknown>[], originals: readonly SensorReading[]) {
  const expected = expectedAggregates(originals);
  expect(items.map((i) => `${i.sensorId} ${i.windowStart}`)).toEqual(
    expected.map((e) => `${e.sensorId} ${e.windowStart}`),
  );
  items.forEach((item, i) => {
    const e = expected[i];
    expect(item.count).toBe(e.count);
    expect(item.alerts).toBe(e.alerts);
    expect(item.avgAmbientTemp as number).toBeCloseTo(e.avgAmbientTemp, 9);
    expect(item.avgMeasuredTemp as number).toBeCloseTo(e.avgMeasuredTemp, 9);
  });
}

/** Runs records through one Lambda window in batches, carrying the state, and closes it. */
async function runWindow(
  handler: Awaited<ReturnType<typeof setup>>['handler'],
  records: KinesisStreamRecord[],
  batch: number,
  close: 'final' | 'early' = 'final',
) {
  let state: object = {};
  for (let i = 0; i < records.length; i += batch) {
    const response = await handler(tumblingWindowEvent(records.slice(i, i + batch), { state }));
    expect(response.batchItemFailures).toEqual([]);
    state = JSON.parse(JSON.stringify(response.state));
  }
  const last = await handler(
    tumblingWindowEvent([], { state, final: close === 'final', terminatedEarly: close === 'early' }),
  );
  expect(last.state).toEqual({});
  return state;
}

const alertsOf = (originals: readonly SensorReading[]) =>
  originals.filter((r) => Math.abs(r.measuredTemp - r.ambientTemp) > 20);

describe('sensor processing handler', () => {
  it('removes injected duplicates exactly, forwards exactly the alerts, and writes exact 10-second aggregates', async () => {
    const { handler, kinesis, quarantined, counts, items } = await setup();
    const arrivals = traffic();
    const originals = arrivals.filter((a) => a.original).map((a) => a.reading);
    const records = arrivals.map((a) => asRecord(a));
    // Two unreadable records in the middle of the stream.
    records.splice(10, 0, kinesisRecord('{"sensorId":', { partitionKey: 'x' }));
    records.splice(
      30,
      0,
      kinesisRecord({ sensorId: 'sensor-1', eventTimestamp: 'soon' }, { partitionKey: 'y' }),
    );
    // Batches of 7 put some duplicates in the same batch as their original and some in the next.
    await runWindow(handler, records, 7);

    const duplicates = arrivals.length - originals.length;
    expect(duplicates).toBe(15);
    expect(counts).toMatchObject({
      MalformedRecords: 2,
      DuplicatesDropped: duplicates,
      UniqueReadings: originals.length,
      AlertsForwarded: alertsOf(originals).length,
    });

    const forwarded = kinesis.accepted.map((data) => JSON.parse(data) as SensorReading);
    const key = (r: SensorReading) => JSON.stringify(r);
    expect(forwarded.map(key).sort()).toEqual(alertsOf(originals).map(key).sort());
    expect(alertsOf(originals).length).toBeGreaterThan(10);
    expect(kinesis.calls.every((c) => c.streamName === 'sensor-alerts')).toBe(true);
    expect(
      kinesis.calls.flatMap((c) => c.records.map((r) => r.partitionKey === JSON.parse(r.data).sensorId)),
    ).not.toContain(false);

    expect(quarantined.map((q) => q.reason)).toEqual([
      expect.stringMatching(/not JSON/),
      expect.stringMatching(/eventTimestamp/),
    ]);
    expectAggregates(await items(), originals);
  });

  it('recognises a duplicate whose original came in an earlier invocation or window', async () => {
    const { handler, kinesis, items } = await setup();
    const reading: SensorReading = {
      sensorId: 's',
      eventTimestamp: T0 + 9_900,
      ambientTemp: 10,
      measuredTemp: 50,
    };
    const original = asRecord({ reading, arrival: T0 + 9_950, original: true });
    const copy = asRecord({ reading, arrival: T0 + 10_400, original: false });
    // The original closes one Lambda window, the copy opens the next.
    await runWindow(handler, [original], 1);
    await runWindow(handler, [copy], 1);
    expect(kinesis.accepted).toHaveLength(1);
    expectAggregates(await items(), [reading]);
  });

  it('keeps an identical reading that arrives more than a second after the kept one', async () => {
    const { handler, kinesis } = await setup();
    const reading: SensorReading = { sensorId: 's', eventTimestamp: T0, ambientTemp: 10, measuredTemp: 50 };
    await runWindow(
      handler,
      [0, 600, 1_700].map((delay) => asRecord({ reading, arrival: T0 + delay, original: true })),
      1,
    );
    expect(kinesis.accepted).toHaveLength(2); // 0 kept, 600 dropped, 1700 kept
  });

  it('decides a retried invocation the same way: no alert lost, nothing counted twice', async () => {
    // The alert stream refuses the first request outright; Lambda retries with the same state.
    const { handler, kinesis, items } = await setup((call) =>
      call === 0 ? new Error('stream unavailable') : 'ok',
    );
    const arrivals = traffic();
    const originals = arrivals.filter((a) => a.original).map((a) => a.reading);
    const records = arrivals.map((a) => asRecord(a));
    const first = records.slice(0, 20);
    await expect(handler(tumblingWindowEvent(first, { state: {} }))).rejects.toThrow(/stream unavailable/);
    const retried = await handler(tumblingWindowEvent(first, { state: {} }));
    await handler(
      tumblingWindowEvent(records.slice(20), { state: JSON.parse(JSON.stringify(retried.state)) }),
    ).then((r) =>
      handler(tumblingWindowEvent([], { state: JSON.parse(JSON.stringify(r.state)), final: true })),
    );

    const key = (r: SensorReading) => JSON.stringify(r);
    expect(kinesis.accepted.map((d) => key(JSON.parse(d))).sort()).toEqual(
      alertsOf(originals).map(key).sort(),
    );
    expectAggregates(await items(), originals);
  });

  it('adds a repeated window close once, and merges windows Lambda ended early', async () => {
    const { handler, items } = await setup();
    const arrivals = traffic().filter((a) => a.original);
    const records = arrivals.map((a) => asRecord(a));
    const half = Math.floor(records.length / 2) + 3; // splits an event window between two Lambda windows
    const state = await runWindow(handler, records.slice(0, half), 10, 'early');
    await handler(tumblingWindowEvent([], { state, terminatedEarly: true })); // repeated close
    await runWindow(handler, records.slice(half), 10);
    const stored = await items();
    expectAggregates(
      stored,
      arrivals.map((a) => a.reading),
    );
    expect(stored.some((item) => (item.parts as Set<string>).size === 2)).toBe(true);
  });

  it('fails the invocation when alerts are still refused after retries, so Lambda retries it', async () => {
    const { handler } = await setup(() => 'ProvisionedThroughputExceededException');
    const reading: SensorReading = { sensorId: 's', eventTimestamp: T0, ambientTemp: 0, measuredTemp: 50 };
    await expect(
      handler(tumblingWindowEvent([asRecord({ reading, arrival: T0, original: true })])),
    ).rejects.toThrow(
      /1 of 1 alerts were not accepted by sensor-alerts: ProvisionedThroughputExceededException/,
    );
  });
});
