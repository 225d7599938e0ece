import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { generateAccessLog, parseApacheLog } from '#core/apache-log';
import { LogAgent, startLogAgent } from '../../agent/agent';
import { parseAgentConfig } from '../../agent/config';
import { fakeClock } from '../support/fake-clock';
import { startedAgent, stepAgent } from '../support/log-agent';
import { emulatorClient, suiteKinesalite } from '../support/kinesalite';
import { countCalls, failNext, injectPutFaults } from '../support/kinesis-faults';

const k = suiteKinesalite();

const noWait = { maxAttempts: 8, baseDelayMs: 0, maxDelayMs: 0 };
const START = Date.UTC(2017, 5, 5, 9, 17, 0);
const LOGTOJSON = { optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' };
/** The record the Java agent's LOGTOJSON makes of a line: its fields as JSON, and a newline. */
const asJson = (line: string) => {
  const parsed = parseApacheLog(line, 'COMBINEDAPACHELOG');
  if (!parsed.ok) throw new Error(parsed.reason);
  return `${JSON.stringify(parsed.value)}\n`;
};
const lines = (from: number, to: number, seed = 1) =>
  generateAccessLog({ count: to, start: START, seed }).slice(from, to);
const asFile = (entries: string[]) => entries.map((l) => `${l}\n`).join('');

async function setup(flow: object = {}, global: object = {}) {
  const stream = await k.newStream('weblogs', 2);
  const dir = mkdtempSync(path.join(tmpdir(), 'log-agent-'));
  const file = (name = 'access_log') => path.join(dir, name);
  const clock = fakeClock();
  const logs: string[] = [];
  const raw = {
    checkpointFile: path.join(dir, 'state', 'checkpoints.json'),
    ...global,
    flows: [
      {
        filePattern: path.join(dir, 'access_log*'),
        kinesisStream: stream,
        initialPosition: 'START_OF_FILE',
        maxBufferAgeMillis: 1000,
        dataProcessingOptions: [LOGTOJSON],
        ...flow,
      },
    ],
  };
  const { config } = parseAgentConfig(raw);
  const agent = (kinesis: KinesisClient = k.client) => startedAgent(config, clock, logs, noWait, { kinesis });
  const step = (a: LogAgent, times = 1) => stepAgent(a, clock, times);
  const received = async () => (await k.readAll(stream)).map((r) => Buffer.from(r.Data!).toString());
  const checkpoint = () => JSON.parse(readFileSync(config.checkpointFile, 'utf8'));
  return { stream, dir, file, clock, logs, raw, config, agent, step, received, checkpoint };
}

/** Each line exactly once: no loss, no duplicate. */
const sameLines = (got: string[], want: string[]) => expect([...got].sort()).toEqual([...want].sort());

describe('log agent against kinesalite', () => {
  it("ships combined-log lines as the Kinesis Agent's LOGTOJSON records, one per line", async () => {
    const t = await setup();
    const log = lines(0, 20);
    writeFileSync(t.file(), asFile(log));
    const agent = t.agent();
    await t.step(agent);
    const records = await t.received();
    sameLines(records, log.map(asJson));
    expect(JSON.parse(records[0])).toHaveProperty('agent');
    expect(agent.stats().flows[0]).toMatchObject({
      linesRead: 20,
      recordsSent: 20,
      unsentRecords: 0,
      files: 1,
    });
    agent.close();
  });

  it('sends lines as they are without processing options, keyed by MD5 with DETERMINISTIC', async () => {
    const t = await setup({ dataProcessingOptions: [], partitionKeyOption: 'DETERMINISTIC' });
    writeFileSync(t.file(), 'plain line\nanother\n');
    const agent = t.agent();
    await t.step(agent);
    const records = await k.readAll(t.stream);
    expect(records.map((r) => [Buffer.from(r.Data!).toString(), r.PartitionKey])).toEqual(
      expect.arrayContaining(
        ['plain line\n', 'another\n'].map((d) => [d, createHash('md5').update(d).digest('hex')]),
      ),
    );
    agent.close();
  });

  it('sends full buffers at once and waits maxBufferAgeMillis for a partial one', async () => {
    const t = await setup({ maxBufferSizeRecords: 10, maxBufferAgeMillis: 5000 });
    writeFileSync(t.file(), asFile(lines(0, 25)));
    const client = emulatorClient(k.endpoint);
    const calls = countCalls(client, 'PutRecordsCommand');
    const agent = t.agent(client);
    await agent.tick();
    await agent.tick();
    await agent.tick();
    expect(calls.count).toBe(2);
    expect((await t.received()).length).toBe(20);
    t.clock.advance(4999);
    await agent.tick();
    expect((await t.received()).length).toBe(20);
    t.clock.advance(1);
    await agent.tick();
    expect((await t.received()).length).toBe(25);
    expect(calls.count).toBe(3);
    client.destroy();
    agent.close();
  });

  it('follows rotation by rename without losing or repeating a line', async () => {
    const t = await setup();
    const log = lines(0, 30);
    writeFileSync(t.file(), asFile(log.slice(0, 10)));
    const agent = t.agent();
    await t.step(agent);
    appendFileSync(t.file(), asFile(log.slice(10, 15)));
    renameSync(t.file(), t.file('access_log.1'));
    writeFileSync(t.file(), asFile(log.slice(15, 25)));
    await t.step(agent);
    appendFileSync(t.file(), asFile(log.slice(25, 30)));
    await t.step(agent);
    sameLines(await t.received(), log.map(asJson));
    expect(agent.stats().flows[0]).toMatchObject({ rotations: 1, files: 2 });
    agent.close();
  });

  it('follows rotation by copytruncate without losing or repeating a line', async () => {
    const t = await setup();
    const log = lines(0, 40);
    writeFileSync(t.file(), asFile(log.slice(0, 10)));
    const agent = t.agent();
    await t.step(agent);
    // Written, then rotated before the agent looked again.
    appendFileSync(t.file(), asFile(log.slice(10, 15)));
    copyFileSync(t.file(), t.file('access_log.1'));
    truncateSync(t.file(), 0);
    appendFileSync(t.file(), asFile(log.slice(15, 20)));
    await t.step(agent);
    // Rotated again, the copy seen before the truncation this time.
    appendFileSync(t.file(), asFile(log.slice(20, 25)));
    renameSync(t.file('access_log.1'), t.file('access_log.2'));
    copyFileSync(t.file(), t.file('access_log.1'));
    await t.step(agent);
    appendFileSync(t.file(), asFile(log.slice(25, 30)));
    await t.step(agent);
    truncateSync(t.file(), 0);
    appendFileSync(t.file(), asFile(log.slice(30, 40)));
    await t.step(agent);
    sameLines(await t.received(), log.map(asJson));
    expect(agent.stats().flows[0]).toMatchObject({ truncations: 2, copies: 2 });
    expect(t.logs.join('\n')).not.toMatch(/warning/);
    agent.close();
  });

  it('restarts exactly where it stopped: nothing lost, nothing repeated', async () => {
    const t = await setup();
    const log = lines(0, 30);
    writeFileSync(t.file(), asFile(log.slice(0, 10)));
    const first = t.agent();
    await first.run(AbortSignal.abort());
    expect(t.checkpoint().flows[t.config.flows[0].id].sources[0].offset).toBe(
      asFile(log.slice(0, 10)).length,
    );

    appendFileSync(t.file(), asFile(log.slice(10, 20)));
    renameSync(t.file(), t.file('access_log.1')); // rotated while stopped
    writeFileSync(t.file(), asFile(log.slice(20, 30)));
    const second = t.agent();
    await t.step(second, 2);
    sameLines(await t.received(), log.map(asJson));
    expect(t.logs).toContainEqual(expect.stringMatching(/resuming .*access_log\.1 at byte \d+/));
    second.close();
  });

  it('checkpoints only what Kinesis accepted: after a crash the rest is sent, none twice', async () => {
    const t = await setup();
    const log = lines(0, 20);
    writeFileSync(t.file(), asFile(log));
    const flaky = emulatorClient(k.endpoint);
    // The first request gets 5 records in; every later one is throttled.
    injectPutFaults(flaky, (call, i) => (call === 0 ? (i < 5 ? 'ok' : 'throttle') : 'call'));
    const first = t.agent(flaky);
    await t.step(first);
    expect(first.stats().flows[0]).toMatchObject({ recordsSent: 5, unsentRecords: 15, failedSends: 1 });
    const saved = t.checkpoint().flows[t.config.flows[0].id].sources[0];
    expect(saved.offset).toBe(asFile(log.slice(0, 5)).length);
    first.close(); // a crash: no flush, no final save
    flaky.destroy();

    const second = t.agent();
    await t.step(second);
    sameLines(await t.received(), log.map(asJson));
    second.close();
  });

  it('delivers every line exactly once under injected throttling of entries and whole requests', async () => {
    const t = await setup({ maxBufferSizeRecords: 50 });
    const log = lines(0, 300);
    writeFileSync(t.file(), asFile(log));
    const flaky = emulatorClient(k.endpoint);
    const injected = injectPutFaults(flaky, (call, i) =>
      call % 4 === 3 ? 'call' : (call + i) % 3 === 0 ? 'throttle' : 'ok',
    );
    const agent = t.agent(flaky);
    for (let i = 0; i < 20 && !(agent.flows[0].idle && agent.stats().flows[0].recordsSent === 300); i++) {
      await t.step(agent);
    }
    flaky.destroy();
    expect(injected.entries).toBeGreaterThan(50);
    expect(injected.calls).toBeGreaterThan(0);
    const stats = agent.stats().flows[0];
    expect(stats).toMatchObject({ recordsSent: 300, unsentRecords: 0 });
    expect(stats.retried).toBeGreaterThanOrEqual(injected.entries);
    sameLines(await t.received(), log.map(asJson));
    agent.close();
  });

  it('backs off when throttling outlasts the retries of a request, keeps the records and reports it', async () => {
    const t = await setup({ retryInitialBackoffMillis: 2000, retryMaxBackoffMillis: 8000 });
    const log = lines(0, 10);
    writeFileSync(t.file(), asFile(log));
    const flaky = emulatorClient(k.endpoint);
    failNext(flaky, 'PutRecordsCommand', 'ProvisionedThroughputExceededException', 16); // two sends of 8 attempts
    const agent = t.agent(flaky);
    await t.step(agent); // fails after 8 attempts; the next send waits retryMaxBackoffMillis (8 s)
    await t.step(agent); // not yet
    expect(agent.stats().flows[0]).toMatchObject({ recordsSent: 0, unsentRecords: 10 });
    expect(agent.stats().flows[0].lastError).toMatch(/ProvisionedThroughputExceededException/);
    expect(agent.statusLines()[0]).toMatch(
      /backlog 10 records .* last error: .*ProvisionedThroughputExceeded/,
    );
    await t.step(agent, 20); // fails once more at 9 s, sends at 17 s
    expect(agent.stats().flows[0]).toMatchObject({ recordsSent: 10, unsentRecords: 0, failedSends: 2 });
    sameLines(await t.received(), log.map(asJson));
    flaky.destroy();
    agent.close();
  });

  it('keeps the lines while the stream does not exist, and sends them once it does', async () => {
    const t = await setup({ kinesisStream: 'not-yet' }, {});
    writeFileSync(t.file(), asFile(lines(0, 3)));
    const agent = t.agent();
    await t.step(agent);
    expect(agent.stats().flows[0].lastError).toMatch(/ResourceNotFoundException/);
    await k.createStream('not-yet', 1);
    await t.step(agent, 12);
    expect((await k.readAll('not-yet')).length).toBe(3);
    agent.close();
  });

  it('skips malformed lines and counts them by default, as the Kinesis Agent does', async () => {
    const t = await setup();
    const log = generateAccessLog({ count: 20, start: START, malformedEvery: 5 });
    writeFileSync(t.file(), asFile(log));
    const agent = t.agent();
    await t.step(agent);
    const good = log.filter((l) => parseApacheLog(l, 'COMBINEDAPACHELOG').ok);
    sameLines(await t.received(), good.map(asJson));
    expect(agent.stats().flows[0]).toMatchObject({ malformedSkipped: 4, recordsSent: 16 });
    expect(agent.statusLines()[0]).toMatch(/4 malformed skipped/);
    // Skipped lines are behind the checkpoint too: a restart does not revisit them.
    expect(t.checkpoint().flows[t.config.flows[0].id].sources[0].offset).toBe(asFile(log).length);
    agent.close();
  });

  it('sends malformed lines raw with malformedLines SEND_RAW, and counts them', async () => {
    const t = await setup({ dataProcessingOptions: [{ ...LOGTOJSON, malformedLines: 'SEND_RAW' }] });
    const log = generateAccessLog({ count: 10, start: START, malformedEvery: 5 });
    writeFileSync(t.file(), asFile(log));
    const agent = t.agent();
    await t.step(agent);
    sameLines(
      await t.received(),
      log.map((l) => (parseApacheLog(l, 'COMBINEDAPACHELOG').ok ? asJson(l) : `${l}\n`)),
    );
    expect(agent.stats().flows[0]).toMatchObject({ malformedSentRaw: 2, recordsSent: 10 });
    agent.close();
  });
});

describe('startLogAgent', () => {
  it('runs in the background; stop() sends what the files hold and saves the checkpoint', async () => {
    const t = await setup({ minTimeBetweenFilePollsMillis: 10 });
    const log = lines(0, 50);
    writeFileSync(t.file(), asFile(log));
    const logged: string[] = [];
    const handle = startLogAgent(t.raw, {
      kinesis: k.client,
      log: (line) => logged.push(line),
      retryPolicy: noWait,
    });
    const stats = await handle.stop();
    // The test keeps its checkpoints in a temporary directory, and is told so.
    expect(handle.warnings).toEqual([expect.stringMatching(/cleared at boot/)]);
    expect(stats.flows[0]).toMatchObject({ recordsSent: 50, unsentRecords: 0 });
    sameLines(await t.received(), log.map(asJson));
    expect(t.checkpoint().flows[t.config.flows[0].id].sources[0].offset).toBe(asFile(log).length);
    expect(logged.at(-1)).toMatch(/50 records sent/);
  });

  it('refuses a configuration that cannot work before starting anything', () => {
    expect(() => startLogAgent({ flows: [{ filePattern: '/x' }] }, { kinesis: k.client })).toThrow(
      /"kinesisStream" or "deliveryStream" is required/,
    );
  });

  it('refuses a checkpoint file it cannot read rather than sending everything again', async () => {
    const t = await setup();
    mkdirSync(path.dirname(t.config.checkpointFile), { recursive: true });
    writeFileSync(t.config.checkpointFile, '{ not json');
    expect(() => startLogAgent(t.raw, { kinesis: k.client })).toThrow(/not valid JSON; move it away/);
  });
});
