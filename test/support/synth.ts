/**
 * How a test gets the app: built exactly as `bin/wildrydes.ts` builds it, from a config.
 *
 * In Jest every `new App()` is template-only (test/support/env.ts): nothing is bundled and
 * CloudFormation validation is off, so a template costs a construct and a synth, well under a
 * second. Ask for more only when a test looks at it:
 * - `bundlingApp()`: an App whose assets are really bundled (esbuild), for a test of an asset's files;
 * - `synthesizeAssembly()` (./assembly): the whole cloud assembly with every bundle, shared by
 *   every suite of a `jest` run that asks for the same config, for the local runtime's tests.
 */
import { App, type AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';
import { planWorkshop, type WorkshopSpec } from '../../lib/workshop';
import type { WildRydesStack } from '../../lib/wildrydes-stack';

/** CDK context that bundles every stack's assets, as `cdk synth` does (it wins over the test default). */
export const BUNDLE_ASSETS = { 'aws:cdk:bundling-stacks': ['**'] } as const;

/** An App whose assets are bundled for real, as the CDK CLI's synth bundles them. */
export function bundlingApp(props: AppProps = {}): App {
  return new App({ ...props, postCliContext: { ...props.postCliContext, ...BUNDLE_ASSETS } });
}

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
