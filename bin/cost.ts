import * as path from 'node:path';
import { commandLine, helpShown, positiveNumber, UsageError, contextOption } from '../cli/args';
import { runMain } from '../cli/run-main';
import { DEFAULT_WORKSHOP_HOURS, readWorkshopFile } from '../lib/workshop';
import { readAssemblyStacks, stacksByStage, type AssemblyStack } from '../system/cloud-assembly';
import { fromProjectRoot, PROJECT_ROOT, synthesizeStacks } from '../ops/cdk-cli';
import {
  DEFAULT_WORKLOAD,
  estimateWorkshop,
  formatEstimate,
  loadPriceTable,
  type AttendeeTemplates,
  type Workload,
} from '../ops/cost';
import { seedTemplates } from '../ops/cost/seed-templates';

const USAGE = `Estimates what Wild Rydes costs per attendee-hour and per workshop, from the synthesized
CloudFormation templates and the price table in ops/prices/, for a stated workload (by default
the workshop's three unicorns at one record per second each), with each lab's share and the
seed architecture (every lab, the aggregation in a Flink Studio notebook) for comparison.
The labs are the deployment's: -c labs=default,sensors, or the workshop file's labs.

Usage: npm run cost -- [-workshop FILE] [-c key=value ...] [-assembly DIR] [-hours H]
                       [-unicorns N] [-rate R] [-sensor-rate R] [-viewers N] [-prices FILE] [-json]`;

const nonNegative = (name: string) => (value: unknown) => {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${name} must be a number of at least 0, got "${value}"`);
  }
  return n;
};

/** The stacks grouped into deployments: one per Stage (attendee), or the single top-level one. */
function deployments(stacks: readonly AssemblyStack[]): AttendeeTemplates[] {
  return [...stacksByStage(stacks).entries()].map(([stage, group]) => ({
    id: stage === '' ? group[0].stackName : stage,
    ...(group[0].region ? { region: group[0].region } : {}),
    stacks: group.map((s) => ({ stackName: s.stackName, template: s.template })),
  }));
}

const OPTIONS = {
  workshop: { type: 'string', requiresArg: true, describe: 'Workshop file: one deployment per attendee' },
  ...contextOption,
  assembly: {
    type: 'string',
    requiresArg: true,
    describe: 'Read an existing cloud assembly (e.g. cdk.out) instead',
  },
  hours: {
    type: 'string',
    requiresArg: true,
    describe: `Workshop length (default: the file's durationHours, else ${DEFAULT_WORKSHOP_HOURS})`,
  },
  unicorns: {
    type: 'string',
    requiresArg: true,
    default: String(DEFAULT_WORKLOAD.unicorns),
    describe: 'Producers per attendee',
  },
  rate: {
    type: 'string',
    requiresArg: true,
    default: String(DEFAULT_WORKLOAD.recordsPerSecondPerUnicorn),
    describe: 'Records per second per unicorn',
  },
  'sensor-rate': {
    type: 'string',
    requiresArg: true,
    default: '0',
    describe: 'Sensor readings per second per attendee',
  },
  viewers: {
    type: 'string',
    requiresArg: true,
    default: String(DEFAULT_WORKLOAD.dashboardViewers),
    describe: 'Dashboard viewers per attendee',
  },
  prices: {
    type: 'string',
    requiresArg: true,
    default: path.join(PROJECT_ROOT, 'ops', 'prices', 'us-east-1.json'),
    describe: 'Price table',
  },
  json: { type: 'boolean', default: false, describe: 'The whole estimate as JSON' },
} as const;

runMain('cost', async () => {
  const args = commandLine(process.argv.slice(2), 'cost').usage(USAGE).options(OPTIONS).parseSync();
  if (helpShown(args)) return 0;

  const context = (args.context as string[]).map(String);
  for (const item of context) {
    if (!/^[^=]+=/.test(item)) throw new UsageError(`-c takes key=value, got "${item}"`);
  }
  if (args.assembly && (args.workshop || context.length > 0)) {
    throw new UsageError('-assembly reads templates already synthesized: it takes no -workshop or -c');
  }
  const spec = args.workshop ? readWorkshopFile(args.workshop) : undefined;
  const hours =
    args.hours === undefined
      ? (spec?.durationHours ?? DEFAULT_WORKSHOP_HOURS)
      : positiveNumber('hours')(args.hours);
  const workload: Workload = {
    ...DEFAULT_WORKLOAD,
    unicorns: nonNegative('unicorns')(args.unicorns),
    recordsPerSecondPerUnicorn: nonNegative('rate')(args.rate),
    sensorRecordsPerSecond: nonNegative('sensor-rate')(args.sensorRate),
    dashboardViewers: nonNegative('viewers')(args.viewers),
  };
  const prices = loadPriceTable(args.prices);

  const stacks = args.assembly
    ? readAssemblyStacks(args.assembly)
    : await synthesizeStacks([
        ...(args.workshop ? [`workshop=${fromProjectRoot(args.workshop)}`] : []),
        ...context,
      ]);
  // The seed (every lab, as the original workshop deploys them) is built in this process.
  const estimate = estimateWorkshop(deployments(stacks), prices, workload, hours, seedTemplates());
  process.stdout.write(
    args.json
      ? `${JSON.stringify({ prices: { region: prices.region, date: prices.date, file: args.prices }, ...estimate }, null, 2)}\n`
      : formatEstimate(estimate, prices, path.relative(process.cwd(), args.prices) || args.prices),
  );
  return 0;
});
