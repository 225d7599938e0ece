import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateAccessLog } from '#core/apache-log';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { ROOT, run, start } from '../support/run-command';

let k: Kinesalite;
const dir = mkdtempSync(path.join(tmpdir(), 'log-agent-command-'));

beforeAll(async () => {
  k = await startKinesalite();
  await k.createStream('weblogs', 1);
});
afterAll(() => k.stop());

function configFile(name: string, config: object): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** One line, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('the log-agent command', () => {
  it('--check reads the example configuration and says what it would do', async () => {
    const out = await run('log-agent', ['--config', path.join(ROOT, 'examples', 'agent.json'), '--check']);
    // A checkout under /tmp puts the example's checkpoints there too, which is rightly warned about.
    const volatile = /^\/(tmp|run|dev\/shm)\//.test(ROOT);
    expect(out.stderr).toMatch(
      volatile ? /^log-agent: warning: checkpointFile .* is in a directory cleared at boot/ : /^$/,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      '../.local/weblogs/access_log* -> weblogs (LOGTOJSON; START_OF_FILE, RANDOM keys)',
    );
    expect(out.stdout).toContain(`checkpoints: ${path.join(ROOT, '.local', 'weblogs', 'checkpoints.json')}`);
  });

  it('refuses a configuration with a mistake in one line, exit 2, naming the key', async () => {
    const file = configFile('typo.json', {
      flows: [
        {
          filePattern: '/var/log/httpd/access_log*',
          kinesisStream: 'weblogs',
          intialPosition: 'START_OF_FILE',
        },
      ],
    });
    const out = await run('log-agent', ['-config', file]);
    expect(out.code).toBe(2);
    oneLine(out.stderr);
    expect(out.stderr).toBe(
      `log-agent: ${file}: flows[0]: unknown key "intialPosition" (did you mean "initialPosition"?)\n`,
    );
  });

  it('says so when the configuration file is missing', async () => {
    const out = await run('log-agent', ['--config', path.join(dir, 'nowhere.json')]);
    expect(out.code).toBe(2);
    oneLine(out.stderr);
    expect(out.stderr).toMatch(/no configuration file at .*nowhere\.json/);
  });

  it('--once ships what the files hold and exits; a second run sends only what is new', async () => {
    const logDir = mkdtempSync(path.join(dir, 'httpd-'));
    const log = generateAccessLog({ count: 12, start: Date.UTC(2017, 5, 5), malformedEvery: 4 });
    writeFileSync(
      path.join(logDir, 'access_log'),
      log
        .slice(0, 8)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const file = configFile('once.json', {
      checkpointFile: path.join(logDir, 'checkpoints.json'),
      'kinesis.endpoint': k.endpoint,
      'cloudwatch.emitMetrics': true,
      flows: [
        {
          filePattern: path.join(logDir, 'access_log*'),
          kinesisStream: 'weblogs',
          initialPosition: 'START_OF_FILE',
          dataProcessingOptions: [{ optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' }],
        },
      ],
    });
    const first = await run('log-agent', ['--config', file, '--once']);
    // cloudwatch.emitMetrics is applied: the metrics go where the flow goes, which is no CloudWatch.
    expect(first.stderr).toMatch(
      /CloudWatch metrics not sent \(shipping goes on\): http:\/\/127\.0\.0\.1:\d+ does not answer CloudWatch's PutMetricData/,
    );
    expect(first.stderr).toMatch(/weblogs <- .*access_log\*: 6 records sent .* 2 malformed skipped/);
    expect(first.code).toBe(0);
    expect(await k.readAll('weblogs')).toHaveLength(6);

    appendFileSync(
      path.join(logDir, 'access_log'),
      log
        .slice(8)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const second = await run('log-agent', ['--config', file, '--once']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming .*access_log at byte \d+/);
    const records = (await k.readAll('weblogs')).map((r) => JSON.parse(Buffer.from(r.Data!).toString()));
    expect(records).toHaveLength(9);
    expect(new Set(records.map((r) => JSON.stringify(r))).size).toBe(9);
    const saved = JSON.parse(readFileSync(path.join(logDir, 'checkpoints.json'), 'utf8'));
    expect(Object.keys(saved.flows)).toEqual([`kinesis:weblogs:${path.join(logDir, 'access_log*')}`]);
  });

  it('keeps shipping new lines until Ctrl-C, then sends what it read and exits 0', async () => {
    await k.createStream('live', 1);
    const logDir = mkdtempSync(path.join(dir, 'live-'));
    const log = generateAccessLog({ count: 10, start: Date.UTC(2017, 5, 5), seed: 9 });
    const file = configFile('live.json', {
      checkpointFile: path.join(logDir, 'checkpoints.json'),
      'kinesis.endpoint': k.endpoint,
      flows: [
        {
          filePattern: path.join(logDir, 'access_log'),
          kinesisStream: 'live',
          maxBufferAgeMillis: 1000,
          minTimeBetweenFilePollsMillis: 20,
        },
      ],
    });
    writeFileSync(path.join(logDir, 'access_log'), 'written before the start: not sent (END_OF_FILE)\n');
    const agent = start('log-agent', ['--config', file]);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      agent.child.stderr!.on('data', (d) => (stderr += d) && /1 file matching/.test(stderr) && resolve());
      agent.child.once('close', () => reject(new Error(`exited first: ${stderr}`)));
    });
    // Lines appear while it runs; wait (up to 20 s) until the stream has the first five.
    appendFileSync(
      path.join(logDir, 'access_log'),
      log
        .slice(0, 5)
        .map((l) => `${l}\n`)
        .join(''),
    );
    for (let i = 0; i < 200 && (await k.readAll('live')).length < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    appendFileSync(
      path.join(logDir, 'access_log'),
      log
        .slice(5)
        .map((l) => `${l}\n`)
        .join(''),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    agent.child.kill('SIGINT');
    const out = await agent.finished;
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/live <- .*access_log: 10 records sent .* in 1 file\n/);
    const records = (await k.readAll('live')).map((r) => Buffer.from(r.Data!).toString());
    expect(records.sort()).toEqual(log.map((l) => `${l}\n`).sort());
  });

  it('names a stream that does not exist, in one line, before reading anything', async () => {
    const file = configFile('nostream.json', {
      checkpointFile: path.join(dir, 'nostream-checkpoints.json'),
      flows: [{ filePattern: path.join(dir, 'nothing*'), kinesisStream: 'nope' }],
    });
    const out = await run('log-agent', ['--config', file, '--endpoint-url', k.endpoint]);
    expect(out.code).toBe(1);
    const error = out.stderr.replace(/^log-agent: warning: checkpointFile .* cleared at boot.*\n/m, '');
    oneLine(error);
    expect(error).toMatch(
      /^log-agent: Stream "nope" does not exist at http:\/\/127\.0\.0\.1:\d+: create it, or change kinesisStream in .*nostream\.json\n$/,
    );
  });
});
