/**
 * A synthesized app as the IAM policy engine sees it: every stack's template (assets not
 * bundled, cdk-nag off: policies do not depend on either) read with the local account's
 * resolution of names and ARNs, one IamEvaluator over all of them, and a SystemMap per Stage
 * (per attendee in a workshop) to find the data-flow table's parts.
 */
import { ALL_LABS } from '#core/labs';
import { App } from 'aws-cdk-lib';
import { rmSync } from 'node:fs';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';
import { readAssembly, type LocalStack } from '../../local/assembly';
import { readAssemblyStacks } from '../../system/cloud-assembly';
import { SystemMap, type FlowStack } from '../../system/data-flow';
import { IamEvaluator } from '../../system/iam-evaluator';

export interface SynthesizedSystem {
  readonly stacks: readonly (LocalStack & FlowStack & { readonly stage: string })[];
  readonly evaluator: IamEvaluator;
  /** The parts of one Stage ('' for the app's own stacks). */
  map(stage?: string): SystemMap;
}

export function synthesizeSystem(
  config: WildRydesConfig = { ...DEFAULT_CONFIG, labs: ALL_LABS },
): SynthesizedSystem {
  const app = new App();
  buildApp(app, config, { policyChecks: false });
  const dir = app.synth().directory;
  try {
    const assembly = readAssemblyStacks(dir);
    const local = readAssembly(dir, { sqs: 'http://127.0.0.1:4566' });
    const stacks = local.map((stack, i) => ({
      ...stack,
      template: assembly[i].template,
      stage: assembly[i].stage,
    }));
    const evaluator = new IamEvaluator(stacks, stacks[0].resolver.accountId);
    return {
      stacks,
      evaluator,
      map: (stage = '') => new SystemMap(stacks.filter((s) => s.stage === stage)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
