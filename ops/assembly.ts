import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A CloudFormation template as synthesized: only the parts the ops tools read. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, unknown>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
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
}

interface ManifestArtifact {
  readonly type: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly directoryName?: string;
    readonly displayName?: string;
    readonly assumeRoleArn?: string;
  };
}

export class AssemblyReadError extends Error {}

/** `aws://111111111111/us-east-1` (or `unknown-account`, `unknown-region`) into its parts. */
function parseEnvironment(environment: string | undefined): { account?: string; region?: string } {
  const match = /^aws:\/\/([^/]+)\/(.+)$/.exec(environment ?? '');
  if (!match) return {};
  const [, account, region] = match;
  return {
    ...(account === 'unknown-account' ? {} : { account }),
    ...(region === 'unknown-region' ? {} : { region }),
  };
}

/**
 * Every stack of a synthesized cloud assembly (`cdk.out`), including those of nested
 * assemblies (one per CDK Stage, i.e. per workshop attendee), in manifest order.
 */
export function readAssemblyStacks(dir: string, stage = ''): AssemblyStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new AssemblyReadError(`No cloud assembly at ${dir} (no manifest.json): synthesize first`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'cdk:cloud-assembly' && props.directoryName) {
      const nested = props.displayName ?? props.directoryName.replace(/^assembly-/, '');
      stacks.push(...readAssemblyStacks(path.join(dir, props.directoryName), nested));
    }
    if (artifact.type !== 'aws:cloudformation:stack' || !props.templateFile) continue;
    const template = JSON.parse(readFileSync(path.join(dir, props.templateFile), 'utf8')) as CfnTemplate;
    stacks.push({
      stage,
      stackName: props.stackName ?? id,
      displayName: artifact.displayName ?? id,
      ...parseEnvironment(artifact.environment),
      ...(props.assumeRoleArn ? { deployRoleArn: props.assumeRoleArn } : {}),
      template,
    });
  }
  return stacks;
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
