import { readFileSync } from 'node:fs';
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

runMain('verify', async () => {
  const args = commandLine(process.argv.slice(2), 'verify')
    .usage(USAGE)
    .options({
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
    })
    .parseSync();
  if (helpShown(args)) return 0;
  const concurrency = positiveNumber('concurrency', { integer: true, max: 100 })(args.concurrency);
  if (args.workshop && !args.outputs)
    throw new UsageError('--workshop needs --outputs (the file provision wrote)');

  let deployments: (() => ClosableDeployment)[];
  let names: string[];
  if (args.outputs) {
    let text: string;
    try {
      text = readFileSync(args.outputs, 'utf8');
    } catch (error) {
      throw new Error(`Cannot read outputs file ${args.outputs}: ${(error as Error).message}`);
    }
    const outputs = parseOutputs(text, args.outputs);
    if (args.workshop) {
      const region = args.region ?? process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
      const spec = readWorkshopFile(args.workshop);
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
    } else {
      const targets = outputsFileTargets(outputs, args.stack).map((t) => ({ ...t, region: args.region }));
      deployments = targets.map((t) => () => awsDeployment(t));
      names = targets.map((t) => t.name);
    }
  } else {
    const running = readLocalEndpoints();
    if (!running) {
      throw new UsageError(
        'No local pipeline is running: start it with npm start, or pass --outputs FILE for a deployed stack',
      );
    }
    const assemblyDir = running.assemblyDir ?? LOCAL_ASSEMBLY;
    const stacks = readAssembly(assemblyDir, { sqs: running.endpoint });
    deployments = [
      () =>
        localDeployment({
          endpoint: running.endpoint,
          region: running.region,
          stacks,
          assemblyDir,
          dataDir: running.dataDir ?? '.local/data',
          windowSeconds: running.windowSeconds,
        }),
    ];
    names = ['local run'];
  }

  const results = await verifyAll(deployments, {
    concurrency,
    io: { now: Date.now, sleep },
    out: (text) => process.stdout.write(text),
    names,
  });
  process.stdout.write(`${verifySummary(results)}\n`);
  return results.every(passed) ? 0 : 1;
});
