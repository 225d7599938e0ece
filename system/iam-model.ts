import { createHash, randomBytes } from 'node:crypto';
import type { CfnResource } from './cloud-assembly';

/**
 * The IAM side of a synthesized stack, intrinsics resolved: its roles (trust policy, inline and
 * attached customer-managed policies), its groups, the resource policies of its buckets,
 * queues, topics and streams, and its Cognito identity pools. Read once from the template; the
 * local endpoint enforces it and the template tests evaluate every data-flow edge against it.
 */

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

export interface IamRole {
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  /** A stable id in the form IAM gives (`AROA…`). */
  readonly roleId: string;
  readonly trustPolicy: PolicyDocument;
  /** Inline policies and customer-managed policies attached to it. */
  readonly policies: readonly NamedPolicy[];
  /** AWS-managed policies attached by ARN (their documents are AWS's, not in the template). */
  readonly awsManagedPolicyArns: readonly string[];
  readonly maxSessionSeconds: number;
}

export interface IamGroup {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly policies: readonly NamedPolicy[];
}

/** A policy attached to a resource: a bucket (and its objects), queue, topic or stream. */
export interface ResourcePolicy {
  readonly logicalId: string;
  /** The ARNs it governs; a bucket's also covers `<bucket ARN>/*`. */
  readonly resourceArns: readonly string[];
  readonly document: PolicyDocument;
}

export interface IdentityPoolModel {
  readonly logicalId: string;
  readonly id: string;
  readonly name: string;
  readonly allowUnauthenticated: boolean;
  readonly allowClassicFlow: boolean;
  readonly roles: { readonly unauthenticated?: string; readonly authenticated?: string };
}

/** An EC2 instance profile: the role an instance's software acts as. */
export interface InstanceProfileModel {
  readonly logicalId: string;
  readonly roleArns: readonly string[];
}

export interface StackIam {
  readonly roles: readonly IamRole[];
  readonly instanceProfiles: readonly InstanceProfileModel[];
  readonly groups: readonly IamGroup[];
  readonly resourcePolicies: readonly ResourcePolicy[];
  readonly identityPools: readonly IdentityPoolModel[];
}

/** How the stack reader resolves intrinsics and names: the one resolution the rest uses too. */
export interface Resolver {
  readonly accountId: string;
  /** A value with intrinsics resolved (objects and arrays deeply). */
  value(value: unknown, where: string): unknown;
  string(value: unknown, where: string): string;
  /** What `Ref` and `Fn::GetAtt` give for a resource of the stack. */
  identity(logicalId: string): {
    readonly ref: string;
    readonly attributes: Readonly<Record<string, string>>;
  };
}

const AWS_MANAGED = /^arn:aws:iam::aws:policy\//;

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * An IAM-style unique id (`ASIA…`, `AROA…`, `AIDA…`): the prefix and 16 upper-case characters,
 * random, or derived from `seed` so the same name always gets the same id.
 */
export function uniqueId(prefix: string, seed?: string): string {
  const bytes = seed === undefined ? randomBytes(16) : createHash('sha256').update(seed).digest();
  let out = prefix;
  for (let i = 0; i < 16; i++) out += KEY_CHARS[bytes[i] % KEY_CHARS.length];
  return out;
}

const refsOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [])
    .map((v) => (v as { Ref?: unknown }).Ref)
    .filter((id): id is string => typeof id === 'string');

function attachedPolicies(
  resources: Readonly<Record<string, CfnResource>>,
  resolver: Resolver,
  key: 'Roles' | 'Groups',
  logicalId: string,
): NamedPolicy[] {
  const policies: NamedPolicy[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Policy' && r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    if (!refsOf(r.Properties?.[key]).includes(logicalId)) continue;
    const name = r.Properties?.PolicyName ?? r.Properties?.ManagedPolicyName ?? id;
    policies.push({
      name: String(name),
      document: resolver.value(r.Properties?.PolicyDocument, `${id}.PolicyDocument`) as PolicyDocument,
    });
  }
  return policies;
}

function managedPolicyArns(id: string, r: CfnResource, resolver: Resolver): string[] {
  return ((r.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []).map((arn, i) =>
    resolver.string(arn, `${id}.ManagedPolicyArns[${i}]`),
  );
}

/** The template's customer-managed policies among `arns` (a role's or group's ManagedPolicyArns). */
function customerManagedPolicies(
  arns: readonly string[],
  resources: Readonly<Record<string, CfnResource>>,
  resolver: Resolver,
): NamedPolicy[] {
  const customer = arns.filter((arn) => !AWS_MANAGED.test(arn));
  return Object.entries(resources)
    .filter(
      ([mid, m]) => m.Type === 'AWS::IAM::ManagedPolicy' && customer.includes(resolver.identity(mid).ref),
    )
    .map(([mid, m]) => ({
      name: String(m.Properties?.ManagedPolicyName ?? mid),
      document: resolver.value(m.Properties?.PolicyDocument, `${mid}.PolicyDocument`) as PolicyDocument,
    }));
}

function readRole(
  id: string,
  r: CfnResource,
  resources: Readonly<Record<string, CfnResource>>,
  resolver: Resolver,
): IamRole {
  const p = r.Properties ?? {};
  const identity = resolver.identity(id);
  const inline = ((p.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []).map(
    (policy) => ({
      name: policy.PolicyName,
      document: resolver.value(policy.PolicyDocument, `${id}.Policies`) as PolicyDocument,
    }),
  );
  const managed = managedPolicyArns(id, r, resolver);
  const customerPolicies = customerManagedPolicies(managed, resources, resolver);
  return {
    logicalId: id,
    arn: identity.attributes.Arn,
    name: identity.ref,
    roleId: uniqueId('AROA', identity.attributes.Arn),
    trustPolicy: resolver.value(
      p.AssumeRolePolicyDocument,
      `${id}.AssumeRolePolicyDocument`,
    ) as PolicyDocument,
    policies: [...inline, ...customerPolicies, ...attachedPolicies(resources, resolver, 'Roles', id)],
    awsManagedPolicyArns: managed.filter((arn) => AWS_MANAGED.test(arn)),
    maxSessionSeconds: typeof p.MaxSessionDuration === 'number' ? p.MaxSessionDuration : 3600,
  };
}

/** The resources a resource policy's target property names, as ARNs. */
function policyTargets(r: CfnResource, resolver: Resolver, id: string): string[] {
  const p = r.Properties ?? {};
  const arnOf = (value: unknown, where: string) => {
    const target = (value as { Ref?: string }).Ref;
    return target ? resolver.identity(target).attributes.Arn : resolver.string(value, where);
  };
  switch (r.Type) {
    case 'AWS::S3::BucketPolicy': {
      const bucket = resolver.string(p.Bucket, `${id}.Bucket`);
      return [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
    }
    case 'AWS::SQS::QueuePolicy':
      return ((p.Queues as unknown[]) ?? []).map((q, i) => arnOf(q, `${id}.Queues[${i}]`));
    case 'AWS::SNS::TopicPolicy':
      return ((p.Topics as unknown[]) ?? []).map((t, i) => resolver.string(t, `${id}.Topics[${i}]`));
    case 'AWS::Kinesis::ResourcePolicy':
      return [resolver.string(p.ResourceArn, `${id}.ResourceArn`)];
    default:
      return [];
  }
}

const RESOURCE_POLICY_TYPES = [
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::Kinesis::ResourcePolicy',
];

function readIdentityPools(resources: Readonly<Record<string, CfnResource>>, resolver: Resolver) {
  const attachments = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::Cognito::IdentityPoolRoleAttachment',
  );
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Cognito::IdentityPool')
    .map(([id, r]): IdentityPoolModel => {
      const p = r.Properties ?? {};
      const attachment = attachments.find(
        ([, a]) => (a.Properties?.IdentityPoolId as { Ref?: string })?.Ref === id,
      );
      const roles = (attachment?.[1].Properties?.Roles ?? {}) as Record<string, unknown>;
      const role = (key: string) =>
        roles[key] === undefined
          ? {}
          : { [key]: resolver.string(roles[key], `${attachment![0]}.Roles.${key}`) };
      return {
        logicalId: id,
        id: resolver.identity(id).ref,
        name: String(p.IdentityPoolName ?? id),
        allowUnauthenticated: p.AllowUnauthenticatedIdentities === true,
        allowClassicFlow: p.AllowClassicFlow === true,
        roles: { ...role('unauthenticated'), ...role('authenticated') },
      };
    });
}

/** Reads the IAM side of one stack's resources. */
export function readStackIam(resources: Readonly<Record<string, CfnResource>>, resolver: Resolver): StackIam {
  const of = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return {
    roles: of('AWS::IAM::Role').map(([id, r]) => readRole(id, r, resources, resolver)),
    instanceProfiles: of('AWS::IAM::InstanceProfile').map(([id, r]) => ({
      logicalId: id,
      roleArns: refsOf(r.Properties?.Roles).map((roleId) => resolver.identity(roleId).attributes.Arn),
    })),
    groups: of('AWS::IAM::Group').map(([id, r]) => {
      const identity = resolver.identity(id);
      const inline = (
        (r.Properties?.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []
      ).map((policy) => ({
        name: policy.PolicyName,
        document: resolver.value(policy.PolicyDocument, `${id}.Policies`) as PolicyDocument,
      }));
      return {
        logicalId: id,
        name: identity.ref,
        arn: identity.attributes.Arn,
        // Inline, attached by the group's ManagedPolicyArns, and attached by a policy's Groups.
        policies: [
          ...inline,
          ...customerManagedPolicies(managedPolicyArns(id, r, resolver), resources, resolver),
          ...attachedPolicies(resources, resolver, 'Groups', id),
        ],
      };
    }),
    resourcePolicies: Object.entries(resources)
      .filter(([, r]) => RESOURCE_POLICY_TYPES.includes(r.Type))
      .map(([id, r]) => ({
        logicalId: id,
        resourceArns: policyTargets(r, resolver, id),
        document: resolver.value(
          r.Properties?.PolicyDocument ?? r.Properties?.ResourcePolicy,
          `${id}.PolicyDocument`,
        ) as PolicyDocument,
      })),
    identityPools: readIdentityPools(resources, resolver),
  };
}
