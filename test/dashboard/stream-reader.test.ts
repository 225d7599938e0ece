import { PutRecordsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import {
  StreamReader,
  type Batch,
  type ConnectionState,
  type Pacing,
} from '../../dashboard/src/stream-reader';
import { countCalls, failNext } from '../support/kinesis-faults';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';

/**
 * Timers that fire only when the test advances them, so pacing and back-off are checked
 * without waiting; the Kinesis calls themselves go to kinesalite.
 */
function manualTimers() {
  let now = 0;
  const timers: { at: number; ms: number; resolve: () => void }[] = [];
  return {
    now: () => now,
    /** Every delay asked for, in order. */
    requested: [] as number[],
    sleep(ms: number, signal: AbortSignal): Promise<void> {
      this.requested.push(ms);
      return new Promise((resolve) => {
        if (signal.aborted) return resolve();
        const timer = { at: now + ms, ms, resolve };
        timers.push(timer);
        signal.addEventListener(
          'abort',
          () => {
            timers.splice(timers.indexOf(timer), 1);
            resolve();
          },
          { once: true },
        );
      });
    },
    /** Delays of the loops now asleep. */
    get sleeping() {
      return timers.map((t) => t.ms).sort((a, b) => a - b);
    },
    advance(ms: number) {
      now += ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.resolve();
      }
    },
  };
}

/** Waits (in real time, briefly) until `condition` holds. */
async function until(condition: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Back-off after n failures: up to 500 ms × 2ⁿ, capped at 8 s (jitter pinned to its top below). */
const PACING: Pacing = {
  pollMs: 2_000,
  catchUpMs: 500,
  retryBaseMs: 500,
  retryMaxMs: 8_000,
  discoverMs: 60_000,
};

let kinesalite: Kinesalite;
let streamCount = 0;

beforeAll(async () => {
  kinesalite = await startKinesalite();
});
// The back-off's jitter (the AWS SDK's full jitter, from Math.random) at its top, so that delays
// are exact.
beforeEach(() => jest.spyOn(Math, 'random').mockReturnValue(1));
afterEach(() => jest.restoreAllMocks());

afterAll(async () => {
  await kinesalite.stop();
});

async function newStream(shards: number): Promise<string> {
  const name = `dashboard-${++streamCount}`;
  await kinesalite.createStream(name, shards);
  return name;
}

async function put(stream: string, keys: string[]) {
  await kinesalite.client.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: keys.map((key) => ({ PartitionKey: key, Data: new TextEncoder().encode(key) })),
    }),
  );
}

function reader(stream: string, options: { startFrom?: () => Date } = {}) {
  const timers = manualTimers();
  const batches: Batch[] = [];
  const states: ConnectionState[] = [];
  const instance = new StreamReader(
    { kinesis: kinesalite.client, now: timers.now, sleep: timers.sleep.bind(timers) },
    {
      streamName: stream,
      startFrom: options.startFrom ?? (() => new Date(Date.now() - 30_000)),
      pacing: PACING,
      onBatch: (batch) => batches.push(batch),
      onState: (state) => states.push(state),
    },
  );
  const data = () => batches.flatMap((b) => b.records.map((r) => new TextDecoder().decode(r.Data))).sort();
  return { instance, timers, batches, states, data };
}

const KEYS = Array.from({ length: 20 }, (_, i) => `unicorn-${i}`);

describe('StreamReader', () => {
  it('reads every shard from `startFrom`, goes live, and then polls each shard every pollMs', async () => {
    const stream = await newStream(2);
    await put(stream, KEYS);
    const r = reader(stream);
    const calls = countCalls(kinesalite.client, 'GetRecordsCommand');
    r.instance.start();
    // Asleep: the shard listing for a minute, each shard for a poll interval.
    await until(() => r.timers.sleeping.join() === '2000,2000,60000', 'both shards to be read');
    expect(r.data()).toEqual([...KEYS].sort());
    expect(new Set(r.batches.map((b) => b.shardId)).size).toBe(2);
    expect(r.states).toEqual([{ kind: 'connecting' }, { kind: 'live' }]);
    expect(calls.count).toBe(2);

    await put(stream, ['late-1', 'late-2']);
    r.timers.advance(1_999);
    expect(calls.count).toBe(2);
    r.timers.advance(1);
    await until(() => r.timers.sleeping.join() === '2000,2000,60000' && calls.count === 4, 'the next poll');
    expect(r.data()).toEqual([...KEYS, 'late-1', 'late-2'].sort());
    // Records read right after a caught-up read are known to be recent; the first ones are not.
    expect(r.batches.map((b) => b.fresh)).toEqual([false, false, true, true]);
    await r.instance.stop();
    expect(r.states.at(-1)).toEqual({ kind: 'paused' });
  });

  it('does not read records that reached the stream before `startFrom`', async () => {
    const stream = await newStream(1);
    await put(stream, ['old']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await put(stream, ['new']);
    const r = reader(stream, { startFrom: () => from });
    r.instance.start();
    await until(() => r.timers.sleeping.join() === '2000,60000', 'the shard to be read');
    expect(r.data()).toEqual(['new']);
    await r.instance.stop();
  });

  it('polls sooner while behind the tip', async () => {
    const stream = await newStream(1);
    await put(stream, KEYS);
    const r = reader(stream);
    // Five records per response, and kinesalite (which always answers MillisBehindLatest 0)
    // made to say how far behind a full page is, as Kinesis does.
    kinesalite.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'GetRecordsCommand') return next(args);
        const result = await next({ ...args, input: { ...(args.input as object), Limit: 5 } });
        const output = result.output as { Records?: unknown[] };
        return {
          ...result,
          output: { ...output, MillisBehindLatest: output.Records?.length === 5 ? 3_000 : 0 },
        } as never;
      },
      { step: 'initialize', name: 'backlog' },
    );
    try {
      r.instance.start();
      for (let page = 1; page <= 4; page++) {
        await until(
          () => r.batches.length === page && r.timers.sleeping.join() === '500,60000',
          `page ${page}`,
        );
        r.timers.advance(500);
      }
      // Caught up: back to the normal pace.
      await until(
        () => r.batches.length === 5 && r.timers.sleeping.join() === '2000,60000',
        'the normal pace',
      );
      expect(r.batches.map((b) => b.records.length)).toEqual([5, 5, 5, 5, 0]);
      expect(r.data()).toEqual([...KEYS].sort());
    } finally {
      kinesalite.client.middlewareStack.remove('backlog');
      await r.instance.stop();
    }
  });

  it('backs off exponentially while throttled, says so, and carries on', async () => {
    const stream = await newStream(1);
    await put(stream, KEYS);
    const r = reader(stream);
    failNext(kinesalite.client, 'GetRecordsCommand', 'ProvisionedThroughputExceededException', 4);
    r.instance.start();
    for (const delay of [1_000, 2_000, 4_000, 8_000]) {
      await until(() => r.timers.sleeping.join() === `${delay},60000`, `a ${delay} ms back-off`);
      r.timers.advance(delay);
    }
    await until(() => r.timers.sleeping.join() === '2000,60000', 'reading to resume');
    expect(r.data()).toEqual([...KEYS].sort());
    expect(r.instance.stats.throttled).toBe(4);
    expect(r.batches.map((b) => b.fresh)).toEqual([false]);
    expect(r.states).toContainEqual({ kind: 'live', note: 'throttled, next read in 8 s' });
    expect(r.states.at(-1)).toEqual({ kind: 'live' });
    await r.instance.stop();
  });

  it('re-acquires an expired iterator', async () => {
    const stream = await newStream(1);
    await put(stream, KEYS);
    const r = reader(stream);
    const iterators = countCalls(kinesalite.client, 'GetShardIteratorCommand');
    failNext(kinesalite.client, 'GetRecordsCommand', 'ExpiredIteratorException', 1);
    r.instance.start();
    await until(() => r.timers.sleeping.join() === '2000,60000', 'the shard to be read');
    expect(iterators.count).toBe(2);
    expect(r.instance.stats.renewedIterators).toBe(1);
    expect(r.data()).toEqual([...KEYS].sort());
    expect(r.states).not.toContainEqual(expect.objectContaining({ kind: 'error' }));
    await r.instance.stop();
  });

  it('backs off when renewed iterators keep expiring', async () => {
    const stream = await newStream(1);
    await put(stream, ['one']);
    const r = reader(stream);
    failNext(kinesalite.client, 'GetRecordsCommand', 'ExpiredIteratorException', 2);
    r.instance.start();
    await until(() => r.timers.sleeping.join() === '1000,60000', 'a back-off');
    expect(r.instance.stats.renewedIterators).toBe(2);
    r.timers.advance(1_000);
    await until(() => r.timers.sleeping.join() === '2000,60000', 'reading to resume');
    expect(r.data()).toEqual(['one']);
    await r.instance.stop();
  });

  it('shows an error with its reason, retries, and recovers', async () => {
    const stream = await newStream(1);
    await put(stream, ['one']);
    const r = reader(stream);
    failNext(kinesalite.client, 'GetRecordsCommand', 'AccessDeniedException', 1);
    r.instance.start();
    await until(() => r.timers.sleeping.join() === '1000,60000', 'a retry');
    expect(r.states.at(-1)).toEqual({
      kind: 'error',
      reason: 'Access denied: AccessDeniedException (injected)',
    });
    r.timers.advance(1_000);
    await until(() => r.timers.sleeping.join() === '2000,60000', 'reading to resume');
    expect(r.states.at(-1)).toEqual({ kind: 'live' });
    expect(r.data()).toEqual(['one']);
    await r.instance.stop();
  });

  it('reports a stream that does not exist', async () => {
    const r = reader('no-such-stream');
    r.instance.start();
    await until(() => r.timers.sleeping.length === 1, 'a retry');
    expect(r.states.at(-1)).toEqual({ kind: 'error', reason: 'Stream "no-such-stream" not found' });
    await r.instance.stop();
    expect(r.states.at(-1)).toEqual({ kind: 'paused' });
  });

  it('stops without leaving a timer or call behind, and starts again from `startFrom`', async () => {
    const stream = await newStream(1);
    await put(stream, ['before']);
    const r = reader(stream);
    r.instance.start();
    await until(() => r.timers.sleeping.length === 2, 'reading');
    await r.instance.stop();
    expect(r.timers.sleeping).toEqual([]);
    expect(r.instance.running).toBe(false);
    await put(stream, ['while-paused']);
    r.instance.start();
    await until(() => r.timers.sleeping.length === 2 && r.batches.length === 2, 'reading again');
    // Restarting reads the recent past again; the page recognises records already shown.
    expect(r.data()).toEqual(['before', 'before', 'while-paused']);
    await r.instance.stop();
  });

  it('follows a shard split to the child shards', async () => {
    const stream = await newStream(1);
    await put(stream, ['parent']);
    const r = reader(stream);
    r.instance.start();
    await until(() => r.timers.sleeping.join() === '2000,60000', 'the parent to be read');
    await kinesalite.client.send(
      new SplitShardCommand({
        StreamName: stream,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 127n).toString(),
      }),
    );
    await put(stream, KEYS);
    r.timers.advance(2_000);
    // The parent ends, the listing runs at once and finds both children, read from their start.
    await until(() => new Set(r.batches.map((b) => b.shardId)).size === 3, 'the children to be read');
    await until(() => r.timers.sleeping.join() === '2000,2000,60000', 'the children to be polled');
    expect(r.data()).toEqual(['parent', ...KEYS].sort());
    await r.instance.stop();
  });
});
