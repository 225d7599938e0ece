/**
 * `npm start` as a person runs it: a real process that brings the pipeline up from a cloud
 * assembly, writes the endpoints file the CLIs pick up by themselves, prints summaries through
 * `consumer -stream wildrydes-summary`, and stops cleanly on Ctrl-C.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isFleetName } from '#core/movement';
import { synthesizeAssembly } from '../support/assembly';
import { cleanEnv, run, start } from '../support/run-command';

let assembly: ReturnType<typeof synthesizeAssembly>;
const work = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
const endpointsFile = path.join(work, 'endpoints.json');
const running: ReturnType<typeof start>[] = [];

beforeAll(() => {
  assembly = synthesizeAssembly();
});
afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  assembly.remove();
});

const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

it('rejects bad options with one line and exit 2', async () => {
  const out = await run('local', ['--unicorns', 'two']);
  expect(out.code).toBe(2);
  expect(out.stderr.trim()).toMatch(
    /^local: --unicorns must be a positive whole number up to 10000, got "two"/,
  );
  oneLine(out.stderr);
});

it("rejects a buffering interval beyond Firehose's 900 s with one line and exit 2", async () => {
  const out = await run('local', ['--buffer-seconds', '901']);
  expect(out.code).toBe(2);
  expect(out.stderr.trim()).toMatch(
    /^local: --buffer-seconds must be a positive number up to 900, got "901"/,
  );
  oneLine(out.stderr);
});

it('explains a missing cloud assembly in one line', async () => {
  const out = await run('local', [
    '--assembly',
    path.join(work, 'nothing'),
    '--data-dir',
    path.join(work, 'x'),
    '--port-base',
    '0',
  ]);
  expect(out.code).toBe(1);
  expect(out.stderr.trim()).toBe(
    `local: No cloud assembly at ${path.join(work, 'nothing')} (no manifest.json): synthesize first`,
  );
});

it('runs the pipeline; the consumer finds it by itself and shows summaries; Ctrl-C stops everything', async () => {
  const env = cleanEnv({ WILDRYDES_ENDPOINTS_FILE: endpointsFile });
  const pipeline = start(
    'local',
    [
      '--assembly',
      assembly.dir,
      '--data-dir',
      path.join(work, 'data'),
      '--port-base',
      '0',
      '--unicorns',
      '2',
      '--window-seconds',
      '2',
    ],
    env,
  );
  running.push(pipeline);
  await pipeline.waitFor((out) => out.includes('Local Wild Rydes pipeline is running'));
  expect(pipeline.stdout()).toMatch(/Dashboard http:\/\/127\.0\.0\.1:\d+\//);
  // The banner's example producer is a unicorn of one's own, not one the fleet flies.
  const suggested = /npx producer -name (\S+)/.exec(pipeline.stdout())?.[1];
  expect(suggested).toBeDefined();
  expect(isFleetName(suggested!)).toBe(false);
  const endpoints = JSON.parse(readFileSync(endpointsFile, 'utf8'));
  expect(endpoints).toMatchObject({
    pid: pipeline.child.pid,
    kinesis: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    dashboard: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
    stacks: { WildRydes: { StreamName: 'wildrydes', SummaryStreamName: 'wildrydes-summary' } },
  });

  // No endpoint, region or credentials given: the consumer uses the running pipeline.
  const read = await run(
    'consumer',
    ['-stream', 'wildrydes-summary', '--from', 'trim-horizon', '--max-records', '2', '--ndjson'],
    env,
  );
  expect(read.stderr).toBe('');
  expect(read.code).toBe(0);
  const summaries = read.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  expect(summaries.map((s) => s.Name).sort()).toEqual(['Bucephalus', 'Shadowfax']);
  for (const s of summaries) {
    expect(s).toMatchObject({
      Records: expect.any(Number),
      Distance: expect.any(Number),
      MinMagicPoints: expect.any(Number),
    });
    expect(s.StatusTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000$/);
  }

  pipeline.child.kill('SIGINT');
  const done = await pipeline.finished;
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(
    /Stopping: sending what is pending, saving positions…\n.*records in \d+.*\nStopped\.\n$/,
  );
  // Everything the stream received: at least the records the two summaries read above cover.
  const recordsIn = Number(/records in (\d+)/.exec(done.stdout.split('Stopping:')[1])?.[1]);
  expect(recordsIn).toBeGreaterThanOrEqual(summaries.reduce((n, s) => n + (s.Records as number), 0));
  expect(existsSync(endpointsFile)).toBe(false);
});

it('ignores an endpoints file left behind by a pipeline that no longer runs', async () => {
  const stale = path.join(work, 'stale.json');
  writeFileSync(
    stale,
    JSON.stringify({ pid: 2 ** 22 + 1, region: 'us-east-1', kinesis: 'http://127.0.0.1:9', stacks: {} }),
  );
  const out = await run('consumer', [], cleanEnv({ WILDRYDES_ENDPOINTS_FILE: stale }));
  expect(out.code).toBe(1);
  expect(out.stderr.trim()).toBe('consumer: No AWS region configured: set AWS_REGION or pass --region.');
});
