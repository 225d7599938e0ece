import { App, type AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';
import { planWorkshop, type WorkshopSpec } from '../../lib/workshop';
import type { WildRydesStack } from '../../lib/wildrydes-stack';

/** Builds the app exactly as `bin/` does, from a config, and returns its one stack's template. */
export function synthStack(config: Partial<WildRydesConfig> = {}): {
  stack: WildRydesStack;
  template: Template;
  app: App;
} {
  const app = new App();
  const { stacks } = buildApp(app, { ...DEFAULT_CONFIG, ...config });
  const stack = stacks[0];
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id a construct's CloudFormation resource gets. */
export function logicalId(stack: WildRydesStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** A workshop config as `-c workshop=FILE` would give it, from a spec instead of a file. */
export function workshopConfig(
  spec: WorkshopSpec,
  config: Partial<WildRydesConfig> = {},
  env: { CDK_DEFAULT_ACCOUNT?: string; CDK_DEFAULT_REGION?: string } = {},
): WildRydesConfig {
  return {
    ...DEFAULT_CONFIG,
    ...config,
    workshop: { file: 'workshop.json', spec, attendees: planWorkshop(spec, env) },
  };
}

/** Builds a workshop app (one Stage per attendee) exactly as `bin/` does, without synthesizing it. */
export function buildWorkshop(
  spec: WorkshopSpec,
  config: Partial<WildRydesConfig> = {},
  appProps: AppProps = {},
) {
  const app = new App(appProps);
  const built = buildApp(app, workshopConfig(spec, config));
  return { app, built, attendees: built.attendees! };
}
