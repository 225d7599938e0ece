import { decodeJson } from '#core/record-data';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { cleanEnv, run, start } from '../support/run-command';

let k: Kinesalite;
let local: string[];

beforeAll(async () => {
  k = await startKinesalite();
  await k.createStream('wildrydes', 2);
  await k.createStream('wildrydes-summary', 1);
  local = ['--endpoint-url', k.endpoint];
});
afterAll(() => k.stop());

const names = async (stream: string) =>
  (await k.readAll(stream)).map((r) => (decodeJson(r.Data!) as { value: { Name: string } }).value.Name);

/** One line, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('the producer and consumer commands', () => {
  it('producer -name Bucephalus: one dot per record, a summary, records keyed by the name', async () => {
    const out = await run('producer', ['-name', 'Bucephalus', '--count', '3', '--rate', '20', ...local]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe('...\n');
    expect(out.stderr).toMatch(/^sent 3, retried 0, failed 0 to wildrydes in /);
    expect((await names('wildrydes')).filter((n) => n === 'Bucephalus')).toHaveLength(3);
  });

  it('producer defaults to Shadowfax on wildrydes', async () => {
    expect((await run('producer', ['--count', '1', ...local])).code).toBe(0);
    expect(await names('wildrydes')).toContain('Shadowfax');
  });

  it('GNU spellings work too, and consumer -stream wildrydes-summary tails that stream', async () => {
    const put = await run('producer', [
      '--name',
      'Epona',
      '--stream',
      'wildrydes-summary',
      '--count',
      '2',
      '--rate',
      '50',
      ...local,
    ]);
    expect(put.code).toBe(0);
    const read = await run('consumer', [
      '-stream',
      'wildrydes-summary',
      '--from',
      'trim-horizon',
      '--max-records',
      '2',
      ...local,
    ]);
    expect(read.code).toBe(0);
    const printed = read.stdout.split(/\n(?=\{)/).map((chunk) => JSON.parse(chunk));
    expect(printed.map((p) => p.Name)).toEqual(['Epona', 'Epona']);
    expect(read.stdout).toContain('\n  "Name": "Epona",\n');
  });

  it('honours AWS_ENDPOINT_URL_KINESIS as the SDK does', async () => {
    const read = await run(
      'consumer',
      ['--stream', 'wildrydes', '--from', 'trim-horizon', '--max-records', '1', '--ndjson'],
      cleanEnv({ AWS_ENDPOINT_URL_KINESIS: k.endpoint }),
    );
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toHaveProperty('Name');
  });

  it('Ctrl-C stops the producer, sends what is pending and prints a one-line summary', async () => {
    const before = (await names('wildrydes')).filter((n) => n === 'Interrupted').length;
    const producer = start('producer', ['-name', 'Interrupted', '--rate', '10', ...local]);
    await producer.waitFor((out) => out.length >= 3);
    producer.child.kill('SIGINT');
    const out = await producer.finished;
    expect(out.code).toBe(0);
    const sent = Number(/sent (\d+), retried 0, failed 0/.exec(out.stderr)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(3);
    expect((await names('wildrydes')).filter((n) => n === 'Interrupted').length - before).toBe(sent);
  });

  it('Ctrl-C stops the consumer cleanly', async () => {
    const consumer = start('consumer', ['--from', 'trim-horizon', ...local]);
    await consumer.waitFor((out) => out.includes('"Name"'));
    consumer.child.kill('SIGINT');
    expect((await consumer.finished).code).toBe(0);
  });

  it.each([
    [
      ['producer', '--fleet', '0'],
      /^producer: --fleet must be a positive whole number up to 100000, got "0" \(see producer --help\)$/,
    ],
    [['producer', '--rate', 'fast'], /^producer: --rate must be a positive number up to 1000, got "fast"/],
    [['producer', '--bogus'], /^producer: Unknown argument: bogus/],
    [['producer', '-name'], /^producer: Not enough arguments following: name/],
    [['producer', '-error', 'maybe'], /^producer: --error takes yes or no, got "maybe"/],
    [['consumer', '--from', 'yesterday'], /^consumer: --from must be latest, trim-horizon or an ISO time/],
    [['consumer', '--max-records', '-3'], /^consumer: --max-records must be a positive whole number/],
  ])('rejects bad flags %p with one line and exit 2', async ([bin, ...args], message) => {
    const out = await run(bin, args);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toMatch(message);
    oneLine(out.stderr);
  });

  it.each([['producer'], ['consumer']])('%s --help prints usage and exits 0', async (bin) => {
    const out = await run(bin, ['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/--stream/);
  });

  it.each([['producer'], ['consumer']])('%s reports an unreachable endpoint in one line', async (bin) => {
    const out = await run(bin, ['--endpoint-url', 'http://127.0.0.1:9']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      new RegExp(`^${bin}: Cannot reach Kinesis at http://127.0.0.1:9: ECONNREFUSED`),
    );
    oneLine(out.stderr);
  });

  it('reports a missing stream in one line', async () => {
    const out = await run('producer', ['-stream', 'no-such-stream', ...local]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      `producer: Stream "no-such-stream" does not exist at ${k.endpoint}. Create it or pass --stream.`,
    );
  });

  it('reports missing credentials and a missing region in one line each, without touching the network', async () => {
    const noCredentials = await run('producer', ['--count', '1'], cleanEnv({ AWS_REGION: 'us-east-1' }));
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toMatch(/^producer: No AWS credentials found/);
    oneLine(noCredentials.stderr);

    const noRegion = await run(
      'consumer',
      [],
      cleanEnv({ AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' }),
    );
    expect(noRegion.code).toBe(1);
    expect(noRegion.stderr.trim()).toBe(
      'consumer: No AWS region configured: set AWS_REGION or pass --region.',
    );
  });
});
