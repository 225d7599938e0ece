/**
 * The physical names a set of deployed stacks would claim, each with the scope AWS keeps it
 * unique in: the partition (S3 bucket names), the account (IAM, CloudFront, CloudWatch
 * dashboards, which are global), or the account's region (everything else named here).
 */
import type { CfnTemplate } from '../../system/cloud-assembly';
import type { Resolver } from '../../system/iam-model';

export type NameScope = 'partition' | 'account' | 'region';

/**
 * Where each resource type's physical name lives, and the scope it must be unique in. A name
 * property of a type not listed here fails `physicalNames`, so a new named resource cannot slip
 * past the collision checks.
 */
export const PHYSICAL_NAMES: Readonly<
  Record<
    string,
    {
      readonly path: readonly string[];
      readonly scope: NameScope;
      /** The parent the name is unique within (a Glue table's database). */
      readonly within?: string;
    }
  >
> = {
  'AWS::S3::Bucket': { path: ['BucketName'], scope: 'partition' },
  'AWS::IAM::Role': { path: ['RoleName'], scope: 'account' },
  'AWS::IAM::Group': { path: ['GroupName'], scope: 'account' },
  'AWS::IAM::User': { path: ['UserName'], scope: 'account' },
  'AWS::IAM::ManagedPolicy': { path: ['ManagedPolicyName'], scope: 'account' },
  'AWS::IAM::InstanceProfile': { path: ['InstanceProfileName'], scope: 'account' },
  'AWS::CloudWatch::Dashboard': { path: ['DashboardName'], scope: 'account' },
  'AWS::CloudFront::OriginAccessControl': { path: ['OriginAccessControlConfig', 'Name'], scope: 'account' },
  'AWS::CloudFront::CachePolicy': { path: ['CachePolicyConfig', 'Name'], scope: 'account' },
  'AWS::CloudFront::ResponseHeadersPolicy': {
    path: ['ResponseHeadersPolicyConfig', 'Name'],
    scope: 'account',
  },
  'AWS::CloudFront::Function': { path: ['Name'], scope: 'account' },
  'AWS::Kinesis::Stream': { path: ['Name'], scope: 'region' },
  'AWS::DynamoDB::Table': { path: ['TableName'], scope: 'region' },
  'AWS::Cognito::IdentityPool': { path: ['IdentityPoolName'], scope: 'region' },
  'AWS::Athena::WorkGroup': { path: ['Name'], scope: 'region' },
  'AWS::Glue::Database': { path: ['DatabaseInput', 'Name'], scope: 'region' },
  'AWS::Glue::Table': { path: ['TableInput', 'Name'], scope: 'region', within: 'DatabaseName' },
  'AWS::CloudWatch::Alarm': { path: ['AlarmName'], scope: 'region' },
  'AWS::EC2::LaunchTemplate': { path: ['LaunchTemplateName'], scope: 'region' },
  'AWS::Logs::LogGroup': { path: ['LogGroupName'], scope: 'region' },
  'AWS::SQS::Queue': { path: ['QueueName'], scope: 'region' },
  'AWS::SNS::Topic': { path: ['TopicName'], scope: 'region' },
  'AWS::Lambda::Function': { path: ['FunctionName'], scope: 'region' },
  'AWS::KinesisFirehose::DeliveryStream': { path: ['DeliveryStreamName'], scope: 'region' },
};

/** `...Name` properties that are not the name of their own resource. */
const NOT_PHYSICAL_NAMES: Readonly<Record<string, readonly string[]>> = {
  'AWS::IAM::Policy': ['PolicyName'], // inline in its role
  'AWS::Glue::Table': ['DatabaseName'], // the database it belongs to
  'AWS::CloudWatch::Alarm': ['MetricName'],
  'AWS::SNS::Topic': ['DisplayName'],
  'AWS::Lambda::EventSourceMapping': ['FunctionName'],
  'AWS::Lambda::Permission': ['FunctionName'],
  'AWS::Logs::LogStream': ['LogGroupName'], // the group it is in; its own name is per group
  'AWS::EC2::FlowLog': ['LogGroupName'], // where it delivers
};

export interface DeployedStack {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
  /** Resolves the template's intrinsics as deployed in `account` and `region`. */
  readonly resolver: Resolver;
}

const at = (value: unknown, path: readonly string[]) =>
  path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);

/**
 * Every explicit physical name the stacks claim, as `scope-key type name` (a name CloudFormation
 * generates carries the stack name and a random suffix, so it cannot collide).
 */
export function physicalNames(stacks: readonly DeployedStack[]): string[] {
  const names: string[] = [];
  for (const d of stacks) {
    for (const [id, resource] of Object.entries(d.template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      const rule = PHYSICAL_NAMES[resource.Type];
      // Custom resources name what they act on, not themselves.
      for (const key of resource.Type.startsWith('AWS::') ? Object.keys(props) : []) {
        if (!key.endsWith('Name') || (rule?.path.length === 1 && rule.path[0] === key)) continue;
        if (NOT_PHYSICAL_NAMES[resource.Type]?.includes(key)) continue;
        if (rule && rule.path[0] === key) continue;
        throw new Error(`${d.stackName}/${id}: ${resource.Type} ${key} is not in PHYSICAL_NAMES`);
      }
      if (!rule) continue;
      const value = at(props, rule.path);
      if (value === undefined) continue;
      const name = d.resolver.string(value, `${d.stackName}/${id}.${rule.path.join('.')}`);
      const scope =
        rule.scope === 'partition'
          ? 'aws'
          : rule.scope === 'account'
            ? d.account
            : `${d.account}/${d.region}`;
      const parent = rule.within ? `${d.resolver.string(props[rule.within], `${id}.${rule.within}`)}.` : '';
      names.push(`${scope} ${resource.Type} ${parent}${name}`);
    }
  }
  return names;
}

export const duplicates = (xs: readonly string[]) => [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];
