import { decodeJson } from '#core/record-data';
import { realSleep } from '#core/retry';
import { parseUnicornStatus, type UnicornStatus } from '#core/telemetry';
import { runProducer, type ProducerIO, type ProducerOptions } from '../../commands/producer';
import { fakeClock } from '../support/fake-clock';
import { startLimitedEndpoint, type LimitedEndpoint } from '../support/limited-endpoint';

/**
 * The producer against the local endpoint with Kinesis's shard limits on: it is throttled to
 * the shard's 1,000 records a second and loses nothing, and it rides out the endpoint going
 * away for longer than a request's retries used to last, each unicorn's records in order.
 */

let endpoint: LimitedEndpoint;
afterEach(() => endpoint?.stop());

function byUnicorn(records: { Data?: Uint8Array; PartitionKey?: string }[]) {
  const groups = new Map<string, UnicornStatus[]>();
  for (const record of records) {
    const json = decodeJson(record.Data!);
    const status = json.ok ? parseUnicornStatus(json.value) : undefined;
    if (!status?.ok) throw new Error(`a record that is not a unicorn status: ${record.PartitionKey}`);
    expect(record.PartitionKey).toBe(status.value.Name);
    groups.set(status.value.Name, [...(groups.get(status.value.Name) ?? []), status.value]);
  }
  return groups;
}

function expectInOrder(groups: Map<string, UnicornStatus[]>, names: string[], each: number) {
  expect([...groups.keys()].sort()).toEqual([...names].sort());
  for (const statuses of groups.values()) {
    expect(statuses).toHaveLength(each);
    const times = statuses.map((s) => s.StatusTime);
    expect(times).toEqual([...times].sort());
    // Distance travelled only grows along a unicorn's records, so a swap would show.
    expect(statuses.every((s) => s.Distance >= 0)).toBe(true);
  }
}

async function produce(options: ProducerOptions, io: Partial<ProducerIO> & Pick<ProducerIO, 'kinesis'>) {
  const reports: string[] = [];
  const stats = await runProducer(
    { seed: 7, quiet: true, ...options },
    {
      out: () => undefined,
      report: (line) => reports.push(line),
      now: Date.now,
      sleep: realSleep,
      stop: new AbortController().signal,
      abandon: new AbortController().signal,
      ...io,
    },
  );
  return { stats, reports };
}

it("producer at 4× the shard limit loses nothing and keeps each unicorn's order", async () => {
  // The producer and the shard's limits share a clock that moves only when something sleeps on
  // it, so the producer offers 4× what the shard takes however busy the machine is.
  const clock = fakeClock();
  endpoint = await startLimitedEndpoint({ now: clock.now });
  await endpoint.kinesalite.createStream('fast', 1);
  const names = Array.from({ length: 400 }, (_, i) => `Unicorn-${i}`);
  // 400 unicorns × 10 records/s = 4,000 records/s for 1.5 s into a shard that takes 1,000.
  const { stats, reports } = await produce(
    { stream: 'fast', names, rate: 10, count: 15 },
    { kinesis: endpoint.client(1), now: clock.now, sleep: clock.sleep },
  );
  expect(stats).toMatchObject({ produced: 6000, sent: 6000, failed: 0, unsent: 0 });
  expect(stats.retried).toBeGreaterThan(1000);
  expect(reports.some((r) => r.startsWith('throttled by Kinesis'))).toBe(true);
  // 1,000 records of burst, then 1,000 a second: the other 5,000 took at least 5 s.
  expect(stats.elapsedMs).toBeGreaterThanOrEqual(4_800);
  const stored = await endpoint.kinesalite.readAll('fast');
  expect(stored).toHaveLength(6000);
  expectInOrder(byUnicorn(stored), names, 15);
}, 30_000);

it('loses nothing when the endpoint goes away for longer than a retry budget, and says so', async () => {
  endpoint = await startLimitedEndpoint();
  await endpoint.kinesalite.createStream('outage', 1);
  const names = ['Shadowfax', 'Bucephalus', 'Rocinante'];
  // The producer's clock runs ten times fast: 1.5 s of outage are 15 s to it, more than the
  // 6–10 s one request's retries used to last; its back-off waits up to 5 s (0.5 s here).
  const start = Date.now();
  const now = () => start + (Date.now() - start) * 10;
  const sleep = (ms: number, signal?: AbortSignal) => realSleep(ms / 10, signal);
  const client = endpoint.client(1);
  const running = produce({ stream: 'outage', names, rate: 2, count: 60 }, { kinesis: client, now, sleep });
  await realSleep(600);
  await endpoint.down();
  await realSleep(1_500);
  await endpoint.up();
  const { stats, reports } = await running;
  expect(stats).toMatchObject({ produced: 180, sent: 180, failed: 0, unsent: 0 });
  expect(reports.find((r) => r.startsWith('Kinesis does not answer'))).toMatch(
    /ECONNREFUSED|ECONNRESET|socket hang up/,
  );
  const back = reports.find((r) => r.startsWith('Kinesis answers again after'));
  expect(Number(/after ([\d.]+) s/.exec(back ?? '')?.[1])).toBeGreaterThanOrEqual(10);
  const stored = await endpoint.kinesalite.readAll('outage');
  expect(stored).toHaveLength(180);
  expectInOrder(byUnicorn(stored), names, 60);
}, 20_000);

it('pauses producing when its buffer is full rather than drop, and keeps --duration', async () => {
  endpoint = await startLimitedEndpoint();
  await endpoint.kinesalite.createStream('full', 1);
  const start = Date.now();
  const now = () => start + (Date.now() - start) * 10;
  const sleep = (ms: number, signal?: AbortSignal) => realSleep(ms / 10, signal);
  const names = Array.from({ length: 10 }, (_, i) => `U${i}`);
  const client = endpoint.client(1);
  await endpoint.down();
  const running = produce(
    { stream: 'full', names, rate: 1, durationSeconds: 20, bufferRecords: 50 },
    { kinesis: client, now, sleep },
  );
  await realSleep(1_000); // 10 s to the producer: 100 records due, room for 50
  await endpoint.up();
  const { stats, reports } = await running;
  expect(reports.some((r) => r.startsWith('buffer full (50 records held, at most 50)'))).toBe(true);
  expect(stats.bufferedPeak).toBe(50);
  expect(stats.failed).toBe(0);
  expect(stats.unsent).toBe(0);
  expect(stats.sent).toBe(stats.produced);
  // Paused for a while: fewer than 20 s × 10 unicorns, and nothing after the duration.
  expect(stats.produced).toBeLessThan(200);
  expect(stats.produced % 10).toBe(0);
  const stored = await endpoint.kinesalite.readAll('full');
  expect(stored).toHaveLength(stats.produced);
  const latest = Math.max(...stored.map((r) => Date.parse(`${byUnicornTime(r)}Z`)));
  expect(latest - start).toBeLessThan(20_000 * 10);
}, 20_000);

function byUnicornTime(record: { Data?: Uint8Array }) {
  const json = decodeJson(record.Data!);
  return (json.ok ? (json.value as { StatusTime: string }).StatusTime : '').replace(' ', 'T');
}
