#!/usr/bin/env node
// First: the handler and dashboard bundles start building in worker threads (lib/asset-prebuild.ts).
import '../lib/asset-prebuild-start';
import { App } from 'aws-cdk-lib';
import { addTemplateValidation, buildApp, templateValidationRequested } from '../lib/app';
import { configFromContext, type WildRydesConfig } from '../lib/config';

// The checks a deploy runs, only when asked for (`-c validate=true`, see lib/app.ts): CloudFormation
// template validation and cdk-nag. They take seconds; a plain synth or diff leaves them out.
const app = new App({ builtinCloudFormationValidation: false });
let config: WildRydesConfig;
let validate = false;
try {
  config = configFromContext(app.node);
  validate = templateValidationRequested(app.node);
  if (validate) addTemplateValidation(app);
} catch (error) {
  // A setting or workshop file that cannot work: one line saying which and why, no stack trace.
  process.stderr.write(`wildrydes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
buildApp(app, config, { policyChecks: validate });
