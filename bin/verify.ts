import { readFileSync } from 'node:fs';
import type { OutputsByStack } from '#core/outputs';
import { commandLine, helpShown, positiveNumber, UsageError } from '../cli/args';
import { readLocalEndpoints } from '../cli/endpoints-file';
import { runMain, sleep } from '../cli/run-main';
import { readAssembly } from '../local/assembly';
import { planWorkshop, readWorkshopFile } from '../lib/workshop';
import { selectAttendees } from '../ops/provision';
import { parseOutputs } from '../ops/report';
import { LOCAL_ASSEMBLY } from '../ops/query/session';
import { passed, verifyAll, verifySummary } from '../ops/verify/run';
import {
  awsDeployment,
  DEFAULT_ATTENDEE_ROLE,
  localDeployment,
  outputsFileTargets,
  type ClosableDeployment,
} from '../ops/verify/targets';
import { verifyAttendees } from '../ops/verify/workshop';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Checks a Wild Rydes deployment end to end with a probe record (a unicorn named VerifyProbe-…):
telemetry stream → summary stream → DynamoDB → data lake (through the Glue table) → the
dashboard's guest access → the sensor and log paths where deployed → the alarm topic. One ✓/✗
line per path with its time; a failed path says what to look at. Exits 1 when a path fails.

The probe's DynamoDB items are deleted once seen; its raw record stays in the data lake (the
objects hold real records too): leave probes out with WHERE name NOT LIKE 'VerifyProbe-%'.

Usage: npm run verify                                   (the local run of npm start)
       npm run verify -- --outputs FILE [--stack NAME]  (deployed: cdk deploy --outputs-file)
       npm run verify -- --workshop FILE --outputs FILE [--role NAME] [--only ID,ID] [--concurrency N]`;

const OPTIONS = {
  outputs: {
    type: 'string',
    requiresArg: true,
    describe: 'Outputs file of cdk deploy (deployed stacks)',
  },
  stack: {
    type: 'string',
    requiresArg: true,
    describe: 'The stack in the outputs file (default: every one)',
  },
  workshop: { type: 'string', requiresArg: true, describe: 'Workshop file: verify every attendee' },
  only: { type: 'string', requiresArg: true, describe: 'Only these attendees (comma-separated ids)' },
  role: {
    type: 'string',
    requiresArg: true,
    default: DEFAULT_ATTENDEE_ROLE,
    describe: "Role assumed in each attendee's account",
  },
  concurrency: {
    type: 'string',
    requiresArg: true,
    default: '8',
    describe: 'Deployments checked at once',
  },
  region: { type: 'string', requiresArg: true, describe: 'Region (default: the outputs, AWS_REGION)' },
} as const;

function parseArgs(argv: readonly string[]) {
  return commandLine(argv, 'verify').usage(USAGE).options(OPTIONS).parseSync();
}
type Args = ReturnType<typeof parseArgs>;

/** The deployments to check, each opened when its turn comes, and their names. */
interface Targets {
  readonly deployments: (() => ClosableDeployment)[];
  readonly names: string[];
}

function readOutputsFile(file: string): OutputsByStack {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read outputs file ${file}: ${(error as Error).message}`);
  }
  return parseOutputs(text, file);
}

/** The deployed stacks of an outputs file (or the one `--stack` names). */
function deployedTargets(outputs: OutputsByStack, args: Args): Targets {
  const targets = outputsFileTargets(outputs, args.stack).map((t) => ({ ...t, region: args.region }));
  return { deployments: targets.map((t) => () => awsDeployment(t)), names: targets.map((t) => t.name) };
}

/** The local run of `npm start`, found through its endpoints file. */
function localTargets(): Targets {
  const running = readLocalEndpoints();
  if (!running) {
    throw new UsageError(
      'No local pipeline is running: start it with npm start, or pass --outputs FILE for a deployed stack',
    );
  }
  const assemblyDir = running.assemblyDir ?? LOCAL_ASSEMBLY;
  const stacks = readAssembly(assemblyDir, { sqs: running.endpoint });
  const deployment = () =>
    localDeployment({
      endpoint: running.endpoint,
      region: running.region,
      stacks,
      assemblyDir,
      dataDir: running.dataDir ?? '.local/data',
      windowSeconds: running.windowSeconds,
    });
  return { deployments: [deployment], names: ['local run'] };
}

/** Checks each deployment, printing its paths as it finishes, then the summary; 1 when one fails. */
async function verifyTargets({ deployments, names }: Targets, concurrency: number): Promise<number> {
  const results = await verifyAll(deployments, {
    concurrency,
    io: { now: Date.now, sleep },
    out: (text) => process.stdout.write(text),
    names,
  });
  process.stdout.write(`${verifySummary(results)}\n`);
  return results.every(passed) ? 0 : 1;
}

/** Checks every attendee of the workshop (or those of `--only`) in their own account; 1 when one fails. */
async function verifyWorkshop(
  workshopFile: string,
  outputs: OutputsByStack,
  args: Args,
  concurrency: number,
): Promise<number> {
  const region = args.region ?? process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
  const spec = readWorkshopFile(workshopFile);
  const only = (args.only ?? '').split(',').filter((id) => id.trim() !== '');
  const attendees = selectAttendees(
    planWorkshop(spec, {
      CDK_DEFAULT_ACCOUNT: process.env.CDK_DEFAULT_ACCOUNT,
      CDK_DEFAULT_REGION: region,
    }),
    only,
  );
  const verifications = await verifyAttendees(attendees, outputs, {
    role: args.role,
    concurrency,
    region,
    out: (text) => process.stdout.write(text),
  });
  const failed = Object.entries(verifications)
    .filter(([, v]) => !v.passed)
    .map(([id]) => id);
  process.stdout.write(
    failed.length === 0
      ? `All ${attendees.length} attendees' deployments work.\n`
      : `${attendees.length - failed.length} of ${attendees.length} attendees' deployments work; failed: ${failed.join(', ')}.\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

runMain('verify', async () => {
  const args = parseArgs(process.argv.slice(2));
  if (helpShown(args)) return 0;
  const concurrency = positiveNumber('concurrency', { integer: true, max: 100 })(args.concurrency);
  if (args.workshop && !args.outputs)
    throw new UsageError('--workshop needs --outputs (the file provision wrote)');
  if (!args.outputs) return verifyTargets(localTargets(), concurrency);
  const outputs = readOutputsFile(args.outputs);
  if (args.workshop) return verifyWorkshop(args.workshop, outputs, args, concurrency);
  return verifyTargets(deployedTargets(outputs, args), concurrency);
});
