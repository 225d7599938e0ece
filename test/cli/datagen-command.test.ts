import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeJson } from '#core/record-data';
import { parseSensorReading } from '#core/sensor';
import { startKinesalite, type Kinesalite } from '../support/kinesalite';
import { cleanEnv, run } from '../support/run-command';

let k: Kinesalite;
let local: string[];

beforeAll(async () => {
  k = await startKinesalite();
  await k.createStream('sensor-data', 2);
  await k.createStream('legacy-stream', 2);
  local = ['--endpoint-url', k.endpoint];
});
afterAll(() => k.stop());

/** One line, no stack trace. */
const oneLine = (stderr: string) => {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
};

describe('the datagen command', () => {
  it('puts --total sensor readings from the shipped template on sensor-data, with progress on stdout', async () => {
    const out = await run('datagen', [
      '--rate',
      '500',
      '--total',
      '1000',
      '--partition-key',
      'sensorId',
      ...local,
    ]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('datagen: 500 records/s to sensor-data, 1000 records');
    expect(lines.at(-1)).toMatch(/^sent 1000\/1000 \(\d+\.\d records\/s\), retried 0, failed 0$/);
    const records = await k.readAll('sensor-data');
    expect(records).toHaveLength(1000);
    for (const record of records) {
      const reading = parseSensorReading((decodeJson(record.Data!) as { value: unknown }).value);
      expect(reading.ok).toBe(true);
      expect(reading.ok && reading.value.sensorId).toBe(record.PartitionKey);
    }
  });

  it('runs like the Node producer from its environment variables, with spread partition keys', async () => {
    const out = await run(
      'datagen',
      ['--total', '20', '--inline', '{"n":{{random.number(100)}}}', ...local],
      cleanEnv({
        AWS_KINESIS_STREAM_NAME: 'legacy-stream',
        CRON_JOBS_TO_GENERATE: '2',
        MESSAGES_PER_CRON_JOB: '5',
      }),
    );
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe(
      'datagen: 2 jobs × 5 messages every second (CRON_JOBS_TO_GENERATE, MESSAGES_PER_CRON_JOB) to legacy-stream, 20 records',
    );
    expect(out.stdout).toMatch(/sent 20\/20 \(.*\), retried 0, failed 0\n$/);
    const records = await k.readAll('legacy-stream');
    expect(records).toHaveLength(20);
    expect(new Set(records.map((r) => r.PartitionKey)).size).toBe(20);
    expect(new Set(records.map((r) => r.ShardId)).size).toBe(2);
  });

  it('prints records without sending them on --dry-run, reproducibly with --seed', async () => {
    const args = [
      '--dry-run',
      '--total',
      '2',
      '--seed',
      '5',
      '--inline',
      '{{name.firstName}} {{random.number(9)}}',
    ];
    const a = await run('datagen', args);
    const b = await run('datagen', args);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^\S+ \d\n\S+ \d\n$/);
    expect(b.stdout).toBe(a.stdout);
  });

  it('reports a broken template file with its line and column, in one line, exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'template-'));
    const file = path.join(dir, 'broken.tmpl');
    writeFileSync(file, '{\n  "temp": {{random.numbr(5)}}\n}\n');
    const out = await run('datagen', ['--template', file, ...local]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toBe(
      `datagen: template ${file}: line 2, column 13: unknown helper "random.numbr" (see datagen --help)`,
    );
    oneLine(out.stderr);
  });

  it.each([
    [['--rate', 'fast'], {}, /^datagen: --rate must be a positive number up to 100000, got "fast"/],
    [['--total', '0'], {}, /^datagen: --total must be a positive whole number, got "0"/],
    [['--template', 'missing.tmpl'], {}, /^datagen: cannot read template missing.tmpl: ENOENT/],
    [
      ['--template', 'a', '--inline', 'b'],
      {},
      /^datagen: Arguments template and inline are mutually exclusive/,
    ],
    [
      ['--partition-key', 'nope'],
      {},
      /^datagen: --partition-key nope: the record has no "nope" string or number field/,
    ],
    [
      [],
      { CRON_JOBS_TO_GENERATE: 'many' },
      /^datagen: CRON_JOBS_TO_GENERATE must be a whole number from 1 to 1000, got "many"/,
    ],
  ])('rejects %p %p with one line and exit 2', async (args, env, message) => {
    const out = await run('datagen', [...args, ...local], cleanEnv(env));
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toMatch(message);
    oneLine(out.stderr);
  });

  it('reports a missing stream in one line', async () => {
    const out = await run('datagen', ['--stream', 'no-such-stream', ...local]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      `datagen: Stream "no-such-stream" does not exist at ${k.endpoint}. Create it or pass --stream.`,
    );
  });

  it('--help prints usage with the template syntax and the environment variables', async () => {
    const out = await run('datagen', ['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/--template/);
    expect(out.stdout).toMatch(/CRON_JOBS_TO_GENERATE/);
  });
});
