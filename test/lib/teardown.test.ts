import { App, Aspects, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ALL_LABS, DEFAULT_LABS, type Lab } from '#core/labs';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG } from '../../lib/config';
import { FunctionLogGroups } from '../../lib/function-log-groups';
import type { CfnResource, CfnTemplate } from '../../system/cloud-assembly';
import { buildWorkshop } from '../support/synth';

/**
 * Resources that outlive `cdk destroy` on purpose, each with the reason. Everything else must
 * go with its stack: a workshop is torn down completely, in every attendee's account.
 */
const SURVIVES_DESTROY: readonly {
  readonly type: string;
  readonly logicalId: RegExp;
  readonly reason: string;
}[] = [];

/** Custom resources whose deletion is known to leave nothing behind. */
const KNOWN_CUSTOM_RESOURCES = new Set(['Custom::S3AutoDeleteObjects', 'Custom::CDKBucketDeployment']);

const KEEPING = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

const refTo = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { Ref?: unknown }).Ref === 'string'
    ? (value as { Ref: string }).Ref
    : undefined;

/** What in one template would survive `cdk destroy`, as `Stack/LogicalId (Type): why`. */
function survivors(stackName: string, template: CfnTemplate): string[] {
  const resources = template.Resources ?? {};
  const autoDeleted = new Set(
    Object.values(resources)
      .filter((r) => r.Type === 'Custom::S3AutoDeleteObjects')
      .map((r) => refTo(r.Properties?.BucketName)),
  );
  const problems: [string, CfnResource, string][] = [];
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    const add = (why: string) => problems.push([id, r, why]);
    if (KEEPING.has(r.DeletionPolicy ?? '')) add(`DeletionPolicy ${r.DeletionPolicy}`);
    if (KEEPING.has(r.UpdateReplacePolicy ?? '')) add(`UpdateReplacePolicy ${r.UpdateReplacePolicy}`);
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        // CloudFormation cannot delete a bucket that still holds objects.
        if (!autoDeleted.has(id)) add('bucket without auto-delete: a non-empty bucket fails the delete');
        break;
      case 'AWS::Logs::LogGroup':
        if (p.RetentionInDays === undefined) add('log group without retention');
        break;
      case 'AWS::Lambda::Function': {
        const group = refTo((p.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
        if (!group || resources[group]?.Type !== 'AWS::Logs::LogGroup') {
          add('logs to /aws/lambda/<name>, a log group Lambda creates and CloudFormation never deletes');
        }
        break;
      }
      case 'AWS::DynamoDB::Table':
        if (p.DeletionProtectionEnabled === true) add('deletion protection on');
        break;
      case 'AWS::EC2::Instance':
        if (p.DisableApiTermination === true) add('termination protection on');
        for (const m of (p.BlockDeviceMappings ?? []) as { Ebs?: { DeleteOnTermination?: unknown } }[]) {
          if (m.Ebs?.DeleteOnTermination === false) add('EBS volume kept after termination');
        }
        break;
      case 'Custom::CDKBucketDeployment':
        if (!autoDeleted.has(refTo(p.DestinationBucketName)))
          add('deploys into a bucket that is not auto-deleted');
        break;
      default:
        if (r.Type.startsWith('Custom::') && !KNOWN_CUSTOM_RESOURCES.has(r.Type)) {
          add('custom resource: what it creates outside CloudFormation is unknown');
        }
    }
  }
  return problems
    .filter(([id, r]) => !SURVIVES_DESTROY.some((s) => s.type === r.Type && s.logicalId.test(id)))
    .map(([id, r, why]) => `${stackName}/${id} (${r.Type}): ${why}`);
}

const templateOf = (stack: Stack) => Template.fromStack(stack).toJSON() as CfnTemplate;

describe('every synthesized template destroys cleanly', () => {
  it('the app with every lab, the web-server stack included', () => {
    const { stacks, weblogs } = buildApp(new App(), { ...DEFAULT_CONFIG, labs: ALL_LABS });
    const all = [...stacks, weblogs!];
    expect(all.map((s) => s.stackName)).toEqual(['WildRydes', 'WildRydes-Weblogs']);
    for (const stack of all) expect(survivors(stack.stackName, templateOf(stack))).toEqual([]);
  });

  it.each([[['streaming']], [['streaming', 'aggregation']], [DEFAULT_LABS]] as const)(
    'the app with the labs %p',
    (labs: readonly Lab[]) => {
      const { stacks } = buildApp(new App(), { ...DEFAULT_CONFIG, labs });
      for (const stack of stacks) expect(survivors(stack.stackName, templateOf(stack))).toEqual([]);
    },
  );

  it('a workshop: every attendee’s Stage, both stacks', () => {
    const { attendees } = buildWorkshop(
      {
        attendees: [
          { id: 'alice', account: '111111111111', region: 'us-east-1' },
          { id: 'bob', account: '111111111111', region: 'us-east-1' },
          { id: 'carol', account: '222222222222', region: 'eu-west-1' },
        ],
      },
      { labs: ALL_LABS },
    );
    const stacks = attendees.flatMap((a) => [a.stack, a.weblogs!]);
    expect(stacks).toHaveLength(6);
    for (const stack of stacks) expect(survivors(stack.stackName, templateOf(stack))).toEqual([]);
  });

  it('every reason for a survivor is written down', () => {
    for (const entry of SURVIVES_DESTROY) expect(entry.reason.length).toBeGreaterThan(20);
  });
});

describe('the check itself', () => {
  it('finds what would survive', () => {
    const stack = new Stack(new App(), 'Careless');
    new Bucket(stack, 'Kept', { removalPolicy: RemovalPolicy.RETAIN });
    new Bucket(stack, 'Full', { removalPolicy: RemovalPolicy.DESTROY });
    new CfnFunction(stack, 'Fn', {
      code: { zipFile: 'x' },
      role: 'arn:aws:iam::111111111111:role/r',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
    });
    const found = survivors('Careless', templateOf(stack)).join('\n');
    expect(found).toMatch(/Careless\/Kept[0-9A-F]+ \(AWS::S3::Bucket\): DeletionPolicy Retain/);
    expect(found).toMatch(/Kept[0-9A-F]+ \(AWS::S3::Bucket\): bucket without auto-delete/);
    expect(found).toMatch(/Full[0-9A-F]+ \(AWS::S3::Bucket\): bucket without auto-delete/);
    expect(found).toMatch(/Fn \(AWS::Lambda::Function\): logs to \/aws\/lambda\/<name>/);
  });

  it('flags a log group without retention', () => {
    const found = survivors('T', {
      Resources: { Logs: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete', Properties: {} } },
    });
    expect(found).toEqual(['T/Logs (AWS::Logs::LogGroup): log group without retention']);
  });
});

describe('FunctionLogGroups', () => {
  it('gives CDK’s own provider functions a log group the stack deletes after them', () => {
    const stack = new Stack(new App(), 'Provider');
    new Bucket(stack, 'Site', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    Aspects.of(stack).add(new FunctionLogGroups());
    const template = templateOf(stack);
    const [fnId, fn] = Object.entries(template.Resources!).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
    )!;
    const group = refTo((fn.Properties!.LoggingConfig as { LogGroup: unknown }).LogGroup)!;
    expect(template.Resources![group]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Delete',
      Properties: { RetentionInDays: 7 },
    });
    // The function refers to the group, so CloudFormation deletes the group after the function.
    expect(fnId).toMatch(/^CustomS3AutoDeleteObjectsCustomResourceProviderHandler/);
    expect(survivors('Provider', template)).toEqual([]);
  });

  it('leaves a function that has its own log group alone', () => {
    const stack = new Stack(new App(), 'Own');
    const logs = new LogGroup(stack, 'Logs', { removalPolicy: RemovalPolicy.DESTROY });
    new CfnFunction(stack, 'Fn', {
      code: { zipFile: 'x' },
      role: 'arn:aws:iam::111111111111:role/r',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      loggingConfig: { logGroup: logs.logGroupName },
    });
    Aspects.of(stack).add(new FunctionLogGroups());
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
  });
});
