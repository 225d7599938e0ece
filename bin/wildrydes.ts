#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { configFromContext, type WildRydesConfig } from '../lib/config';

const app = new App();
let config: WildRydesConfig;
try {
  config = configFromContext(app.node);
} catch (error) {
  // A setting or workshop file that cannot work: one line saying which and why, no stack trace.
  process.stderr.write(`wildrydes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
buildApp(app, config);
