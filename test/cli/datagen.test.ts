import { compileTemplate, KDG_HELPERS, newFaker } from '#core/kdg-template';
import { decodeJson } from '#core/record-data';
import { UsageError } from '../../cli/args';
import { gunzipSync } from 'node:zlib';
import { periodicRateFrom } from '#core/kdg-schedule';
import {
  cronSettingsFromEnv,
  dryRunRecords,
  encodeRecord,
  helperExamples,
  helperSummary,
  pacing,
  parseTime,
  partitionKeyOf,
  runDatagen,
  simulatedRange,
  type DatagenOptions,
  type Schedule,
} from '../../commands/datagen';
import { fakeClock, fakeRunIO } from '../support/fake-clock';
import { fakeKinesis } from '../support/fake-kinesis';
import { emulatorClient, suiteKinesalite } from '../support/kinesalite';
import { countCalls, injectPutFaults } from '../support/kinesis-faults';

const k = suiteKinesalite();

const noWait = { maxAttempts: 8, baseDelayMs: 0, maxDelayMs: 0 };
const TEMPLATE = '{"id":"{{random.uuid}}","t":{{date.utc("x")}},"sensorId":"s-{{random.number(9)}}"}';
let keyCounter = 0;
const randomKeys = partitionKeyOf('random', () => `key-${keyCounter++}`);

async function generate(
  options: Partial<DatagenOptions> & { schedule: Schedule },
  client = k.client,
  stop = new AbortController(),
) {
  const stream = await k.newStream('datagen', 2);
  const clock = fakeClock();
  const lines: string[] = [];
  const stats = await runDatagen(
    {
      destination: { kind: 'stream', name: stream, client },
      template: compileTemplate(TEMPLATE, { seed: 1 }),
      partitionKey: randomKeys,
      ...options,
    },
    {
      out: (text) => lines.push(text),
      now: clock.now,
      sleep: clock.sleep,
      stop: stop.signal,
      abandon: new AbortController().signal,
      retryPolicy: noWait,
    },
  );
  const records = await k.readAll(stream);
  const values = records.map((r) => (decodeJson(r.Data!) as { value: { id: string; t: number } }).value);
  return { stats, records, values, lines, start: clock.now() - stats.elapsedMs };
}

describe('datagen against kinesalite', () => {
  it('puts exactly --total records at the rate asked, spread over the shards, with progress every second', async () => {
    const { stats, records, values, lines, start } = await generate({
      schedule: { kind: 'rate', recordsPerSecond: 250 },
      total: 1000,
    });
    expect(stats).toMatchObject({ produced: 1000, sent: 1000, retried: 0, failed: 0, unsent: 0 });
    expect(records).toHaveLength(1000);
    expect(new Set(values.map((v) => v.id)).size).toBe(1000);
    // 250 records/s: 25 records every 100 ms, over 4 seconds.
    const perTick = new Map<number, number>();
    for (const v of values) perTick.set(v.t - start, (perTick.get(v.t - start) ?? 0) + 1);
    expect([...perTick.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i * 100));
    expect([...perTick.values()].every((n) => n === 25)).toBe(true);
    expect(new Set(records.map((r) => r.ShardId)).size).toBe(2);
    expect(lines.slice(0, 3)).toEqual([
      expect.stringMatching(/^sent \d+\/1000 \(\d+\.\d records\/s\), retried 0, failed 0\n$/),
      expect.stringMatching(/^sent \d+\/1000/),
      expect.stringMatching(/^sent \d+\/1000/),
    ]);
    // The last tick is at 3.9 s: the whole run took that long.
    expect(lines.at(-1)).toBe('sent 1000/1000 (256.4 records/s), retried 0, failed 0\n');
  });

  it('sends in PutRecords calls of at most 500 records', async () => {
    const client = emulatorClient(k.endpoint);
    const puts = countCalls(client, 'PutRecordsCommand');
    const { stats } = await generate(
      { schedule: { kind: 'rate', recordsPerSecond: 12_000 }, total: 2400 },
      client,
    );
    client.destroy();
    expect(stats.sent).toBe(2400);
    // 1,200 records per 100 ms tick: three requests each (500 + 500 + 200).
    expect(puts.count).toBe(6);
  });

  it('in cron mode, fires every job each second with its messages, as separate requests', async () => {
    const fake = fakeKinesis();
    const { stats } = await generate(
      { schedule: { kind: 'cron', jobs: 3, messagesPerJob: 4 }, total: 30 },
      fake.client,
    );
    expect(stats).toMatchObject({ sent: 30, failed: 0 });
    // 12 records a second; the third second sends the 6 left.
    expect(fake.calls.map((c) => c.records.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
    const times = fake.calls.map((c) => JSON.parse(c.records[0].data).t);
    // Each record is sent followed by a newline, as the generator sends it.
    expect(fake.calls.every((c) => c.records.every((r) => r.data.endsWith('}\n')))).toBe(true);
    expect(times.map((t) => t - times[0])).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000]);
    // Spread keys: no hot shard.
    expect(new Set(fake.calls.flatMap((c) => c.records.map((r) => r.partitionKey))).size).toBe(30);
  });

  it('retries the entries Kinesis rejects (FailedRecordCount) and counts them, losing and duplicating nothing', async () => {
    const client = emulatorClient(k.endpoint);
    // The first ten requests: a third of their entries throttled, and one request refused whole.
    const injected = injectPutFaults(client, (call, i) =>
      call === 4 ? 'call' : call < 10 && (call + i) % 3 === 0 ? 'throttle' : 'ok',
    );
    const { stats, values } = await generate(
      { schedule: { kind: 'rate', recordsPerSecond: 300 }, total: 600 },
      client,
    );
    client.destroy();
    expect(injected.entries).toBeGreaterThan(50);
    expect(injected.calls).toBeGreaterThan(0);
    expect(stats).toMatchObject({ sent: 600, failed: 0 });
    expect(stats.retried).toBeGreaterThanOrEqual(injected.entries);
    expect(values).toHaveLength(600);
    expect(new Set(values.map((v) => v.id)).size).toBe(600);
  });

  it('counts entries still rejected after the last retry as failed, with the reason', async () => {
    const client = emulatorClient(k.endpoint);
    injectPutFaults(client, (_call, i) => (i === 0 ? 'throttle' : 'ok'));
    const { stats, records } = await generate(
      { schedule: { kind: 'rate', recordsPerSecond: 50 }, total: 20 },
      client,
    );
    client.destroy();
    expect(stats.failed).toBe(4); // the first entry of each of the four requests
    expect(stats.sent).toBe(16);
    expect(records).toHaveLength(16);
    expect(stats.firstError).toMatch(/ProvisionedThroughputExceededException/);
  });

  it('keys records by a JSON field when asked', async () => {
    const fake = fakeKinesis();
    await generate(
      {
        schedule: { kind: 'rate', recordsPerSecond: 100 },
        total: 50,
        partitionKey: partitionKeyOf('sensorId', () => 'x'),
      },
      fake.client,
    );
    for (const record of fake.calls.flatMap((c) => c.records)) {
      expect(record.partitionKey).toBe(JSON.parse(record.data).sensorId);
    }
  });

  it('stops on Ctrl-C and still sends what it generated', async () => {
    const stop = new AbortController();
    const fake = fakeKinesis((call) => {
      if (call === 5) stop.abort();
      return 'ok';
    });
    const { stats } = await generate(
      { schedule: { kind: 'rate', recordsPerSecond: 100 } },
      fake.client,
      stop,
    );
    expect(stats.produced).toBeGreaterThanOrEqual(60);
    expect(stats.sent).toBe(stats.produced);
    expect(fake.accepted).toHaveLength(stats.produced);
  });

  it('ends the run on an error no retry can cure, with what was sent so far', async () => {
    await expect(
      runDatagen(
        {
          destination: { kind: 'stream', name: 'no-such-stream', client: k.client },
          template: compileTemplate('x'),
          schedule: { kind: 'rate', recordsPerSecond: 10 },
          total: 5,
          partitionKey: randomKeys,
          quiet: true,
        },
        {
          out: () => undefined,
          ...fakeClock(),
          stop: new AbortController().signal,
          abandon: new AbortController().signal,
          retryPolicy: noWait,
        },
      ),
    ).rejects.toMatchObject({
      name: 'Error',
      cause: { name: 'ResourceNotFoundException' },
      stats: { sent: 0 },
    });
  });
});

describe('pacing', () => {
  const ticks = (schedule: Schedule, n: number) =>
    Array.from({ length: n }, (_, i) =>
      pacing(schedule)
        .requests(i, 0)
        .reduce((a, b) => a + b, 0),
    );

  it('spreads a rate over ten ticks a second, below 10 records/s one record per tick', () => {
    expect(pacing({ kind: 'rate', recordsPerSecond: 250 }).intervalMs).toBe(100);
    expect(ticks({ kind: 'rate', recordsPerSecond: 15 }, 10)).toEqual([1, 2, 1, 2, 1, 2, 1, 2, 1, 2]);
    expect(ticks({ kind: 'rate', recordsPerSecond: 100 }, 10).reduce((a, b) => a + b)).toBe(100);
    expect(pacing({ kind: 'rate', recordsPerSecond: 0.5 }).intervalMs).toBe(2000);
    expect(ticks({ kind: 'rate', recordsPerSecond: 0.5 }, 3)).toEqual([1, 1, 1]);
  });

  it('fires every cron job each second', () => {
    const cron = pacing({ kind: 'cron', jobs: 10, messagesPerJob: 10 });
    expect(cron.intervalMs).toBe(1000);
    expect(cron.requests(7, 0)).toEqual(Array(10).fill(10));
  });
});

describe('the Node producer environment variables', () => {
  it('are ignored when none is set', () => {
    expect(cronSettingsFromEnv({})).toBeUndefined();
  });

  it('default to 10 jobs of 10 messages, as that producer does', () => {
    expect(cronSettingsFromEnv({ AWS_KINESIS_STREAM_NAME: 'sensor-data' })).toEqual({
      stream: 'sensor-data',
      schedule: { kind: 'cron', jobs: 10, messagesPerJob: 10 },
    });
  });

  it('set the jobs and messages per job', () => {
    expect(cronSettingsFromEnv({ CRON_JOBS_TO_GENERATE: '4', MESSAGES_PER_CRON_JOB: '25' })).toEqual({
      schedule: { kind: 'cron', jobs: 4, messagesPerJob: 25 },
    });
  });

  it.each([
    [
      { CRON_JOBS_TO_GENERATE: 'ten' },
      'CRON_JOBS_TO_GENERATE must be a whole number from 1 to 1000, got "ten"',
    ],
    [{ MESSAGES_PER_CRON_JOB: '0' }, 'MESSAGES_PER_CRON_JOB must be a whole number from 1 to 10000, got "0"'],
    [
      { MESSAGES_PER_CRON_JOB: '2.5' },
      'MESSAGES_PER_CRON_JOB must be a whole number from 1 to 10000, got "2.5"',
    ],
  ])('reject %p', (env, message) => {
    expect(() => cronSettingsFromEnv(env)).toThrow(new UsageError(message));
  });
});

describe('partition keys', () => {
  it('reject a field the records do not have, or records that are not JSON', () => {
    expect(() => partitionKeyOf('sensorId', () => 'x')('{"other":1}')).toThrow(
      /has no "sensorId" string or number field/,
    );
    expect(() => partitionKeyOf('sensorId', () => 'x')('a,b,c')).toThrow(/needs JSON records/);
    expect(partitionKeyOf('sensorId', () => 'x')('{"sensorId":17}')).toBe('17');
  });
});

/** Runs datagen against a fake stream on a fake clock, with `template` and the options given. */
async function fakeRun(
  template: string,
  options: Partial<DatagenOptions> & { schedule: Schedule },
  fake = fakeKinesis(),
  random: () => number = Math.random,
) {
  const clock = fakeClock();
  const stats = await runDatagen(
    {
      destination: { kind: 'stream', name: 'fake', client: fake.client },
      template: compileTemplate(template, { seed: 1 }),
      partitionKey: randomKeys,
      quiet: true,
      ...options,
    },
    {
      ...fakeRunIO(clock, noWait),
      random,
    },
  );
  const records = fake.calls.flatMap((c) => c.records.map((r) => JSON.parse(r.data)));
  return { stats, fake, records, start: clock.now() - stats.elapsedMs };
}

const countBy = <T>(values: T[]) => {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
};

const FROM = Date.UTC(2026, 0, 4, 8, 59, 0); // a Sunday
const SIM = '{"sim":"{{date.simTime("x")}}","wall":{{date.now("x")}}}';

describe('unlocked from real time (--from/--to)', () => {
  it('generates every simulated second of the range in order, the configured count in each', async () => {
    const to = FROM + 119_000;
    const { stats, records, fake, start } = await fakeRun(SIM, {
      schedule: { kind: 'rate', recordsPerSecond: 7 },
      simulate: { from: FROM, to },
    });
    expect(stats).toMatchObject({ produced: 840, sent: 840, failed: 0, simulatedUpTo: to });
    const perSecond = countBy(records.map((r) => Number(r.sim)));
    expect([...perSecond.keys()]).toEqual(Array.from({ length: 120 }, (_, i) => FROM + i * 1000));
    expect([...perSecond.values()].every((n) => n === 7)).toBe(true);
    // In order, and no waiting: the wall clock never moved.
    expect(records.map((r) => Number(r.sim))).toEqual(
      [...records.map((r) => Number(r.sim))].sort((a, b) => a - b),
    );
    expect(new Set(records.map((r) => r.wall))).toEqual(new Set([start]));
    // Gathered into full requests of 500.
    expect(fake.calls.map((c) => c.records.length)).toEqual([500, 340]);
  });

  it('follows the periodic schedule of each simulated hour, smoothing across the hour', async () => {
    const periodic = periodicRateFrom({
      smoothing: false,
      hours: { '8': { mu: 2, sigma: 0 }, '9': { mu: 5, sigma: 0 } },
    });
    const { records } = await fakeRun(SIM, {
      schedule: { kind: 'periodic', periodic },
      simulate: { from: FROM, to: FROM + 119_000 },
    });
    const perSecond = countBy(records.map((r) => Number(r.sim)));
    const hourOf = (t: number) => new Date(t).getHours();
    for (const [second, count] of perSecond)
      expect(count).toBe(hourOf(second) === 8 ? 2 : hourOf(second) === 9 ? 5 : 100);
    expect(perSecond.size).toBe(120);
  });

  it('periodic draws vary around μ with σ, reproducibly from the random source', async () => {
    const periodic = periodicRateFrom({ smoothing: false, default: { mu: 40, sigma: 6 } });
    const faker = newFaker(5);
    const { records } = await fakeRun(
      SIM,
      { schedule: { kind: 'periodic', periodic }, simulate: { from: FROM, to: FROM + 999_000 } },
      fakeKinesis(),
      () => faker.number.float(),
    );
    const counts = [...countBy(records.map((r) => Number(r.sim))).values()];
    const mean = counts.reduce((a, b) => a + b) / counts.length;
    expect(mean).toBeGreaterThan(40.5 - 1);
    expect(mean).toBeLessThan(40.5 + 1);
    expect(new Set(counts).size).toBeGreaterThan(15);
  });

  it('stops at --total inside the range', async () => {
    const { stats, records } = await fakeRun(SIM, {
      schedule: { kind: 'rate', recordsPerSecond: 10 },
      simulate: { from: FROM, to: FROM + 3_600_000 },
      total: 25,
    });
    expect(stats.sent).toBe(25);
    expect(countBy(records.map((r) => Number(r.sim)))).toEqual(
      new Map([
        [FROM, 10],
        [FROM + 1000, 10],
        [FROM + 2000, 5],
      ]),
    );
  });

  it('sends throttled records again until the stream takes them: none is dropped', async () => {
    // Every entry is throttled in the first 12 calls (more than one request's 8 attempts).
    const fake = fakeKinesis((call) => (call < 12 ? 'ProvisionedThroughputExceededException' : 'ok'));
    const { stats } = await fakeRun(
      SIM,
      { schedule: { kind: 'rate', recordsPerSecond: 3 }, simulate: { from: FROM, to: FROM + 9_000 } },
      fake,
    );
    expect(stats).toMatchObject({ produced: 30, sent: 30, failed: 0, unsent: 0 });
    expect(stats.retried).toBeGreaterThanOrEqual(30 * 11);
    expect(fake.accepted).toHaveLength(30);
  });

  it('counts records refused for good (not throttled) as failed', async () => {
    const fake = fakeKinesis((_call, i) => (i === 0 ? 'KMSAccessDeniedException' : 'ok'));
    const { stats } = await fakeRun(
      SIM,
      {
        schedule: { kind: 'rate', recordsPerSecond: 3 },
        simulate: { from: FROM, to: FROM + 1_000 },
      },
      fake,
    );
    expect(stats).toMatchObject({ sent: 5, failed: 1 });
    expect(stats.firstError).toMatch(/KMSAccessDeniedException/);
  });
});

describe('periodic rate in real time', () => {
  it('sends each second the count of that hour, one request a second', async () => {
    const periodic = periodicRateFrom({ smoothing: false, default: { mu: 4, sigma: 0 } });
    const { fake, records, start } = await fakeRun(SIM, {
      schedule: { kind: 'periodic', periodic },
      total: 20,
    });
    expect(fake.calls.map((c) => c.records.length)).toEqual([4, 4, 4, 4, 4]);
    const seconds = [...countBy(records.map((r) => r.wall - start)).keys()];
    expect(seconds).toEqual([0, 1000, 2000, 3000, 4000]);
  });
});

describe('records as the generator sends them', () => {
  it('follows each record with a newline, or gzips it without one', () => {
    expect(Buffer.from(encodeRecord('{"a":1}')).toString()).toBe('{"a":1}\n');
    expect(Buffer.from(encodeRecord('x', { newline: false })).toString()).toBe('x');
    expect(gunzipSync(encodeRecord('{"a":1}', { gzip: true })).toString()).toBe('{"a":1}');
  });

  it('dry runs print --total records, or every record of a simulated range', () => {
    const template = compileTemplate('{{date.simTime("HH:mm:ss")}}/{{date.utc("HH:mm")}}');
    const now = () => Date.UTC(2026, 0, 1, 12, 0);
    expect([...dryRunRecords(template, { kind: 'rate', recordsPerSecond: 5 }, now, {})]).toEqual(
      Array(3).fill(`${new Date(now()).toTimeString().slice(0, 8)}/12:00`),
    );
    const simulated = [
      ...dryRunRecords(template, { kind: 'rate', recordsPerSecond: 2 }, now, {
        simulate: { from: FROM, to: FROM + 2000 },
      }),
    ];
    expect(simulated.map((r) => r.split('/')[0])).toEqual(
      [0, 0, 1, 1, 2, 2].map((s) => new Date(FROM + s * 1000).toTimeString().slice(0, 8)),
    );
  });
});

describe('helper listings', () => {
  it('--help names every helper by module, each line starting with its module', () => {
    const lines = helperSummary(60).split('\n');
    expect(lines.every((l) => l.length <= 60 && /^[a-z]+\.\w+( \w+)*$/.test(l))).toBe(true);
    const named = new Set(
      lines.flatMap((l) => {
        const [module, ...rest] = l.split(/[. ]/);
        return rest.map((method) => `${module}.${method}`);
      }),
    );
    expect(named).toEqual(new Set(Object.keys(KDG_HELPERS)));
  });

  it('datagen helpers shows each helper with an example, the same for the same seed', () => {
    const a = helperExamples(3, FROM);
    expect(a).toEqual(helperExamples(3, FROM));
    expect(a).not.toEqual(helperExamples(4, FROM));
    expect(a.find((l) => l.startsWith('{{internet.ip}}'))).toMatch(
      /^\{\{internet\.ip\}\}\s+\d+\.\d+\.\d+\.\d+$/,
    );
    expect(a.find((l) => l.startsWith('{{date.utc('))).toMatch(/\s2026-01-04 08:59:00$/);
    expect(a.every((l) => !l.includes('\n') && l.length < 300)).toBe(true);
  });
});

describe('--from, --to and --now', () => {
  it('take ISO 8601 (local time without a zone) or epoch milliseconds', () => {
    expect(parseTime('from', '2026-01-04T08:59:00Z')).toBe(FROM);
    expect(parseTime('from', String(FROM))).toBe(FROM);
    expect(parseTime('from', '2026-01-04T08:59:00')).toBe(new Date(2026, 0, 4, 8, 59).getTime());
    expect(simulatedRange(undefined, undefined)).toBeUndefined();
    expect(simulatedRange('2026-01-04T08:59:00Z', String(FROM + 1000))).toEqual({
      from: FROM,
      to: FROM + 1000,
    });
    expect(simulatedRange('1000', '1000')).toEqual({ from: 1000, to: 1000 });
  });

  it.each([
    [['yesterday', '1'], '--from must be a time in ISO 8601 or milliseconds since 1970, got "yesterday"'],
    [['1', '2026-13-01'], '--to must be a time in ISO 8601 or milliseconds since 1970, got "2026-13-01"'],
    [['2026-01-02', '2026-01-01'], '--to (2026-01-01) must not be before --from (2026-01-02)'],
    [['2026-01-02', undefined], '--from and --to go together'],
    [[undefined, '2026-01-02'], '--from and --to go together'],
  ])('reject %p: %s', ([from, to], message) => {
    expect(() => simulatedRange(from, to)).toThrow(new UsageError(message));
  });
});
