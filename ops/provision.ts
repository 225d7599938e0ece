import type { AttendeePlan } from '../lib/workshop';
import { commandLineText } from './cdk-cli';
import type { OutputsByStack } from '#core/outputs';
import {
  attendeeReports,
  parseOutputs,
  renderHtml,
  renderMarkdown,
  reportSummary,
  type Verification,
} from './report';

/**
 * The commands a facilitator runs for a workshop: deploying every attendee's Stage with the
 * AWS CDK CLI (in parallel, outputs collected in one file), destroying them, and bootstrapping
 * the attendees' accounts so that the facilitator's credentials may deploy into them.
 */

/** `cdk` stack patterns selecting the attendees' Stages (`alice/*` is Alice's stacks). */
export function stagePatterns(attendees: readonly AttendeePlan[]): string[] {
  return attendees.map((a) => `${a.stageId}/*`);
}

/** Only the attendees named in `ids` (all when empty), failing on a name not in the workshop. */
export function selectAttendees(attendees: readonly AttendeePlan[], ids: readonly string[]): AttendeePlan[] {
  if (ids.length === 0) return [...attendees];
  const unknown = ids.filter((id) => !attendees.some((a) => a.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `No attendee ${unknown.map((id) => `"${id}"`).join(', ')} in the workshop (attendees: ${attendees.map((a) => a.id).join(', ')})`,
    );
  }
  return attendees.filter((a) => ids.includes(a.id));
}

export interface DeployOptions {
  readonly workshopFile: string;
  readonly attendees: readonly AttendeePlan[];
  /** Stacks deployed at once. */
  readonly concurrency: number;
  /** Where the CLI writes every stack's outputs, keyed by stack name. */
  readonly outputsFile: string;
}

/**
 * Arguments for `npx` (starting with `cdk`) that deploy the attendees' stacks, their templates
 * checked against CloudFormation's rules first (`-c validate=true`, see lib/app.ts).
 */
export function deployCommand(options: DeployOptions): string[] {
  return [
    'cdk',
    'deploy',
    '-c',
    `workshop=${options.workshopFile}`,
    '-c',
    'validate=true',
    '--require-approval',
    'never',
    '--concurrency',
    String(options.concurrency),
    '--outputs-file',
    options.outputsFile,
    '--progress',
    'events',
    ...stagePatterns(options.attendees),
  ];
}

/** Arguments for `npx` that destroy the attendees' stacks without asking. */
export function destroyCommand(options: Pick<DeployOptions, 'workshopFile' | 'attendees'>): string[] {
  return [
    'cdk',
    'destroy',
    '-c',
    `workshop=${options.workshopFile}`,
    '--force',
    ...stagePatterns(options.attendees),
  ];
}

/** AWS's own full-access policy, the CDK default for the CloudFormation execution role. */
export const DEFAULT_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

export interface BootstrapStep {
  /** The account to run the command in (with that account's credentials). */
  readonly account: string;
  readonly regions: readonly string[];
  readonly attendees: readonly string[];
  /** Whether the facilitator's account must be trusted (it is not the facilitator's own). */
  readonly trusted: boolean;
  readonly command: string;
}

export interface BootstrapOptions {
  /** The facilitator's account, whose credentials run `cdk deploy`. */
  readonly facilitatorAccount: string;
  /** Region for attendees that give none (the facilitator's CLI region). */
  readonly defaultRegion?: string;
  /** @default DEFAULT_EXECUTION_POLICY */
  readonly executionPolicy?: string;
}

/**
 * One `cdk bootstrap` per account, covering the regions its attendees use. In an attendee's
 * account the bootstrap stack must trust the facilitator's account (`--trust`): the CDK CLI,
 * running with the facilitator's credentials, then assumes that account's deploy role
 * (`cdk-hnb659fds-deploy-role-<account>-<region>`), which passes the execution role to
 * CloudFormation. With `--trust`, the CLI requires the execution policies to be named.
 * Attendees without an account deploy into the facilitator's own, which needs no trust.
 */
export function bootstrapPlan(
  attendees: readonly AttendeePlan[],
  options: BootstrapOptions,
): BootstrapStep[] {
  const policy = options.executionPolicy ?? DEFAULT_EXECUTION_POLICY;
  const byAccount = new Map<string, { regions: Set<string>; attendees: string[] }>();
  for (const attendee of attendees) {
    const account = attendee.account ?? options.facilitatorAccount;
    const region = attendee.region ?? options.defaultRegion;
    if (region === undefined) {
      throw new Error(
        `Attendee "${attendee.id}" has no region and no default region is set (AWS_REGION or --region)`,
      );
    }
    const entry = byAccount.get(account) ?? { regions: new Set<string>(), attendees: [] };
    entry.regions.add(region);
    entry.attendees.push(attendee.id);
    byAccount.set(account, entry);
  }
  return [...byAccount.entries()].map(([account, entry]) => {
    const regions = [...entry.regions].sort();
    const trusted = account !== options.facilitatorAccount;
    const environments = regions.map((region) => `aws://${account}/${region}`).join(' ');
    const command = trusted
      ? `npx cdk bootstrap ${environments} --trust ${options.facilitatorAccount} --cloudformation-execution-policies ${policy}`
      : `npx cdk bootstrap ${environments}`;
    return { account, regions, attendees: entry.attendees, trusted, command };
  });
}

/** The deploy role the CLI assumes in an account and region (default bootstrap qualifier). */
export function deployRoleName(account: string, region: string, qualifier = 'hnb659fds'): string {
  return `cdk-${qualifier}-deploy-role-${account}-${region}`;
}

/** What the provisioning run needs from the outside world; tests pass fakes. */
export interface ProvisionIO {
  /** Runs the CDK CLI with these arguments (after `cdk`), showing its progress; the exit code. */
  readonly cdk: (args: readonly string[]) => Promise<number>;
  readonly out: (text: string) => void;
  readonly readFile: (file: string) => string | undefined;
  readonly writeFile: (file: string, text: string) => void;
  /** Checks each deployed attendee end to end (`npm run verify`); skipped when absent. */
  readonly verify?: (
    attendees: readonly AttendeePlan[],
    outputs: OutputsByStack,
  ) => Promise<Readonly<Record<string, Verification>>>;
}

export interface ProvisionRun {
  readonly workshopFile: string;
  readonly title: string;
  readonly attendees: readonly AttendeePlan[];
  readonly concurrency: number;
  readonly outDir: string;
  readonly dryRun: boolean;
}

/** Where a provisioning run writes its outputs and reports. */
export function provisionFiles(outDir: string) {
  const join = (name: string) => `${outDir.replace(/\/+$/, '')}/${name}`;
  return { outputs: join('outputs.json'), markdown: join('report.md'), html: join('report.html') };
}

/**
 * Deploys every selected attendee's stacks, verifies each end to end (when `io.verify` is
 * given), then writes the facilitator report from the outputs the CLI collected, also after a
 * partial failure (the report names who is not ready, and which paths failed). Exit code 0
 * only when the deployment succeeded and every attendee is ready.
 */
export async function provisionWorkshop(run: ProvisionRun, io: ProvisionIO): Promise<number> {
  const files = provisionFiles(run.outDir);
  const args = deployCommand({
    workshopFile: run.workshopFile,
    attendees: run.attendees,
    concurrency: run.concurrency,
    outputsFile: files.outputs,
  });
  io.out(`${commandLineText('npx', args)}\n`);
  if (run.dryRun) return 0;
  const code = await io.cdk(args.slice(1));
  const text = io.readFile(files.outputs);
  if (text === undefined) {
    io.out(`No outputs were collected (${files.outputs} is missing): nothing deployed, no report.\n`);
    return code === 0 ? 1 : code;
  }
  const outputs = parseOutputs(text, files.outputs);
  const verifications = io.verify ? await io.verify(run.attendees, outputs) : {};
  const reports = attendeeReports(run.attendees, outputs, verifications);
  io.writeFile(files.markdown, renderMarkdown(run.title, reports));
  io.writeFile(files.html, renderHtml(run.title, reports));
  io.out(`${reportSummary(reports)} Report: ${files.markdown} and ${files.html}\n`);
  const ready = reports.every((r) => r.commands.length > 0 && r.verification?.passed !== false);
  return code !== 0 ? code : ready ? 0 : 1;
}

/** Destroys the selected attendees' stacks (every resource goes with them; see the teardown test). */
export async function destroyWorkshop(
  run: Omit<ProvisionRun, 'concurrency' | 'outDir' | 'title'>,
  io: ProvisionIO,
) {
  const args = destroyCommand({ workshopFile: run.workshopFile, attendees: run.attendees });
  io.out(`${commandLineText('npx', args)}\n`);
  if (run.dryRun) return 0;
  return io.cdk(args.slice(1));
}
