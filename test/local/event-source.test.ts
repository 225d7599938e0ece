import { PutRecordsCommand, type _Record } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalEventSource, LocalStream } from '../../local/assembly';
import {
  EventSourceMapping,
  firstFailedIndex,
  windowStartOf,
  type WindowCheckpoint,
} from '../../local/event-source';
import { FunctionError } from '../../local/lambda-host';
import { CheckpointStore, realClock } from '../../local/shards';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { waitUntil } from '../support/wait';
import { testMapping } from '../support/event-source';

let k: Kinesalite;
let n = 0;
const running: EventSourceMapping[] = [];
beforeAll(async () => {
  k = await startKinesalite();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});
afterAll(() => k.stop());

async function newStream(): Promise<LocalStream> {
  const name = `esm-${n++}`;
  await k.createStream(name, 1);
  return { logicalId: name, name, arn: `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`, shards: 1 };
}

async function put(stream: LocalStream, values: unknown[]) {
  await k.client.send(
    new PutRecordsCommand({
      StreamName: stream.name,
      Records: values.map((v) => ({ PartitionKey: 'k', Data: Buffer.from(JSON.stringify(v)) })),
    }),
  );
}

const decode = (event: KinesisStreamEvent) =>
  event.Records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()));

function mapping(
  stream: LocalStream,
  invoke: (event: never) => unknown,
  overrides: Partial<LocalEventSource> = {},
  checkpointFile = path.join(mkdtempSync(path.join(tmpdir(), 'esm-')), 'cp.json'),
  windowSeconds?: number,
) {
  const notices: unknown[] = [];
  const runner = new EventSourceMapping({
    mapping: testMapping({ streamLogicalId: stream.logicalId, ...overrides }),
    stream,
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
    region: 'us-east-1',
    kinesis: k.client,
    invoker: { invoke: async (event) => invoke(event as never) },
    onFailure: { send: async (body) => void notices.push(JSON.parse(body)) },
    checkpoints: new CheckpointStore<WindowCheckpoint>(checkpointFile),
    clock: realClock,
    windowSeconds,
    pollMs: 5,
    discoverMs: 20,
    log: () => undefined,
  });
  runner.start();
  running.push(runner);
  return { runner, notices, checkpointFile };
}

describe('event source mapping', () => {
  it('windows are aligned to their length, and partial failures name where to resume', () => {
    expect(windowStartOf(Date.UTC(2026, 0, 1, 0, 0, 59, 999), 60)).toBe(Date.UTC(2026, 0, 1, 0, 0, 0));
    expect(windowStartOf(Date.UTC(2026, 0, 1, 0, 1, 0), 60)).toBe(Date.UTC(2026, 0, 1, 0, 1, 0));
    const records = ['1', '2', '3'].map((SequenceNumber) => ({ SequenceNumber }) as _Record);
    expect(firstFailedIndex(records, { batchItemFailures: [] })).toBeUndefined();
    expect(
      firstFailedIndex(records, { batchItemFailures: [{ itemIdentifier: '3' }, { itemIdentifier: '2' }] }),
    ).toBe(1);
    expect(firstFailedIndex(records, { batchItemFailures: [{ itemIdentifier: 'unknown' }] })).toBe(0);
    expect(firstFailedIndex(records, null)).toBeUndefined();
  });

  it('delivers every record once, in order, in batches of at most BatchSize, and resumes from its checkpoint', async () => {
    const stream = await newStream();
    await put(
      stream,
      Array.from({ length: 25 }, (_, i) => i),
    );
    const seen: number[] = [];
    const sizes: number[] = [];
    const first = mapping(stream, (event: KinesisStreamEvent) => {
      sizes.push(event.Records.length);
      seen.push(...decode(event));
      return { batchItemFailures: [] };
    });
    await waitUntil(() => seen.length === 25, '25 records');
    await first.runner.stop();
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);

    await put(stream, [25, 26]);
    const again = mapping(
      stream,
      (event: KinesisStreamEvent) => void seen.push(...decode(event)),
      {},
      first.checkpointFile,
    );
    await waitUntil(() => seen.length === 27, 'the two new records');
    await again.runner.stop();
    expect(seen.slice(25)).toEqual([25, 26]);
  });

  it('resumes a partially failed batch at the first failed record, without repeating the others', async () => {
    const stream = await newStream();
    await put(stream, [0, 1, 2, 3, 4]);
    const seen: number[][] = [];
    let failOnce = true;
    const { runner } = mapping(stream, (event: KinesisStreamEvent) => {
      seen.push(decode(event));
      if (failOnce && event.Records.length === 5) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: event.Records[3].kinesis.sequenceNumber }] };
      }
      return { batchItemFailures: [] };
    });
    await waitUntil(() => seen.length === 2, 'the retry');
    await runner.stop();
    expect(seen).toEqual([
      [0, 1, 2, 3, 4],
      [3, 4],
    ]);
  });

  it('bisects around a record that makes the function fail, and gives up on it alone with an on-failure notice', async () => {
    const stream = await newStream();
    await put(stream, [0, 1, 2, 'poison', 4, 5, 6, 7]);
    const delivered: unknown[] = [];
    const { runner, notices } = mapping(stream, (event: KinesisStreamEvent) => {
      const values = decode(event);
      if (values.includes('poison')) throw new FunctionError('fn', 'Error', 'cannot read poison');
      delivered.push(...values);
    });
    await waitUntil(() => notices.length === 1 && delivered.length === 7, 'the poison set aside');
    await runner.stop();
    expect(delivered).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(notices[0]).toMatchObject({
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        functionArn: expect.stringContaining(':function:fn'),
      },
      KinesisBatchInfo: { shardId: 'shardId-000000000000', batchSize: 1, streamArn: stream.arn },
    });
    const info = (
      notices[0] as { KinesisBatchInfo: { startSequenceNumber: string; endSequenceNumber: string } }
    ).KinesisBatchInfo;
    expect(info.startSequenceNumber).toBe(info.endSequenceNumber);
  });

  it('carries tumbling-window state between invocations, flags the final one, and restores it after a restart', async () => {
    const stream = await newStream();
    const invocations: KinesisStreamTumblingWindowEvent[] = [];
    const count = (event: KinesisStreamTumblingWindowEvent) => {
      invocations.push(event);
      const total = ((event.state as { total?: number }).total ?? 0) + event.Records.length;
      return event.isFinalInvokeForWindow ? { state: {} } : { state: { total } };
    };
    // Wait for a fresh window so the test's records all fall into one two-second window.
    await waitUntil(() => Date.now() % 2000 < 200, 'the start of a window', 3000);
    await put(stream, [1, 2, 3]);
    const first = mapping(stream, count, { tumblingWindowSeconds: 60 }, undefined, 2);
    await waitUntil(() => invocations.some((e) => e.Records.length > 0), 'the first invocation');
    await first.runner.stop();
    expect(invocations.every((e) => !e.isFinalInvokeForWindow)).toBe(true);

    await put(stream, [4, 5]);
    const second = mapping(stream, count, { tumblingWindowSeconds: 60 }, first.checkpointFile, 2);
    await waitUntil(() => invocations.some((e) => e.isFinalInvokeForWindow), 'the final invocation', 5000);
    await second.runner.stop();
    const final = invocations.find((e) => e.isFinalInvokeForWindow)!;
    const windowed = invocations.filter((e) => e.window.start === final.window.start);
    expect(windowed.reduce((sum, e) => sum + e.Records.length, 0)).toBe(5);
    expect(((final.state as { total?: number }).total ?? 0) + final.Records.length).toBe(5);
    expect(Date.parse(final.window.end) - Date.parse(final.window.start)).toBe(2000);
    expect(Date.parse(final.window.start) % 2000).toBe(0);
  });
});
