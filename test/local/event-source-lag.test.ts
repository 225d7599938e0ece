import { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { formatStatusTime } from '#core/status-time';
import type { UnicornSummary } from '#core/summary';
import type { UnicornStatus } from '#core/telemetry';
import { createAggregationHandler } from '../../lambda/aggregate-summaries/aggregate';
import { unicornStatus } from '../../lambda/shared/kinesis-events';
import type { LocalStream } from '../../local/assembly';
import { windowBatch } from '../../local/event-source';
import { fakeKinesis } from '../support/fake-kinesis';
import { fakeShard } from '../support/fake-shard';
import { expectedTotals } from '../support/oracle';
import { waitUntil } from '../support/wait';
import { testMapping, testRunner } from '../support/event-source';

/**
 * Lambda's tumbling windows over a shard whose reader is far behind: "Lambda aggregates all
 * records received in the window. You can receive these records in multiple batches, each as a
 * separate invocation", each batch at most BatchSize records of one window, and
 * isFinalInvokeForWindow set once, at the end of the window (Lambda developer guide, "Using
 * tumbling windows with Kinesis"). Windows are decided by the records' arrival times, so
 * however far behind the reader is, each unicorn-window comes out as one summary.
 */

const WINDOW_SECONDS = 10;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const NAMES = ['Bucephalus', 'Rocinante', 'Shadowfax'];

const mapping = testMapping({
  functionLogicalId: 'SummaryAggregation',
  batchSize: 100,
  batchingWindowSeconds: 5,
  tumblingWindowSeconds: WINDOW_SECONDS,
});
const stream: LocalStream = {
  logicalId: 'Stream',
  name: 'wildrydes',
  arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/wildrydes',
  shards: 1,
};

/** `perWindow` statuses in each of `windows` windows, spread over each window's ten seconds. */
function backlog(windows: number, perWindow: number) {
  const entries: { status: UnicornStatus; arrival: number }[] = [];
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < perWindow; i++) {
      const n = w * perWindow + i;
      entries.push({
        arrival: T0 + w * WINDOW_SECONDS * 1000 + Math.floor((i * WINDOW_SECONDS * 1000) / perWindow),
        status: unicornStatus({
          Name: NAMES[n % NAMES.length],
          Distance: 20 + (n % 11),
          MagicPoints: 100 + ((n * 7) % 50),
          HealthPoints: 100 + ((n * 13) % 50),
        }),
      });
    }
  }
  return entries;
}

describe('tumbling windows over a lagging shard', () => {
  it('sends full batches and one final invocation per window, so each unicorn-window is one summary', async () => {
    const windows = 6;
    const perWindow = 230;
    const entries = backlog(windows, perWindow);
    const shard = fakeShard(
      entries.map((e) => ({ data: Buffer.from(JSON.stringify(e.status)), arrival: e.arrival })),
    );
    // Ten minutes behind: every window ended long before the reader gets to it.
    let now = T0 + 10 * 60_000;
    // Time moves only when the reader waits; each wait lets the test's own timers run.
    const clock = {
      now: () => now,
      sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((now += ms), resolve()))),
    };
    const out = fakeKinesis();
    const aggregate = createAggregationHandler({
      kinesis: out.client,
      summaryStreamName: 'wildrydes-summary',
      failures: { send: async () => undefined },
      log: new Logger({ logLevel: 'SILENT' }),
      count: () => undefined,
    });
    const invocations: KinesisStreamTumblingWindowEvent[] = [];
    const runner = testRunner({
      mapping,
      stream,
      functionName: 'aggregate',
      kinesis: shard.client,
      invoker: {
        invoke: async (event) => {
          // Through JSON, as the event and state cross to the function and back.
          const copy = JSON.parse(JSON.stringify(event)) as KinesisStreamTumblingWindowEvent;
          invocations.push(copy);
          return JSON.parse(JSON.stringify(await aggregate(copy)));
        },
      },
      clock,
    });
    runner.start();
    try {
      await waitUntil(
        () => invocations.filter((e) => e.isFinalInvokeForWindow).length === windows,
        'every window closed',
      );
    } finally {
      await runner.stop();
    }

    for (let w = 0; w < windows; w++) {
      const start = new Date(T0 + w * WINDOW_SECONDS * 1000).toISOString();
      const mine = invocations.filter((e) => new Date(e.window.start).toISOString() === start);
      expect(mine.map((e) => e.Records.length).reduce((a, b) => a + b, 0)).toBe(perWindow);
      expect(mine.every((e) => e.Records.length <= mapping.batchSize)).toBe(true);
      // Full batches while the window's records keep coming: ceil(230 / 100) invocations.
      expect(mine).toHaveLength(Math.ceil(perWindow / mapping.batchSize));
      expect(mine.filter((e) => e.isFinalInvokeForWindow)).toHaveLength(1);
      expect(mine[mine.length - 1].isFinalInvokeForWindow).toBe(true);
    }

    const summaries = out.accepted.map((data) => JSON.parse(data) as UnicornSummary);
    expect(summaries).toHaveLength(windows * NAMES.length);
    for (let w = 0; w < windows; w++) {
      const statuses = entries.slice(w * perWindow, (w + 1) * perWindow).map((e) => e.status);
      const statusTime = formatStatusTime(new Date(T0 + w * WINDOW_SECONDS * 1000));
      for (const name of NAMES) {
        const parts = summaries.filter((s) => s.Name === name && s.StatusTime === statusTime);
        expect(parts).toHaveLength(1);
        expect(parts[0]).toMatchObject(expectedTotals(statuses, name));
      }
    }
  });

  it('ends a window on a later record, on a closed shard, or on the clock only once caught up', () => {
    const at = (ms: number) => ({ ApproximateArrivalTimestamp: new Date(T0 + ms) });
    const reading = { gathered: false, caughtUp: false, closed: false, now: T0 + 3_600_000 };
    const full = Array.from({ length: 100 }, (_, i) => at(i));
    // Behind the tip and past the window's end: a full batch, not the last of the window.
    expect(windowBatch(full, T0, 10, 100, reading)).toEqual({ count: 100, final: false });
    // A partial batch behind the tip waits for more (or for the batching window).
    expect(windowBatch(full.slice(0, 40), T0, 10, 100, reading)).toBeUndefined();
    expect(windowBatch(full.slice(0, 40), T0, 10, 100, { ...reading, gathered: true })).toEqual({
      count: 40,
      final: false,
    });
    // A record of the next window ends this one.
    expect(windowBatch([...full.slice(0, 40), at(10_000)], T0, 10, 100, reading)).toEqual({
      count: 40,
      final: true,
    });
    // Caught up with the tip and past the end: the window is over, with or without records.
    expect(windowBatch(full.slice(0, 40), T0, 10, 100, { ...reading, caughtUp: true })).toEqual({
      count: 40,
      final: true,
    });
    expect(windowBatch([], T0, 10, 100, { ...reading, caughtUp: true })).toEqual({ count: 0, final: true });
    // Caught up but the window is still open: wait.
    expect(windowBatch([], T0, 10, 100, { ...reading, caughtUp: true, now: T0 + 5_000 })).toBeUndefined();
    expect(windowBatch([], T0, 10, 100, { ...reading, closed: true })).toEqual({ count: 0, final: true });
  });

  it('reads the next batch while the function works on one, handing over the same batches in order', async () => {
    const shard = fakeShard(
      Array.from({ length: 350 }, (_, i) => ({ data: Buffer.from(String(i)), arrival: T0 + i })),
    );
    let now = T0 + 60_000;
    const clock = {
      now: () => now,
      sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((now += ms), resolve()))),
    };
    const batches: string[][] = [];
    const readsBeforeInvocation: number[] = [];
    const runner = testRunner({
      mapping: testMapping({ batchSize: 100 }),
      stream,
      functionName: 'persist',
      kinesis: shard.client,
      invoker: {
        invoke: async (event) => {
          readsBeforeInvocation.push(shard.reads.length);
          const records = (event as { Records: { kinesis: { data: string } }[] }).Records;
          batches.push(records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString()));
          return { batchItemFailures: [] };
        },
      },
      clock,
    });
    runner.start();
    try {
      await waitUntil(() => batches.flat().length === 350, 'every record delivered');
    } finally {
      await runner.stop();
    }
    expect(batches.map((b) => b.length)).toEqual([100, 100, 100, 50]);
    expect(batches.flat()).toEqual(Array.from({ length: 350 }, (_, i) => String(i)));
    // Each batch's invocation begins with the read of the next batch already under way.
    expect(readsBeforeInvocation).toEqual([2, 3, 4, 5]);
  });

  it("keeps a window open when the read that found the tip began before the window's end", async () => {
    // The shard holds one record of the window; a second arrives just before the window ends,
    // while a read that began earlier is still coming back (it returns after the end).
    const shard = fakeShard([{ data: Buffer.from(JSON.stringify(backlog(1, 1)[0].status)), arrival: T0 }]);
    let now = T0 + 9_000;
    const late = {
      ...shard.records[0],
      SequenceNumber: '1000001',
      ApproximateArrivalTimestamp: new Date(T0 + 9_900),
    };
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        const answer = await shard.client.send(command as never);
        if (command.constructor.name === 'GetRecordsCommand' && now < T0 + WINDOW_SECONDS * 1000) {
          // The read ends after the window's end, and the late record lands behind it.
          now = T0 + WINDOW_SECONDS * 1000 + 100;
          if (!shard.records.includes(late)) shard.records.push(late);
        }
        return answer;
      },
    } as unknown as typeof shard.client;
    const clock = {
      now: () => now,
      sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((now += ms), resolve()))),
    };
    const invocations: KinesisStreamTumblingWindowEvent[] = [];
    const runner = testRunner({
      mapping,
      stream,
      functionName: 'aggregate',
      kinesis: client,
      invoker: {
        invoke: async (event) => {
          invocations.push(JSON.parse(JSON.stringify(event)) as KinesisStreamTumblingWindowEvent);
          return { state: {} };
        },
      },
      clock,
    });
    runner.start();
    try {
      await waitUntil(() => invocations.some((e) => e.isFinalInvokeForWindow), 'the window closed');
    } finally {
      await runner.stop();
    }
    // Both records in the one window, and it closed once: not a second part for the late record.
    expect(invocations.flatMap((e) => e.Records.map((r) => r.kinesis.sequenceNumber))).toEqual([
      '1000000',
      '1000001',
    ]);
    expect(new Set(invocations.map((e) => e.window.start)).size).toBe(1);
    expect(invocations.filter((e) => e.isFinalInvokeForWindow)).toHaveLength(1);
  });
});
