import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { WildRydesConfig } from './config';
import { WildRydesStack } from './wildrydes-stack';

/** CloudFormation stack name of one deployment. */
export function stackName(prefix: string): string {
  return prefix === '' ? 'WildRydes' : `WildRydes-${prefix}`;
}

export interface BuiltApp {
  readonly app: App;
  readonly stacks: WildRydesStack[];
}

/**
 * Builds the whole CDK app from one config into `app`. `bin/wildrydes.ts` and the tests both
 * call this, so what is tested is what is deployed. cdk-nag's AwsSolutions checks run on every
 * synth and fail it on any unacknowledged finding.
 */
export function buildApp(app: App, config: WildRydesConfig): BuiltApp {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new WildRydesStack(app, stackName(config.prefix), {
    prefix: config.prefix,
    telemetryCapacity: config.telemetryCapacity,
    alarmEmail: config.alarmEmail,
    env: config.account || config.region ? { account: config.account, region: config.region } : undefined,
    description: 'Wild Rydes real-time streaming pipeline',
  });
  return { app, stacks: [stack] };
}
