import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateAccessLog } from '#core/apache-log';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { cleanEnv, ROOT, run, start } from '../support/run-command';
import { startAwsTestServer, type AwsTestServer } from './aws-test-server';
import { ACCESS_LOG_RECORDS, ACCESS_LOG_WITH_NOTICE } from '../support/access-log';
import { BATCH_LOG, BATCH_LOG_RECORDS } from '../support/batch-log';

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

describe("the Kinesis Agent's documented configurations, as a new user runs them", () => {
  const FIXTURES = path.join(__dirname, 'fixtures');
  let kinesis: Kinesalite;
  let aws: AwsTestServer;
  beforeAll(async () => {
    [kinesis, aws] = await Promise.all([startKinesalite(), startAwsTestServer()]);
  });
  afterAll(() => Promise.all([kinesis.stop(), aws.stop()]));

  /**
   * The fixture as written, its log and state directories moved to a new temporary directory
   * and its AWS endpoints to the local ones (comments and every other key kept as they are).
   */
  function localCopy(fixture: string, endpoints: Record<string, string> = {}) {
    const root = mkdtempSync(path.join(dir, `${fixture.replace('.json', '')}-`));
    let text = readFileSync(path.join(FIXTURES, fixture), 'utf8')
      .replaceAll('/var/log/app/', `${root}/logs/`)
      .replaceAll('/var/lib/aws-kinesis-agent/', `${root}/state/`);
    for (const [from, to] of Object.entries(endpoints)) text = text.replaceAll(from, to);
    mkdirSync(path.join(root, 'logs'));
    const file = path.join(root, fixture);
    writeFileSync(file, text);
    return { file, log: (name: string) => path.join(root, 'logs', name) };
  }
  const localEnv = () =>
    cleanEnv({
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      AWS_ENDPOINT_URL_FIREHOSE: aws.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
    });
  const kinesisRecords = async (stream: string) =>
    (await kinesis.readAll(stream)).map((r) => Buffer.from(r.Data!).toString());

  it('--check passes each of them and says what it would do', async () => {
    const check = (fixture: string) =>
      run('log-agent', ['--config', path.join(FIXTURES, fixture), '--check']);
    const [sample, example, comments, csv] = await Promise.all(
      ['sample.json', 'example-credentials.json', 'comments-and-logging.json', 'csv-multiline.json'].map(
        check,
      ),
    );
    for (const out of [sample, example, comments, csv]) {
      expect(out.code).toBe(0);
      expect(out.stderr).not.toMatch(/unknown key|must be|is required/);
    }
    expect(sample.stdout).toContain(
      '/var/log/app/app.log* -> app-events (lines as they are; END_OF_FILE, RANDOM keys)\n',
    );
    expect(sample.stdout).toContain(
      '/var/log/app/app.log* -> Firehose delivery stream app-archive (lines as they are; END_OF_FILE)\n',
    );
    expect(example.stdout).toContain(
      '/var/log/app/orders.tsv* -> orders (CSVTOJSON; END_OF_FILE, RANDOM keys)\n',
    );
    expect(example.stdout).toContain('credentials: awsAccessKeyId AKIAIOSFODNN7EXAMPLE\n');
    expect(example.stdout).toContain(
      'metrics: CloudWatch namespace AWSKinesisAgent at https://monitoring.us-west-2.amazonaws.com, every 30 s\n',
    );
    expect(example.stdout).toContain('Kinesis: https://kinesis.us-west-2.amazonaws.com\n');
    expect(example.stderr).toMatch(
      /^log-agent: note: userDefinedCredentialsProvider\.classname, userDefinedCredentialsProvider\.location have no effect here: a Java class cannot be loaded here/m,
    );
    expect(comments.stderr).toBe(
      'log-agent: note: log.level, log.file, log.maxBackupIndex, log.maxFileSize have no effect here: log-agent writes its log to stderr, for the shell or the service manager (journald) to keep\n',
    );
    expect(comments.stdout).toContain('metrics: off (cloudwatch.emitMetrics)\n');
    expect(csv.stdout).toContain(
      '/var/log/app/batch.log* -> Firehose delivery stream batch-records (SINGLELINE, CSVTOJSON; records start at /\\[SEQUENCE=/; 1 header line skipped; START_OF_FILE)\n',
    );
  });

  it('ships the sample: the same lines to a Kinesis stream and a Firehose delivery stream, with metrics', async () => {
    await kinesis.createStream('app-events', 1);
    aws.createDeliveryStream('app-archive');
    const copy = localCopy('sample.json');
    writeFileSync(copy.log('app.log'), 'written before the agent started: not sent (END_OF_FILE)\n');
    // One home for both runs: the checkpoints are kept there by default.
    const env = localEnv();
    const first = await run('log-agent', ['--config', copy.file, '--once'], env);
    expect(first.code).toBe(0);
    const lines = [
      '09:17:00 rider Bucephalus picked up',
      '09:17:05 rider Shadowfax dropped off',
      '09:17:09 fare 12.50',
    ];
    appendFileSync(copy.log('app.log'), lines.map((l) => `${l}\n`).join(''));
    const second = await run('log-agent', ['--config', copy.file, '--once'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/app-archive <- .*app\.log\*: 3 records sent/);
    expect((await kinesisRecords('app-events')).sort()).toEqual(lines.map((l) => `${l}\n`).sort());
    expect(aws.records('app-archive')).toEqual(lines.map((l) => `${l}\n`));
    const destinations = aws
      .metrics()
      .filter((m) => m.Namespace === 'AWSKinesisAgent')
      .flatMap((m) => m.MetricData.map((d) => (d.Dimensions as { Value: string }[])[0].Value));
    expect(new Set(destinations)).toEqual(
      new Set(['KinesisStream:app-events', 'DeliveryStream:app-archive']),
    );
  });

  it('ships the example: CSVTOJSON and LOGTOJSON records, signed with its access keys', async () => {
    await Promise.all([kinesis.createStream('orders', 1), kinesis.createStream('weblogs', 1)]);
    const callsBefore = aws.calls.length;
    const copy = localCopy('example-credentials.json', {
      'https://kinesis.us-west-2.amazonaws.com': kinesis.endpoint,
      'https://monitoring.us-west-2.amazonaws.com': aws.endpoint,
    });
    writeFileSync(
      copy.log('access_log'),
      '64.242.88.10 - - [07/Mar/2004:16:10:02 -0800] "GET /mailman/listinfo/hsdivision HTTP/1.1" 200 6291\n',
    );
    writeFileSync(copy.log('orders.tsv'), 'written before the agent started\n');
    expect((await run('log-agent', ['--config', copy.file, '--once'], cleanEnv())).code).toBe(0);
    appendFileSync(copy.log('orders.tsv'), 'o-1001\tc-17\t12.50\no-1002\tc-42\t8.00\n');
    const out = await run('log-agent', ['--config', copy.file, '--once'], cleanEnv());
    expect(out.code).toBe(0);
    expect((await kinesisRecords('orders')).map((r) => JSON.parse(r))).toEqual([
      { order: 'o-1001', customer: 'c-17', total: '12.50' },
      { order: 'o-1002', customer: 'c-42', total: '8.00' },
    ]);
    // The documentation's example of LOGTOJSON with COMMONAPACHELOG, record for record.
    expect(await kinesisRecords('weblogs')).toEqual([
      '{"host":"64.242.88.10","ident":null,"authuser":null,"datetime":"07/Mar/2004:16:10:02 -0800","request":"GET /mailman/listinfo/hsdivision HTTP/1.1","response":"200","bytes":"6291"}\n',
    ]);
    const signed = aws.calls
      .slice(callsBefore)
      .filter((c) => c.target.endsWith('PutMetricData'))
      .map((c) => c.authorization);
    expect(signed.length).toBeGreaterThan(0);
    expect(signed.every((a) => a.includes('Credential=AKIAIOSFODNN7EXAMPLE/'))).toBe(true);
  });

  it('ships the configuration with comments: COMBINEDAPACHELOG records to Firehose, with the documented fields', async () => {
    aws.createDeliveryStream('weblogs-archive');
    const copy = localCopy('comments-and-logging.json');
    writeFileSync(copy.log('access_log'), ACCESS_LOG_WITH_NOTICE);
    const out = await run('log-agent', ['--config', copy.file, '--once'], localEnv());
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/weblogs-archive <- .*access_log\*: 2 records sent .* 1 malformed skipped/);
    expect(aws.records('weblogs-archive').map((r) => JSON.parse(r))).toEqual(ACCESS_LOG_RECORDS);
  });

  it('ships multi-line CSV records: header skipped, lines joined by SINGLELINE, long records cut and marked', async () => {
    aws.createDeliveryStream('batch-records');
    const copy = localCopy('csv-multiline.json');
    writeFileSync(copy.log('batch.log'), BATCH_LOG);
    const out = await run('log-agent', ['--config', copy.file, '--once'], localEnv());
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/batch-records <- .*: 3 records sent .* 1 long lines cut/);
    expect(aws.records('batch-records').map((r) => JSON.parse(r))).toEqual(BATCH_LOG_RECORDS);
  });
});
