import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { planWorkshop, readWorkshopFile } from '../../lib/workshop';
import { shellQuote } from '../../ops/cdk-cli';
import {
  bootstrapPlan,
  deployCommand,
  destroyCommand,
  destroyWorkshop,
  provisionWorkshop,
  selectAttendees,
  type ProvisionIO,
} from '../../ops/provision';
import { ROOT, runScript } from '../support/run-command';

const WORKSHOP = 'examples/workshop.json';
const attendees = planWorkshop(readWorkshopFile(path.join(ROOT, WORKSHOP)));
const OUTPUTS = readFileSync(path.join(__dirname, 'fixtures', 'outputs.json'), 'utf8');

describe('cdk commands', () => {
  it('deploys every attendee’s Stage in parallel and collects the outputs in one file', () => {
    expect(
      deployCommand({ workshopFile: WORKSHOP, attendees, concurrency: 4, outputsFile: 'out/outputs.json' }),
    ).toEqual([
      'cdk',
      'deploy',
      '-c',
      'workshop=examples/workshop.json',
      '-c',
      'validate=true',
      '--require-approval',
      'never',
      '--concurrency',
      '4',
      '--outputs-file',
      'out/outputs.json',
      '--progress',
      'events',
      'alice/*',
      'bob/*',
      'carol/*',
    ]);
  });

  it('destroys the same stacks without asking', () => {
    expect(destroyCommand({ workshopFile: WORKSHOP, attendees: attendees.slice(1) })).toEqual([
      'cdk',
      'destroy',
      '-c',
      'workshop=examples/workshop.json',
      '--force',
      'bob/*',
      'carol/*',
    ]);
  });

  it('selects attendees by id, refusing an unknown one', () => {
    expect(selectAttendees(attendees, []).map((a) => a.id)).toEqual(['alice', 'bob', 'carol']);
    expect(selectAttendees(attendees, ['carol', 'alice']).map((a) => a.id)).toEqual(['alice', 'carol']);
    expect(() => selectAttendees(attendees, ['dave'])).toThrow(
      'No attendee "dave" in the workshop (attendees: alice, bob, carol)',
    );
  });

  it('quotes only what a shell would change', () => {
    expect(['cdk', 'alice/*', 'workshop=a b.json', "it's"].map(shellQuote)).toEqual([
      'cdk',
      "'alice/*'",
      "'workshop=a b.json'",
      `'it'\\''s'`,
    ]);
  });
});

describe('bootstrap plan', () => {
  it('trusts the facilitator in each attendee account, once per account with all its regions', () => {
    const plan = bootstrapPlan(
      planWorkshop({
        attendees: [
          { id: 'a', account: '111111111111', region: 'us-west-2' },
          { id: 'b', account: '111111111111', region: 'us-east-1' },
          { id: 'c', account: '111111111111', region: 'us-east-1' },
          { id: 'd' },
        ],
      }),
      { facilitatorAccount: '999999999999', defaultRegion: 'eu-west-1' },
    );
    expect(plan).toEqual([
      {
        account: '111111111111',
        regions: ['us-east-1', 'us-west-2'],
        attendees: ['a', 'b', 'c'],
        trusted: true,
        command:
          'npx cdk bootstrap aws://111111111111/us-east-1 aws://111111111111/us-west-2 --trust 999999999999 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess',
      },
      {
        account: '999999999999',
        regions: ['eu-west-1'],
        attendees: ['d'],
        trusted: false,
        command: 'npx cdk bootstrap aws://999999999999/eu-west-1',
      },
    ]);
  });

  it('needs a region for every attendee', () => {
    expect(() =>
      bootstrapPlan(planWorkshop({ attendees: [{ id: 'x' }] }), { facilitatorAccount: '999999999999' }),
    ).toThrow('Attendee "x" has no region and no default region is set (AWS_REGION or --region)');
  });
});

/** Fake CDK CLI and file system: records the calls, serves the outputs file it is given. */
function fakeIO(outputs: string | undefined, code = 0) {
  const calls: string[][] = [];
  const written = new Map<string, string>();
  let printed = '';
  const io: ProvisionIO = {
    cdk: async (args) => {
      calls.push([...args]);
      return code;
    },
    out: (text) => (printed += text),
    readFile: (file) => (file === 'out/outputs.json' ? outputs : undefined),
    writeFile: (file, text) => written.set(file, text),
  };
  return { io, calls, written, printed: () => printed };
}

const RUN = {
  workshopFile: WORKSHOP,
  title: 'Wild Rydes streaming workshop',
  attendees,
  concurrency: 3,
  outDir: 'out/',
  dryRun: false,
};

describe('provisionWorkshop', () => {
  it('deploys, then writes the Markdown and HTML report from the collected outputs', async () => {
    const fake = fakeIO(OUTPUTS);
    await expect(provisionWorkshop(RUN, fake.io)).resolves.toBe(0);
    expect(fake.calls).toEqual([deployCommand({ ...RUN, outputsFile: 'out/outputs.json' }).slice(1)]);
    expect([...fake.written.keys()]).toEqual(['out/report.md', 'out/report.html']);
    expect(fake.written.get('out/report.md')).toContain(
      'npx producer -name Shadowfax -stream bob-wildrydes -region us-east-1',
    );
    expect(fake.printed()).toBe(
      "npx cdk deploy -c workshop=examples/workshop.json -c validate=true --require-approval never --concurrency 3 --outputs-file out/outputs.json --progress events 'alice/*' 'bob/*' 'carol/*'\n" +
        '3 of 3 attendees ready. Report: out/report.md and out/report.html\n',
    );
  });

  it("verifies each attendee after deploying; the report shows each one's result", async () => {
    const fake = fakeIO(OUTPUTS);
    const asked: string[][] = [];
    const io: ProvisionIO = {
      ...fake.io,
      verify: async (planned, outputs) => {
        asked.push(planned.map((a) => `${a.id}:${outputs[a.stackName]?.StreamName}`));
        return {
          alice: { passed: true, lines: ['✓ telemetry stream    0.3 s  VerifyProbe-1 put on wildrydes'] },
          bob: {
            passed: false,
            lines: [
              '✗ summary stream     80.0 s  A summary of VerifyProbe-2 not seen within 80 s\n    look at: log group of Lambda function WildRydes-bob-SummaryAggregationFunction…',
            ],
          },
          carol: {
            passed: true,
            lines: ['✓ telemetry stream    0.2 s  VerifyProbe-3 put on carol-wildrydes'],
          },
        };
      },
    };
    await expect(provisionWorkshop(RUN, io)).resolves.toBe(1);
    expect(asked).toEqual([['alice:alice-wildrydes', 'bob:bob-wildrydes', 'carol:wildrydes']]);
    const markdown = fake.written.get('out/report.md')!;
    expect(markdown).toContain('2 of 3 attendees ready; not ready: bob.');
    expect(markdown).toContain('**Verification failed: see below.**');
    expect(markdown).toContain(
      'look at: log group of Lambda function WildRydes-bob-SummaryAggregationFunction…',
    );
    expect(fake.written.get('out/report.html')).toContain(
      '✓ telemetry stream    0.3 s  VerifyProbe-1 put on wildrydes',
    );
  });

  it('still reports after a partial failure, naming who is not ready, and fails', async () => {
    const partial = JSON.parse(OUTPUTS) as Record<string, unknown>;
    delete partial['WildRydes-bob'];
    const fake = fakeIO(JSON.stringify(partial), 1);
    await expect(provisionWorkshop(RUN, fake.io)).resolves.toBe(1);
    expect(fake.printed()).toContain('2 of 3 attendees ready; not ready: bob.');
    expect(fake.written.get('out/report.html')).toContain(
      'Not deployed: the outputs file has no stack WildRydes-bob.',
    );
  });

  it('fails when every stack deployed but one attendee’s outputs are missing', async () => {
    const partial = JSON.parse(OUTPUTS) as Record<string, unknown>;
    delete partial['WildRydes-carol'];
    await expect(provisionWorkshop(RUN, fakeIO(JSON.stringify(partial)).io)).resolves.toBe(1);
  });

  it('says so when nothing was collected', async () => {
    const fake = fakeIO(undefined, 1);
    await expect(provisionWorkshop(RUN, fake.io)).resolves.toBe(1);
    expect(fake.printed()).toContain(
      'No outputs were collected (out/outputs.json is missing): nothing deployed, no report.',
    );
    expect(fake.written.size).toBe(0);
  });

  it('only prints the command on a dry run', async () => {
    const fake = fakeIO(OUTPUTS);
    await expect(provisionWorkshop({ ...RUN, dryRun: true }, fake.io)).resolves.toBe(0);
    expect(fake.calls).toEqual([]);
    expect(fake.printed()).toMatch(/^npx cdk deploy .* 'carol\/\*'\n$/);
  });

  it('destroys with the CLI’s exit code', async () => {
    const fake = fakeIO(undefined, 3);
    await expect(
      destroyWorkshop({ workshopFile: WORKSHOP, attendees, dryRun: false }, fake.io),
    ).resolves.toBe(3);
    expect(fake.calls).toEqual([destroyCommand({ workshopFile: WORKSHOP, attendees }).slice(1)]);
  });
});

/** Runs one of the ops commands as a real process (no AWS: dry runs and bad input only). */
function runOps(script: string, args: string[]) {
  return runScript(script, args, { ...process.env, AWS_REGION: 'us-east-1' });
}

describe('npm run provision', () => {
  it('prints the deploy command on a dry run', async () => {
    const { code, stdout } = await runOps('provision', ['-workshop', WORKSHOP, '-only', 'bob', '-dry-run']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      "npx cdk deploy -c workshop=examples/workshop.json -c validate=true --require-approval never --concurrency 4 --outputs-file .local/workshop/outputs.json --progress events 'bob/*'\n",
    );
  });

  it('prints the bootstrap commands per account', async () => {
    const { code, stdout } = await runOps('provision', [
      '-workshop',
      WORKSHOP,
      '-bootstrap',
      '-facilitator-account',
      '999999999999',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "# Account 111111111111 (alice, bob): run with that account's credentials, trusting 999999999999\n",
    );
    expect(stdout).toContain(
      'npx cdk bootstrap aws://222222222222/eu-west-1 --trust 999999999999 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess\n',
    );
  });

  it.each([
    [
      ['-workshop', 'no/such.json'],
      1,
      /^provision: Cannot read workshop file no\/such\.json: no such file\n$/,
    ],
    [['-workshop', WORKSHOP, '-only', 'dave'], 2, /^provision: No attendee "dave" in the workshop/],
    [['-workshop', WORKSHOP, '-bootstrap'], 2, /-bootstrap needs -facilitator-account/],
    [
      ['-workshop', WORKSHOP, '-concurrency', '0'],
      2,
      /--concurrency must be a positive whole number up to 100, got "0"/,
    ],
  ])('refuses %p in one line', async (args, exitCode, message) => {
    const { code, stderr } = await runOps('provision', args);
    expect(code).toBe(exitCode);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
