import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { commandLine, helpShown, positiveNumber, UsageError, workshopFileOption } from '../cli/args';
import { runMain } from '../cli/run-main';
import { planWorkshop, readWorkshopFile, type AttendeePlan, type WorkshopSpec } from '../lib/workshop';
import { fromProjectRoot, PROJECT_ROOT, runCdk } from '../ops/cdk-cli';
import { DEFAULT_ATTENDEE_ROLE } from '../ops/verify/targets';
import { verifyAttendees } from '../ops/verify/workshop';
import {
  bootstrapPlan,
  destroyWorkshop,
  provisionWorkshop,
  selectAttendees,
  type ProvisionIO,
} from '../ops/provision';

const USAGE = `Deploys one Wild Rydes system per workshop attendee (a CDK Stage each, in parallel), collects
their outputs and writes the facilitator report (Markdown and HTML); or destroys them; or prints
the bootstrap commands that let your account deploy into the attendees' accounts.

Usage: npm run provision -- -workshop FILE [-concurrency N] [-out DIR] [-only ID,ID] [-dry-run] [--no-verify] [-role NAME]
       npm run provision -- -workshop FILE -destroy [-only ID,ID] [-dry-run]
       npm run provision -- -workshop FILE -bootstrap -facilitator-account ACCOUNT [-region REGION]`;

const ACCOUNT = /^\d{12}$/;

const OPTIONS = {
  ...workshopFileOption,
  concurrency: { type: 'string', requiresArg: true, default: '4', describe: 'Stacks deployed at once' },
  out: {
    type: 'string',
    requiresArg: true,
    default: '.local/workshop',
    describe: 'Where outputs.json, report.md and report.html go',
  },
  only: { type: 'string', requiresArg: true, describe: 'Only these attendees (comma-separated ids)' },
  'dry-run': { type: 'boolean', default: false, describe: 'Print the CDK command instead of running it' },
  destroy: { type: 'boolean', default: false, describe: 'Destroy the attendees’ stacks instead' },
  bootstrap: {
    type: 'boolean',
    default: false,
    describe: 'Print the cdk bootstrap commands per account',
  },
  'facilitator-account': {
    type: 'string',
    requiresArg: true,
    describe: 'Your account id (the one whose credentials deploy), for -bootstrap',
  },
  region: {
    type: 'string',
    requiresArg: true,
    describe: 'Region for attendees without one (default: AWS_REGION)',
  },
  verify: {
    type: 'boolean',
    default: true,
    describe: 'Verify each attendee end to end after deploying (--no-verify to skip)',
  },
  role: {
    type: 'string',
    requiresArg: true,
    default: DEFAULT_ATTENDEE_ROLE,
    describe: "Role assumed in each attendee's account to verify it",
  },
} as const;

function parseArgs(argv: readonly string[]) {
  return commandLine(argv, 'provision').usage(USAGE).options(OPTIONS).parseSync();
}
type Args = ReturnType<typeof parseArgs>;

/** `-concurrency`: stacks deployed at once, and attendees verified at once. */
const deployConcurrency = (args: Args) =>
  positiveNumber('concurrency', { integer: true, max: 100 })(args.concurrency);

/** The workshop's attendees, planned for `region`, or those `-only` names. */
function chosenAttendees(spec: WorkshopSpec, region: string | undefined, onlyList: string | undefined) {
  const env = { CDK_DEFAULT_ACCOUNT: process.env.CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION: region };
  const only = (onlyList ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  try {
    return selectAttendees(planWorkshop(spec, env), only);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Prints the `cdk bootstrap` command of each attendee account, trusting the facilitator's. */
function printBootstrap(
  attendees: readonly AttendeePlan[],
  facilitator: string | undefined,
  region: string | undefined,
): number {
  if (!facilitator || !ACCOUNT.test(facilitator)) {
    throw new UsageError(
      `-bootstrap needs -facilitator-account with a 12-digit account id, got "${facilitator ?? ''}"`,
    );
  }
  for (const step of bootstrapPlan(attendees, { facilitatorAccount: facilitator, defaultRegion: region })) {
    process.stdout.write(
      `# Account ${step.account} (${step.attendees.join(', ')}): run with that account's credentials${step.trusted ? `, trusting ${facilitator}` : ''}\n${step.command}\n`,
    );
  }
  return 0;
}

/** The CDK CLI and files in the project root, and, unless `--no-verify`, verification of each attendee. */
function provisionIO(args: Args, region: string | undefined): ProvisionIO {
  return {
    cdk: async (cdkArgs) => (await runCdk(cdkArgs, true)).code,
    out: (text) => process.stdout.write(text),
    readFile: (file) => {
      const full = path.resolve(PROJECT_ROOT, file);
      return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
    },
    writeFile: (file, text) => writeFileSync(path.resolve(PROJECT_ROOT, file), text),
    ...(args.verify
      ? {
          verify: (planned, outputs) => {
            process.stdout.write('Verifying each attendee end to end…\n');
            return verifyAttendees(planned, outputs, {
              role: args.role,
              concurrency: deployConcurrency(args),
              region,
              out: (text) => process.stdout.write(text),
            });
          },
        }
      : {}),
  };
}

runMain('provision', async () => {
  const args = parseArgs(process.argv.slice(2));
  if (helpShown(args)) return 0;
  if (args.destroy && args.bootstrap) throw new UsageError('-destroy and -bootstrap do not go together');

  const spec = readWorkshopFile(args.workshop);
  const region = args.region ?? process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
  const attendees = chosenAttendees(spec, region, args.only);
  if (args.bootstrap) return printBootstrap(attendees, args.facilitatorAccount, region);

  const io = provisionIO(args, region);
  // The CDK CLI runs in the project root: paths are given relative to it.
  const common = { workshopFile: fromProjectRoot(args.workshop), attendees, dryRun: args.dryRun };
  if (args.destroy) return destroyWorkshop(common, io);

  const concurrency = deployConcurrency(args);
  const outDir = fromProjectRoot(args.out);
  if (!args.dryRun) mkdirSync(path.resolve(PROJECT_ROOT, outDir), { recursive: true });
  return provisionWorkshop({ ...common, title: spec.name ?? 'Wild Rydes workshop', concurrency, outDir }, io);
});
