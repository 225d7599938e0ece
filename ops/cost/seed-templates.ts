import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG } from '../../lib/config';
import type { CfnTemplate } from '../../system/cloud-assembly';
import { SEED_LABS } from './seed';

/**
 * The templates of the seed architecture's deployment: the app with every lab, built in this
 * process from the same `buildApp` the CDK app uses, template only (no handler bundles, no
 * checks), so the comparison follows the stacks as they are.
 */
export function seedTemplates(): CfnTemplate[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'wildrydes-seed-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    buildApp(app, { ...DEFAULT_CONFIG, labs: SEED_LABS }, { policyChecks: false });
    return app.synth().stacks.map((stack) => stack.template as CfnTemplate);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
