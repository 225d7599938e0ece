import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { decodeJson } from '#core/record-data';
import { helperExamples } from '../../commands/datagen';
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

  it('rejects bad simulation, schedule and destination options, each in one line with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--from', '2026-01-01'], /^datagen: --from and --to go together/],
      [
        ['--rate', '5', '--periodic', 'p.json'],
        /^datagen: Arguments rate and periodic are mutually exclusive/,
      ],
      [['--periodic', 'missing.yaml'], /^datagen: cannot read schedule missing.yaml: ENOENT/],
      [
        ['--firehose', 'logs', '--partition-key', 'sensorId'],
        /^datagen: --partition-key applies to Kinesis streams; Firehose records have no key/,
      ],
    ];
    const outs = await Promise.all(cases.map(([args]) => run('datagen', [...args, ...local], cleanEnv())));
    outs.forEach((out, i) => {
      expect(out.code).toBe(2);
      expect(out.stderr.trim()).toMatch(cases[i][1]);
      oneLine(out.stderr);
    });
  });

  it('reports a missing stream in one line', async () => {
    const out = await run('datagen', ['--stream', 'no-such-stream', ...local]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      `datagen: Stream "no-such-stream" does not exist at ${k.endpoint}. Create it or pass --stream.`,
    );
  });

  it('--help prints usage with the template syntax, the helpers and the environment variables', async () => {
    const out = await run('datagen', ['--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/--template/);
    expect(out.stdout).toMatch(/--firehose/);
    expect(out.stdout).toMatch(/--periodic/);
    expect(out.stdout).toMatch(/CRON_JOBS_TO_GENERATE/);
    expect(out.stdout).toMatch(/^internet\.avatar email .*/m);
    expect(out.stdout).toMatch(/^internet\.(\w+ )*ip\b/m);
    expect(out.stdout).toMatch(/^phone\.phoneNumber phoneNumberFormat phoneFormats$/m);
    expect(out.stdout).toMatch(/^helpers\.randomize\b/m);
    expect(out.stdout).toMatch(/^date\.now utc simTime/m);
  });

  it('datagen helpers prints every helper with an example, the same for the same seed', async () => {
    const a = await run('datagen', ['helpers', '--seed', '7', '--now', '2026-03-01T12:34:56Z']);
    expect(a.code).toBe(0);
    // The same seed renders the same examples, here or there.
    expect(a.stdout).toBe(`${helperExamples(7, Date.UTC(2026, 2, 1, 12, 34, 56)).join('\n')}\n`);
    const lines = a.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(140);
    expect(lines.find((l) => l.startsWith('{{date.utc("YYYY-MM-DD HH:mm:ss")}}'))).toMatch(
      /\s2026-03-01 12:34:56$/,
    );
    expect(lines.find((l) => l.startsWith('{{internet.ip}}'))).toMatch(/\s\d+\.\d+\.\d+\.\d+$/);
    expect(lines.find((l) => l.startsWith('{{phone.phoneNumber('))).toMatch(/\s\(\d{3}\) \d{3}-\d{4}$/);
  });
});

describe('the generator help page templates on datagen --dry-run', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kdg-'));
  const sensor = path.join(dir, 'sensor.tmpl');
  writeFileSync(
    sensor,
    '{\n    "sensorId": {{random.number(50)}},\n    "currentTemperature": {{random.number(\n        {\n            "min":10,\n            "max":150\n        }\n    )}},\n    "status": "{{random.arrayElement(\n        ["OK","FAIL","WARN"]\n    )}}"\n}\n',
  );

  it('renders the person CSV with IPv4 addresses and the sensor JSON on one line each', async () => {
    const [csv, json] = await Promise.all([
      run('datagen', [
        '--dry-run',
        '--total',
        '200',
        '--inline',
        '{{name.firstName}},{{name.lastName}},{{random.number(70)}},{{internet.ip}}',
      ]),
      run('datagen', ['--dry-run', '--total', '20', '--template', sensor]),
    ]);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trim().split('\n');
    expect(rows).toHaveLength(200);
    for (const row of rows) expect(row).toMatch(/^[^,]+,[^,]+,\d{1,2},(\d{1,3}\.){3}\d{1,3}$/);
    expect(json.code).toBe(0);
    const records = json.stdout.trim().split('\n');
    expect(records).toHaveLength(20);
    for (const record of records) {
      expect(Object.keys(JSON.parse(record))).toEqual(['sensorId', 'currentTemperature', 'status']);
    }
  });

  it('renders date.now in this machine zone with moment formats, and keeps newlines when asked', async () => {
    const out = await run(
      'datagen',
      [
        '--dry-run',
        '--total',
        '1',
        '--now',
        '2009-07-15T03:12:22Z',
        '--keep-newlines',
        '--inline',
        '{{date.now}}\n{{date.now("dddd, MMMM Do YYYY, h:mm:ss a")}}\n{{date.now("ddd, hA")}}\n{{date.now("DD/MMM/YYYY:HH:mm:ss Z")}}\n{{date.utc}}\n',
      ],
      cleanEnv({ TZ: 'America/Denver' }),
    );
    expect(out.stdout).toBe(
      [
        '2009-07-14T21:12:22-06:00',
        'Tuesday, July 14th 2009, 9:12:22 pm',
        'Tue, 9PM',
        '14/Jul/2009:21:12:22 -06:00',
        '2009-07-15T03:12:22Z',
        '',
      ].join('\n'),
    );
  });

  it('renders date.simTime for every simulated second of --from/--to, the rate in each', async () => {
    const out = await run(
      'datagen',
      [
        '--dry-run',
        '--rate',
        '3',
        '--from',
        '2019-01-01T00:00:00',
        '--to',
        '2019-01-01T00:00:04',
        '--inline',
        '{"at":"{{date.simTime}}","n":{{random.number(9)}}}',
      ],
      cleanEnv({ TZ: 'Asia/Kolkata' }),
    );
    expect(out.code).toBe(0);
    const times = out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).at);
    expect(times).toEqual([0, 1, 2, 3, 4].flatMap((s) => Array(3).fill(`2019-01-01T00:00:0${s}+05:30`)));
  });
});

describe('datagen --from/--to against kinesalite', () => {
  it('puts every simulated second of the range on the stream, the periodic count in each', async () => {
    await k.createStream('history', 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'periodic-'));
    const schedule = path.join(dir, 'schedule.yaml');
    writeFileSync(
      schedule,
      'smoothing: false\ndefault: {mu: 3, sigma: 0}\nhours:\n  "10": {mu: 5, sigma: 0}\n',
    );
    const out = await run(
      'datagen',
      [
        '--stream',
        'history',
        '--periodic',
        schedule,
        '--from',
        '2026-02-01T09:59:00Z',
        '--to',
        '2026-02-01T10:00:59Z',
        '--inline',
        '{"at":{{date.simTime("x")}}}',
        ...local,
      ],
      cleanEnv({ TZ: 'UTC' }),
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe(
      `datagen: periodic rate (${schedule}) to history, simulating 2026-02-01T09:59:00.000Z to 2026-02-01T10:00:59.000Z`,
    );
    expect(out.stdout).toMatch(
      /sent 480 \(.*\), retried 0, failed 0, simulated up to 2026-02-01T10:00:59Z\n$/,
    );
    const records = await k.readAll('history');
    const perSecond = new Map<number, number>();
    for (const r of records) {
      const at = (decodeJson(r.Data!) as { value: { at: number } }).value.at;
      perSecond.set(at, (perSecond.get(at) ?? 0) + 1);
    }
    const start = Date.UTC(2026, 1, 1, 9, 59);
    expect([...perSecond.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 120 }, (_, i) => start + i * 1000),
    );
    for (const [at, n] of perSecond) expect(n).toBe(at < Date.UTC(2026, 1, 1, 10) ? 3 : 5);
  });

  it('reports a broken schedule in one line with the file, field and value', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'periodic-'));
    const schedule = path.join(dir, 'bad.json');
    writeFileSync(schedule, '{"days": {"mon-fri": {"9-17": {"mu": "lots", "sigma": 1}}}}');
    const out = await run('datagen', ['--periodic', schedule, ...local]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toBe(
      `datagen: --periodic ${schedule}: days.mon-fri.9-17.mu: Invalid input: expected number, received string, got "lots" (see datagen --help)`,
    );
    oneLine(out.stderr);
  });
});
