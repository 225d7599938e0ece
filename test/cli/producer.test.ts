import type { UnicornStatus } from '#core/telemetry';
import { parseUnicornStatus } from '#core/telemetry';
import { decodeJson } from '#core/record-data';
import { runProducer, type ProducerOptions } from '../../commands/producer';
import { fakeClock, fakeRunIO } from '../support/fake-clock';
import { emulatorClient, suiteKinesalite } from '../support/kinesalite';
import { injectPutFaults } from '../support/kinesis-faults';

const k = suiteKinesalite();

const noWait = { maxAttempts: 8, baseDelayMs: 0, maxDelayMs: 0 };

async function produce(options: Partial<ProducerOptions> & { names: string[] }, client = k.client) {
  const name = await k.newStream('producer', 2);
  const clock = fakeClock();
  const out: string[] = [];
  const stats = await runProducer(
    { stream: name, rate: 1, seed: 42, ...options },
    {
      ...fakeRunIO(clock, noWait),
      kinesis: client,
      out: (text) => out.push(text),
    },
  );
  const records = await k.readAll(name);
  return { stats, records, dots: out.join(''), name };
}

const byUnicorn = (records: { Data?: Uint8Array; PartitionKey?: string }[]) => {
  const groups = new Map<string, UnicornStatus[]>();
  for (const record of records) {
    const status = parseUnicornStatus((decodeJson(record.Data!) as { value: unknown }).value);
    if (!status.ok) throw new Error(status.reason);
    expect(record.PartitionKey).toBe(status.value.Name);
    groups.set(status.value.Name, [...(groups.get(status.value.Name) ?? []), status.value]);
  }
  return groups;
};

describe('producer against kinesalite', () => {
  it('puts one valid record per unicorn per second, complete and in order per unicorn, a dot each', async () => {
    const { stats, records, dots } = await produce({
      names: ['Shadowfax', 'Bucephalus', 'Rocinante'],
      count: 20,
    });
    expect(stats).toMatchObject({ produced: 60, sent: 60, retried: 0, failed: 0, unsent: 0 });
    expect(dots).toBe('.'.repeat(60));
    const groups = byUnicorn(records);
    expect([...groups.keys()].sort()).toEqual(['Bucephalus', 'Rocinante', 'Shadowfax']);
    for (const statuses of groups.values()) {
      expect(statuses).toHaveLength(20);
      const times = statuses.map((s) => Date.parse(s.StatusTime.replace(' ', 'T') + 'Z'));
      expect(times.slice(1).map((t, i) => t - times[i])).toEqual(Array(19).fill(1000));
      expect(statuses[0].Distance).toBe(0);
      expect(Math.min(...statuses.slice(1).map((s) => s.Distance))).toBeGreaterThan(20);
    }
  });

  it('loses and duplicates nothing under injected throttling, and keeps each unicorn in order', async () => {
    const client = emulatorClient(k.endpoint);
    // A third of the entries are throttled on first sending, and every fifth request as a whole.
    const injected = injectPutFaults(client, (call, i) =>
      call % 5 === 4 ? 'call' : (call + i) % 3 === 0 ? 'throttle' : 'ok',
    );
    const names = Array.from({ length: 12 }, (_, i) => `U${i}`);
    const { stats, records } = await produce({ names, count: 15, rate: 5 }, client);
    client.destroy();
    expect(injected.entries).toBeGreaterThan(20);
    expect(injected.calls).toBeGreaterThan(2);
    expect(stats).toMatchObject({ produced: 180, sent: 180, failed: 0 });
    expect(stats.retried).toBeGreaterThanOrEqual(injected.entries);
    expect(records).toHaveLength(180);
    for (const statuses of byUnicorn(records).values()) {
      expect(statuses).toHaveLength(15);
      const times = statuses.map((s) => s.StatusTime);
      expect(times).toEqual([...times].sort());
      expect(new Set(times).size).toBe(15);
    }
  });

  it('reports records still failing after the last retry instead of dropping them silently', async () => {
    const client = emulatorClient(k.endpoint);
    injectPutFaults(client, (_call, i) => (i === 0 ? 'throttle' : 'ok'));
    const { stats } = await produce({ names: ['Stuck', 'Free'], count: 2 }, client);
    client.destroy();
    expect(stats).toMatchObject({ produced: 4, failed: 2, sent: 2 });
  });

  it('makes every Nth record malformed on purpose, in both flavours', async () => {
    const { stats, records } = await produce({ names: ['Shadowfax'], count: 20, errorEvery: 5 });
    expect(stats).toMatchObject({ produced: 20, sent: 20, malformed: 4 });
    const bad = records.filter((r) => {
      const json = decodeJson(r.Data!);
      return !json.ok || !parseUnicornStatus(json.value).ok;
    });
    expect(bad).toHaveLength(4);
    expect(bad.filter((r) => !decodeJson(r.Data!).ok)).toHaveLength(2);
  });

  it('starts separate runs at separate spots unless a seed is given', async () => {
    const a = await produce({ names: ['A'], count: 1, seed: undefined });
    const b = await produce({ names: ['A'], count: 1, seed: undefined });
    const [pa] = byUnicorn(a.records).get('A')!;
    const [pb] = byUnicorn(b.records).get('A')!;
    expect([pa.Latitude, pa.Longitude]).not.toEqual([pb.Latitude, pb.Longitude]);
  });
});
