import type { KinesisStreamEvent } from 'aws-lambda';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalStream } from '../../local/assembly';
import { atomicFileWrites, CheckpointStore, storageProblem, type FileWrites } from '../../local/shards';
import { fakeShard } from '../support/fake-shard';
import { waitUntil } from '../support/wait';
import { testMapping, testRunner } from '../support/event-source';

/**
 * A full disk or read-only data folder pauses intake with one line naming the path and what is
 * needed, loses nothing taken in, and resumes once the folder can be written again. Tests may
 * run as root, where chmod does not stop writes, so the failing writes are injected.
 */

const mapping = testMapping({ functionLogicalId: 'SummaryPersistenceFunction1A2B3C4D' });
const stream: LocalStream = {
  logicalId: 'Stream',
  name: 'summaries',
  arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/summaries',
  shards: 1,
};

const failure = (code: string) => Object.assign(new Error(`${code}: test`), { code });

it('names the path and what is needed for each kind of storage failure, and nothing else', () => {
  expect(storageProblem(failure('ENOSPC'), '/data/cp.json')).toBe(
    'cannot write /data/cp.json (ENOSPC): the disk is full: free some space',
  );
  expect(storageProblem(failure('EROFS'), '/data/cp.json')).toMatch(/read-only: make it writable/);
  expect(storageProblem(failure('EACCES'), '/data/cp.json')).toMatch(/give write permission/);
  expect(storageProblem(new Error('a bug'), '/data/cp.json')).toBeUndefined();
});

it('pauses an event source while its positions cannot be saved, then delivers every record once', async () => {
  const shard = fakeShard(
    Array.from({ length: 50 }, (_, i) => ({ data: Buffer.from(String(i)), arrival: 1_000 + i })),
  );
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'storage-full-')), 'checkpoints', 'cp.json');
  let full = false;
  const writes: FileWrites = {
    write: (target, data) => {
      if (full) throw failure('ENOSPC');
      atomicFileWrites.write(target, data);
    },
  };
  let now = 0;
  const clock = {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => ((now += ms), resolve()))),
  };
  const seen: number[] = [];
  const logs: string[] = [];
  const runner = testRunner({
    mapping,
    stream,
    functionName: 'persist',
    kinesis: shard.client,
    invoker: {
      invoke: async (event) => {
        seen.push(
          ...(event as KinesisStreamEvent).Records.map((r) =>
            Number(Buffer.from(r.kinesis.data, 'base64').toString()),
          ),
        );
        // The disk fills up during the second batch.
        if (seen.length === 20) full = true;
        return { batchItemFailures: [] };
      },
    },
    checkpoints: new CheckpointStore(file, writes),
    clock,
    log: (message) => logs.push(message),
  });
  runner.start();
  try {
    await waitUntil(() => logs.length > 0, 'the pause');
    // Paused: nothing more read or invoked however long the disk stays full.
    const paused = seen.length;
    const until = now + 60_000;
    await waitUntil(() => now > until, 'a minute of full disk');
    expect(seen).toHaveLength(paused);
    expect(logs).toEqual([
      `SummaryPersistence: intake paused, cannot write ${file} (ENOSPC): the disk is full: free some space; resuming by itself once it can write`,
    ]);

    full = false;
    await waitUntil(() => seen.length === 50, 'every record');
  } finally {
    await runner.stop();
  }
  expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(logs[1]).toBe('SummaryPersistence: storage is writable again, intake resumed');
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { after: string }>;
  expect(saved[shard.shardId].after).toBe(shard.records[49].SequenceNumber);
});

it('keeps positions in memory when the real folder cannot be written, and saves them once it can', () => {
  // A file where the checkpoint folder belongs fails every write, even for root.
  const dir = mkdtempSync(path.join(tmpdir(), 'storage-blocked-'));
  const blocker = path.join(dir, 'checkpoints');
  writeFileSync(blocker, 'in the way');
  const file = path.join(blocker, 'cp.json');
  const store = new CheckpointStore(file);
  store.set('shardId-000000000000', { after: '42' });
  expect(store.unsaved).toMatch(new RegExp(`^cannot write ${file} \\((ENOTDIR|EEXIST)\\): `));
  expect(store.get('shardId-000000000000')).toEqual({ after: '42' });
  expect(store.retry()).toBe(false);

  rmSync(blocker);
  expect(store.retry()).toBe(true);
  expect(store.unsaved).toBeUndefined();
  expect(new CheckpointStore(file).get('shardId-000000000000')).toEqual({ after: '42' });
});
