import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';
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
