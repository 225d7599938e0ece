import {
  AspectPriority,
  Aspects,
  CloudFormationValidatePlugin,
  Stage,
  Validations,
  type App,
  type Environment,
} from 'aws-cdk-lib';
import type { Construct, Node } from 'constructs';
import type { WildRydesConfig } from './config';
import { FunctionLogGroups } from './function-log-groups';
import type { WeblogStack } from './weblog-stack';
import type { AttendeePlan } from './workshop';
import { WildRydesStack } from './wildrydes-stack';

/** CloudFormation stack name of one deployment. */
export function stackName(prefix: string): string {
  return prefix === '' ? 'WildRydes' : `WildRydes-${prefix}`;
}

/** One attendee's deployment in a workshop: a Stage holding their stacks. */
export interface AttendeeDeployment {
  readonly attendee: AttendeePlan;
  readonly stage: Stage;
  readonly stack: WildRydesStack;
  readonly weblogs?: WeblogStack;
}

export interface BuiltApp {
  readonly app: App;
  /** Every Wild Rydes stack: the one deployment, or one per attendee in workshop order. */
  readonly stacks: WildRydesStack[];
  /** The log-shipping stack of the single deployment, when the `weblogs` lab is chosen. */
  readonly weblogs?: WeblogStack;
  /** With a workshop file: one Stage per attendee. */
  readonly attendees?: AttendeeDeployment[];
}

/** The weblogs stack's module, loaded only when the stack is on: it brings the EC2 modules. */
type WeblogModule = typeof import('./weblog-stack');

interface DeploymentIds {
  readonly stackId: string;
  readonly stackName: string;
  readonly weblogs: (module: WeblogModule) => { readonly id: string; readonly name: string };
}

/** The Wild Rydes stack, and the weblogs stack with the log-shipping lab, of one deployment, in `scope`. */
function addDeployment(
  scope: Construct,
  ids: DeploymentIds,
  config: WildRydesConfig,
  env: Environment | undefined,
): { stack: WildRydesStack; weblogs?: WeblogStack } {
  const stack = new WildRydesStack(scope, ids.stackId, {
    stackName: ids.stackName,
    prefix: config.prefix,
    telemetryCapacity: config.telemetryCapacity,
    alarmEmail: config.alarmEmail,
    labs: config.labs,
    env,
    description: 'Wild Rydes real-time streaming pipeline',
  });
  const weblogModule = config.labs.includes('weblogs')
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('./weblog-stack') as WeblogModule)
    : undefined;
  const weblogIds = weblogModule && ids.weblogs(weblogModule);
  const weblogs =
    weblogModule && weblogIds
      ? new weblogModule.WeblogStack(scope, weblogIds.id, {
          stackName: weblogIds.name,
          prefix: config.prefix,
          httpAllowedCidr: config.weblogsHttpCidr,
          env,
          description:
            'Wild Rydes web-server access logs: Apache and the Kinesis Agent on EC2, weblogs stream, Firehose to S3 (the log-shipping lab)',
        })
      : undefined;
  return { stack, ...(weblogs ? { weblogs } : {}) };
}

const environment = (account?: string, region?: string): Environment | undefined =>
  account || region ? { account, region } : undefined;

export interface BuildOptions {
  /**
   * Run cdk-nag's AwsSolutions checks on every synth of the app, failing it on any
   * unacknowledged finding. `bin/wildrydes.ts` turns them on with `-c validate=true` (deploys,
   * `npm run provision`); every test's synth has them.
   * @default true
   */
  readonly policyChecks?: boolean;
}

/**
 * Builds the whole CDK app from one config into `app`. `bin/wildrydes.ts` and the tests both
 * call this, so what is tested is what is deployed.
 *
 * Without a workshop file: one deployment, the stack `WildRydes` (or `WildRydes-<prefix>`).
 * With one: a Stage per attendee (`cdk deploy 'alice/*'`), in the attendee's account and
 * region, its stacks named `WildRydes-<id>` so every name is unique across the workshop.
 */
export function buildApp(app: App, config: WildRydesConfig, options: BuildOptions = {}): BuiltApp {
  if (options.policyChecks ?? true) {
    // Loaded only when used: cdk-nag and the CDK modules its rules read take a while to load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  // Aspects stop at Stage boundaries, so each attendee's Stage gets its own.
  const addAspects = (scope: App | Stage) =>
    Aspects.of(scope).add(new FunctionLogGroups(), { priority: AspectPriority.MUTATING });

  if (config.workshop) {
    const attendees = config.workshop.attendees.map((attendee): AttendeeDeployment => {
      const env = environment(attendee.account, attendee.region);
      const stage = new Stage(app, attendee.stageId, env ? { env } : {});
      addAspects(stage);
      const deployment = addDeployment(
        stage,
        {
          stackId: 'WildRydes',
          stackName: attendee.stackName,
          weblogs: () => ({ id: 'Weblogs', name: attendee.weblogStackName }),
        },
        { ...config, prefix: attendee.prefix },
        env,
      );
      return { attendee, stage, ...deployment };
    });
    return { app, stacks: attendees.map((a) => a.stack), attendees };
  }

  addAspects(app);
  const { stack, weblogs } = addDeployment(
    app,
    {
      stackId: stackName(config.prefix),
      stackName: stackName(config.prefix),
      weblogs: (module) => ({
        id: module.weblogStackName(config.prefix),
        name: module.weblogStackName(config.prefix),
      }),
    },
    config,
    environment(config.account, config.region),
  );
  return { app, stacks: [stack], ...(weblogs ? { weblogs } : {}) };
}

/**
 * `-c validate=true`: the checks a deploy runs, during the synth: every template against
 * CloudFormation's rules (`addTemplateValidation`) and cdk-nag (`BuildOptions.policyChecks`).
 */
export const VALIDATE_CONTEXT_KEY = 'validate';

/** Whether the synth was asked to validate the templates (`-c validate=true`). */
export function templateValidationRequested(node: Node): boolean {
  const value: unknown = node.tryGetContext(VALIDATE_CONTEXT_KEY);
  if (value !== undefined && ![true, false, 'true', 'false'].includes(value as never)) {
    throw new Error(`Context "${VALIDATE_CONTEXT_KEY}" must be true or false, got ${JSON.stringify(value)}`);
  }
  return value === true || value === 'true';
}

/**
 * Checks every template of `app` with CDK's CloudFormation validation plugin (resource schemas,
 * intrinsic functions, references) and fails the synth on an error, where CDK by default only
 * warns. It costs seconds of WebAssembly per synth, so it runs where it earns that: on deploy
 * (`cdk deploy -c validate=true`, `npm run provision`) and in test/lib/template-validation.test.ts,
 * not on every synth. Call before anything is added to `app`; pass one `plugin` to several apps to
 * build its rule engine once.
 */
export function addTemplateValidation(app: App, plugin = new CloudFormationValidatePlugin()): void {
  app.node.setContext('@aws-cdk/core:validateAgainstDefaultRules', true);
  Validations.of(app).addPlugins(plugin);
}
