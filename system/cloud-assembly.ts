import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { isLab, LAB_METADATA, type Lab } from '#core/labs';
import { ROLE_METADATA, type ResourceRole } from '#core/names';

/**
 * The one reader of a synthesized cloud assembly (`cdk.out`), on aws-cdk-lib's own reader:
 * every stack, including those of nested assemblies (one per CDK Stage, i.e. per workshop
 * attendee), with its template, environment, deploy role and asset folders. The local runtime,
 * cost, report, provisioning and benchmarks all read the synthesized system through it.
 */

/** A CloudFormation template as synthesized: the parts this project reads. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Description?: string }>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | string[];
}

/** One stack of a cloud assembly. */
export interface AssemblyStack {
  /** The Stage it belongs to (the attendee id in a workshop); '' for top-level stacks. */
  readonly stage: string;
  readonly stackName: string;
  /** `alice/WildRydes`: what `cdk deploy` patterns match. */
  readonly displayName: string;
  readonly account?: string;
  readonly region?: string;
  /** The role the CLI assumes to deploy it (in the target account: cross-account needs trust). */
  readonly deployRoleArn?: string;
  readonly template: CfnTemplate;
  /** The (nested) assembly folder holding its template; template paths are relative to it. */
  readonly directory: string;
  /** Absolute folders of its file assets (Lambda bundles, …) by asset hash. */
  readonly assetPaths: Readonly<Record<string, string>>;
}

export class AssemblyReadError extends Error {}

const known = (value: string | undefined, unknown: string) =>
  value === undefined || value === unknown || value.includes('${') ? undefined : value;

function assetPathsOf(artifact: CloudFormationStackArtifact): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const dependency of artifact.dependencies) {
    const manifest = dependency as { file?: string; contents?: { files?: object } };
    if (!manifest.file || !manifest.contents) continue;
    const files = manifest.contents.files as Record<string, { source?: { path?: string } }> | undefined;
    for (const [hash, asset] of Object.entries(files ?? {})) {
      if (asset.source?.path) paths[hash] = path.resolve(path.dirname(manifest.file), asset.source.path);
    }
  }
  return paths;
}

function toStack(artifact: CloudFormationStackArtifact): AssemblyStack {
  const [stage, ...rest] = artifact.hierarchicalId.split('/');
  const account = known(artifact.environment.account, 'unknown-account');
  const region = known(artifact.environment.region, 'unknown-region');
  return {
    stage: rest.length > 0 ? stage : '',
    stackName: artifact.stackName,
    displayName: artifact.hierarchicalId,
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
    ...(artifact.assumeRoleArn ? { deployRoleArn: artifact.assumeRoleArn } : {}),
    template: artifact.template as CfnTemplate,
    directory: artifact.assembly.directory,
    assetPaths: assetPathsOf(artifact),
  };
}

/** Every stack of the cloud assembly in `dir`, nested Stages included, in manifest order. */
export function readAssemblyStacks(dir: string): AssemblyStack[] {
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new AssemblyReadError(`No cloud assembly at ${dir} (no manifest.json): synthesize first`);
  }
  let assembly: CloudAssembly;
  try {
    assembly = new CloudAssembly(dir, { topoSort: false });
  } catch (error) {
    throw new AssemblyReadError(`Cannot read the cloud assembly at ${dir}: ${(error as Error).message}`);
  }
  return assembly.stacksRecursively.map(toStack);
}

/** Stacks grouped by Stage ('' holds the top-level stacks), in first-seen order. */
export function stacksByStage(stacks: readonly AssemblyStack[]): Map<string, AssemblyStack[]> {
  const groups = new Map<string, AssemblyStack[]>();
  for (const stack of stacks) {
    const group = groups.get(stack.stage) ?? [];
    group.push(stack);
    groups.set(stack.stage, group);
  }
  return groups;
}

/** The stack's resources of one CloudFormation type, by logical id, in template order. */
export function resourcesOfType(
  template: CfnTemplate,
  type: string,
): [logicalId: string, resource: CfnResource][] {
  return Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type === type);
}

/** The role a resource plays in the system (`telemetryStream`, …), as the stack marked it. */
export function roleOf(resource: CfnResource): ResourceRole | undefined {
  const role = resource.Metadata?.[ROLE_METADATA];
  return typeof role === 'string' ? (role as ResourceRole) : undefined;
}

/** The lab a resource belongs to (`core/labs.ts`), as the stack marked it. */
export function labOf(resource: CfnResource | undefined): Lab | undefined {
  const lab = resource?.Metadata?.[LAB_METADATA];
  return typeof lab === 'string' && isLab(lab) ? lab : undefined;
}
