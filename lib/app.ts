import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { WildRydesConfig } from './config';
import { WeblogStack, weblogStackName } from './weblog-stack';
import { WildRydesStack } from './wildrydes-stack';

/** CloudFormation stack name of one deployment. */
export function stackName(prefix: string): string {
  return prefix === '' ? 'WildRydes' : `WildRydes-${prefix}`;
}

export interface BuiltApp {
  readonly app: App;
  readonly stacks: WildRydesStack[];
  /** The optional log-shipping stack, when `weblogs` is on. */
  readonly weblogs?: WeblogStack;
}

/**
 * Builds the whole CDK app from one config into `app`. `bin/wildrydes.ts` and the tests both
 * call this, so what is tested is what is deployed. cdk-nag's AwsSolutions checks run on every
 * synth and fail it on any unacknowledged finding.
 */
export function buildApp(app: App, config: WildRydesConfig): BuiltApp {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const env =
    config.account || config.region ? { account: config.account, region: config.region } : undefined;
  const stack = new WildRydesStack(app, stackName(config.prefix), {
    prefix: config.prefix,
    telemetryCapacity: config.telemetryCapacity,
    alarmEmail: config.alarmEmail,
    env,
    description: 'Wild Rydes real-time streaming pipeline',
  });
  const weblogs = config.weblogs
    ? new WeblogStack(app, weblogStackName(config.prefix), {
        prefix: config.prefix,
        httpAllowedCidr: config.weblogsHttpCidr,
        env,
        description:
          'Wild Rydes web-server access logs: Apache and the Kinesis Agent on EC2, weblogs stream, Firehose to S3 (optional)',
      })
    : undefined;
  return { app, stacks: [stack], ...(weblogs ? { weblogs } : {}) };
}
