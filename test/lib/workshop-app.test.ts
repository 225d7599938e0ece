import { App, Stage } from 'aws-cdk-lib';
import { ALL_LABS } from '#core/labs';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG } from '../../lib/config';
import type { WorkshopSpec } from '../../lib/workshop';
import { readAssemblyStacks, type CfnTemplate } from '../../system/cloud-assembly';
import { bootstrapPlan, deployRoleName } from '../../ops/provision';
import { buildWorkshop } from '../support/synth';

/** Three attendees across two accounts: Alice and Bob share one (and a region), Carol has her own. */
const SPEC: WorkshopSpec = {
  attendees: [
    { id: 'alice', account: '111111111111', region: 'us-east-1' },
    { id: 'bob', account: '111111111111', region: 'us-east-1' },
    { id: 'carol', account: '222222222222', region: 'eu-west-1' },
  ],
};
const WITH_WEBLOGS = { labs: ALL_LABS };

interface DeployedTemplate {
  readonly attendee: string;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

function templatesOf(built: ReturnType<typeof buildWorkshop>): DeployedTemplate[] {
  return built.attendees.flatMap(({ attendee, stack, weblogs }) =>
    [stack, ...(weblogs ? [weblogs] : [])].map((s) => ({
      attendee: attendee.id,
      stackName: s.stackName,
      account: s.account,
      region: s.region,
      template: Template.fromStack(s).toJSON() as CfnTemplate,
    })),
  );
}

/**
 * Where each resource type's physical name lives, and whether it must be unique in the whole
 * account (IAM, CloudFront, CloudWatch dashboards) or per region. A literal name of a type not
 * listed here fails the test, so a new named resource cannot slip past the collision check.
 */
const PHYSICAL_NAMES: Readonly<
  Record<string, { readonly path: readonly string[]; readonly global?: boolean }>
> = {
  'AWS::Kinesis::Stream': { path: ['Name'] },
  'AWS::DynamoDB::Table': { path: ['TableName'] },
  'AWS::Cognito::IdentityPool': { path: ['IdentityPoolName'] },
  'AWS::Athena::WorkGroup': { path: ['Name'] },
  'AWS::Glue::Database': { path: ['DatabaseInput', 'Name'] },
  'AWS::CloudWatch::Dashboard': { path: ['DashboardName'], global: true },
  'AWS::CloudWatch::Alarm': { path: ['AlarmName'] },
  'AWS::CloudFront::OriginAccessControl': { path: ['OriginAccessControlConfig', 'Name'], global: true },
  'AWS::EC2::LaunchTemplate': { path: ['LaunchTemplateName'] },
  'AWS::IAM::Role': { path: ['RoleName'], global: true },
  'AWS::IAM::Group': { path: ['GroupName'], global: true },
  'AWS::IAM::ManagedPolicy': { path: ['ManagedPolicyName'], global: true },
  'AWS::IAM::InstanceProfile': { path: ['InstanceProfileName'], global: true },
  'AWS::S3::Bucket': { path: ['BucketName'], global: true },
  'AWS::Logs::LogGroup': { path: ['LogGroupName'] },
  'AWS::SQS::Queue': { path: ['QueueName'] },
  'AWS::SNS::Topic': { path: ['TopicName'] },
  'AWS::Lambda::Function': { path: ['FunctionName'] },
  'AWS::KinesisFirehose::DeliveryStream': { path: ['DeliveryStreamName'] },
};

/** Literal `...Name` properties that are not names of their own resource. */
const NOT_PHYSICAL_NAMES: Readonly<Record<string, readonly string[]>> = {
  'AWS::IAM::Policy': ['PolicyName'], // inline in its role
  'AWS::Glue::Table': ['DatabaseName'], // the database it belongs to; its own name is per database
  'AWS::CloudWatch::Alarm': ['MetricName'],
  'AWS::SNS::Topic': ['DisplayName'],
};

/** Every physical name with the scope it must be unique in: "account/region type name". */
function physicalNames(deployed: readonly DeployedTemplate[]): string[] {
  const names: string[] = [];
  for (const d of deployed) {
    for (const [id, resource] of Object.entries(d.template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      const rule = PHYSICAL_NAMES[resource.Type];
      for (const [key, value] of Object.entries(props)) {
        if (!key.endsWith('Name') || typeof value !== 'string') continue;
        if (rule?.path.length === 1 && rule.path[0] === key) continue;
        if (NOT_PHYSICAL_NAMES[resource.Type]?.includes(key)) continue;
        throw new Error(
          `${d.stackName}/${id}: literal ${resource.Type} ${key} "${value}" is not in PHYSICAL_NAMES`,
        );
      }
      if (!rule) continue;
      const value = rule.path.reduce<unknown>(
        (v, k) => (v as Record<string, unknown> | undefined)?.[k],
        props,
      );
      if (typeof value !== 'string') continue;
      names.push(`${d.account}/${rule.global ? '*' : d.region} ${resource.Type} ${value}`);
    }
  }
  return names;
}

const duplicates = (xs: readonly string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);

let built: ReturnType<typeof buildWorkshop>;
let deployed: DeployedTemplate[];
beforeAll(() => {
  built = buildWorkshop(SPEC, WITH_WEBLOGS);
  deployed = templatesOf(built);
});

describe('a workshop of three attendees across two accounts', () => {
  it('builds one Stage per attendee, in its account and region, with its stacks', () => {
    expect(
      built.attendees.map(({ stage, stack, weblogs }) => [
        stage.node.id,
        stack.node.path,
        stack.stackName,
        stack.account,
        stack.region,
        weblogs?.stackName,
      ]),
    ).toEqual([
      ['alice', 'alice/WildRydes', 'WildRydes-alice', '111111111111', 'us-east-1', 'WildRydes-alice-Weblogs'],
      ['bob', 'bob/WildRydes', 'WildRydes-bob', '111111111111', 'us-east-1', 'WildRydes-bob-Weblogs'],
      ['carol', 'carol/WildRydes', 'WildRydes-carol', '222222222222', 'eu-west-1', 'WildRydes-carol-Weblogs'],
    ]);
    expect(built.attendees.every((a) => a.stage instanceof Stage && a.stage.node.scope === built.app)).toBe(
      true,
    );
    expect(built.built.stacks).toEqual(built.attendees.map((a) => a.stack));
  });

  it('prefixes the names of attendees who share an account; the one alone keeps the seed names', () => {
    const names = (id: string) => built.attendees.find((a) => a.attendee.id === id)!.stack.names;
    expect(names('alice')).toMatchObject({
      telemetryStream: 'alice-wildrydes',
      summaryStream: 'alice-wildrydes-summary',
      summaryTable: 'alice-UnicornSensorData',
      identityPool: 'alice_wildrydes_dashboard',
    });
    expect(names('bob').telemetryStream).toBe('bob-wildrydes');
    expect(names('carol')).toMatchObject({
      telemetryStream: 'wildrydes',
      summaryStream: 'wildrydes-summary',
      summaryTable: 'UnicornSensorData',
    });
    const carol = deployed.find((d) => d.stackName === 'WildRydes-carol')!.template;
    expect(JSON.stringify(carol)).toContain('"Name":"wildrydes-summary"');
  });

  it('has no physical name twice in an account (or region) and no stack name twice', () => {
    const names = physicalNames(deployed);
    expect(names.length).toBeGreaterThan(30);
    expect(duplicates(names)).toEqual([]);
    const stackNames = deployed.map((d) => d.stackName);
    expect(duplicates(stackNames)).toEqual([]);
  });

  it('would catch a collision (the check is live)', () => {
    const alice = deployed.filter((d) => d.attendee === 'alice');
    const twice = physicalNames([...alice, ...alice]);
    expect(duplicates(twice)).toEqual(
      expect.arrayContaining(['111111111111/us-east-1 AWS::Kinesis::Stream alice-wildrydes']),
    );
    // Unprefixed deployments side by side in one account collide on the seed names.
    const carolInAlicesAccount = deployed
      .filter((d) => d.attendee === 'carol')
      .map((d) => ({ ...d, account: '111111111111' }));
    expect(duplicates(physicalNames([...carolInAlicesAccount, ...carolInAlicesAccount]))).toContain(
      '111111111111/eu-west-1 AWS::DynamoDB::Table UnicornSensorData',
    );
  });

  it('synthesizes the same templates every time', () => {
    const again = templatesOf(buildWorkshop(SPEC, WITH_WEBLOGS));
    expect(again.map((d) => d.stackName)).toEqual(deployed.map((d) => d.stackName));
    again.forEach((d, i) => expect(JSON.stringify(d.template)).toBe(JSON.stringify(deployed[i].template)));
  });

  it('passes cdk-nag in every Stage and deploys through each target account’s bootstrap roles', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'workshop-assembly-'));
    try {
      const { app } = buildWorkshop(SPEC, WITH_WEBLOGS, { outdir: dir });
      expect(() => app.synth()).not.toThrow();
      const stacks = readAssemblyStacks(dir);
      expect(stacks.map((s) => [s.stage, s.displayName, s.stackName, s.account, s.region])).toEqual([
        ['alice', 'alice/WildRydes', 'WildRydes-alice', '111111111111', 'us-east-1'],
        ['alice', 'alice/Weblogs', 'WildRydes-alice-Weblogs', '111111111111', 'us-east-1'],
        ['bob', 'bob/WildRydes', 'WildRydes-bob', '111111111111', 'us-east-1'],
        ['bob', 'bob/Weblogs', 'WildRydes-bob-Weblogs', '111111111111', 'us-east-1'],
        ['carol', 'carol/WildRydes', 'WildRydes-carol', '222222222222', 'eu-west-1'],
        ['carol', 'carol/Weblogs', 'WildRydes-carol-Weblogs', '222222222222', 'eu-west-1'],
      ]);
      // The CLI deploys each stack by assuming the deploy role of the stack's own account and
      // region: from the facilitator's account that works once the bootstrap trusts it.
      for (const s of stacks) {
        expect(s.deployRoleArn).toBe(
          `arn:\${AWS::Partition}:iam::${s.account}:role/${deployRoleName(s.account!, s.region!)}`,
        );
      }
      const plan = bootstrapPlan(
        built.attendees.map((a) => a.attendee),
        { facilitatorAccount: '999999999999' },
      );
      expect(plan.map((p) => p.command)).toEqual([
        'npx cdk bootstrap aws://111111111111/us-east-1 --trust 999999999999 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess',
        'npx cdk bootstrap aws://222222222222/eu-west-1 --trust 999999999999 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess',
      ]);
      // Every environment a stack deploys to is bootstrapped by the plan.
      const bootstrapped = plan.flatMap((p) => p.regions.map((r) => `${p.account}/${r}`));
      for (const s of stacks) expect(bootstrapped).toContain(`${s.account}/${s.region}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('without a workshop file', () => {
  it('is the single unprefixed stack WildRydes, as before', () => {
    const app = new App();
    const result = buildApp(app, DEFAULT_CONFIG);
    expect(result.attendees).toBeUndefined();
    expect(result.stacks).toHaveLength(1);
    const [stack] = result.stacks;
    expect([stack.node.path, stack.stackName, stack.node.scope]).toEqual(['WildRydes', 'WildRydes', app]);
    expect(stack.names.telemetryStream).toBe('wildrydes');
    expect(stack.names.summaryStream).toBe('wildrydes-summary');
  });
});
