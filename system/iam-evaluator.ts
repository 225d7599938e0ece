import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { IamGroup, IamRole, PolicyDocument, ResourcePolicy, StackIam } from './iam-model';

/**
 * IAM's decision on a request, made by a real policy engine (`@cloud-copilot/iam-simulate`)
 * over the synthesized system's policies: the principal's identity policies (a role's, or a
 * group's for its users), the session policy of a scoped-down session, and the target's own
 * resource policy (bucket, queue, topic, stream), with the request's context keys. The local
 * endpoint asks it for every request made with role credentials; the template tests ask it
 * for every data-flow edge of the system.
 */

export type Principal =
  /** A session of one of the templates' roles. */
  | {
      readonly kind: 'role';
      readonly roleArn: string;
      readonly sessionName?: string;
      readonly sessionPolicy?: PolicyDocument;
    }
  /** A user in one of the templates' groups (the producers' groups). */
  | { readonly kind: 'group'; readonly groupArn: string }
  /** An AWS service acting for the account (CloudWatch publishing an alarm). */
  | { readonly kind: 'service'; readonly service: string };

export interface EvaluationRequest {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface Evaluation {
  readonly allowed: boolean;
  /** `ImplicitlyDenied`, `ExplicitlyDenied`, or what made the request invalid. */
  readonly reason: string;
}

/** What every request carries: the local endpoint stands for AWS's HTTPS endpoints. */
const BASE_CONTEXT = { 'aws:SecureTransport': 'true' };

export class IamEvaluator {
  private readonly roles = new Map<string, IamRole>();
  private readonly groups = new Map<string, IamGroup>();
  private readonly resourcePolicies: ResourcePolicy[] = [];
  private readonly cache = new Map<string, Promise<Evaluation>>();

  constructor(
    stacks: readonly { readonly iam: StackIam }[],
    private readonly accountId: string,
  ) {
    for (const { iam } of stacks) {
      for (const role of iam.roles) this.roles.set(role.arn, role);
      for (const group of iam.groups) this.groups.set(group.arn, group);
      this.resourcePolicies.push(...iam.resourcePolicies);
    }
  }

  role(arn: string): IamRole | undefined {
    return this.roles.get(arn);
  }

  get allRoles(): IamRole[] {
    return [...this.roles.values()];
  }

  /** The resource policy governing `resource` (a bucket's covers its objects), if any. */
  resourcePolicyOf(resource: string): PolicyDocument | undefined {
    const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
    const arns = bucket ? [`arn:aws:s3:::${bucket}`] : [resource];
    return this.resourcePolicies.find((p) => p.resourceArns.some((arn) => arns.includes(arn)))?.document;
  }

  /** IAM's decision; the same question gets the same (cached) answer. */
  evaluate(request: EvaluationRequest): Promise<Evaluation> {
    const key = JSON.stringify(request);
    let decision = this.cache.get(key);
    if (!decision) {
      decision = this.decide(request);
      this.cache.set(key, decision);
    }
    return decision;
  }

  private principalArn(principal: Principal): string {
    switch (principal.kind) {
      case 'role': {
        const name = principal.roleArn.split('/').pop();
        return `arn:aws:sts::${this.accountId}:assumed-role/${name}/${principal.sessionName ?? 'session'}`;
      }
      case 'group':
        return `arn:aws:iam::${this.accountId}:user/member-of-${principal.groupArn.split('/').pop()}`;
      case 'service':
        return principal.service;
    }
  }

  private identityPolicies(principal: Principal): { name: string; policy: PolicyDocument }[] {
    const policies =
      principal.kind === 'role'
        ? (this.roles.get(principal.roleArn)?.policies ?? [])
        : principal.kind === 'group'
          ? (this.groups.get(principal.groupArn)?.policies ?? [])
          : [];
    return policies.map((p, i) => ({ name: `${p.name}-${i}`, policy: p.document }));
  }

  private async simulate(
    request: EvaluationRequest,
    identityPolicies: { name: string; policy: PolicyDocument }[],
  ): Promise<Evaluation> {
    const resourcePolicy = this.resourcePolicyOf(request.resource);
    const principalArn = this.principalArn(request.principal);
    const simulation = {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        action: request.action,
        principal: principalArn,
        resource: { accountId: this.accountId, resource: request.resource },
        contextVariables: {
          ...BASE_CONTEXT,
          ...(request.principal.kind === 'role' ? { 'aws:PrincipalArn': request.principal.roleArn } : {}),
          ...request.context,
        },
      },
    } as unknown as Simulation;
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') {
      return { allowed: false, reason: `not evaluable: ${JSON.stringify(result.errors).slice(0, 300)}` };
    }
    return { allowed: result.overallResult === 'Allowed', reason: result.overallResult };
  }

  private async decide(request: EvaluationRequest): Promise<Evaluation> {
    const { principal } = request;
    if (principal.kind === 'role' && !this.roles.has(principal.roleArn)) {
      return { allowed: false, reason: `no role ${principal.roleArn} in the templates` };
    }
    const decision = await this.simulate(request, this.identityPolicies(principal));
    if (!decision.allowed || principal.kind !== 'role' || !principal.sessionPolicy) return decision;
    // A session policy limits the session to what both it and the role's policies allow.
    const session = await this.simulate(request, [{ name: 'session', policy: principal.sessionPolicy }]);
    return session.allowed ? decision : { allowed: false, reason: `${session.reason} by the session policy` };
  }

  /** The trust policy of `roleArn` admitting `principal` (an ARN or a federated provider). */
  async trusts(
    roleArn: string,
    principal: string,
    action: string,
    context: Readonly<Record<string, string | readonly string[]>>,
  ): Promise<Evaluation> {
    const role = this.roles.get(roleArn);
    if (!role) return { allowed: false, reason: `no role ${roleArn}` };
    const result = await runSimulation(
      {
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: role.trustPolicy,
        request: {
          action,
          principal,
          resource: { accountId: this.accountId, resource: roleArn },
          contextVariables: { ...BASE_CONTEXT, ...context },
        },
      } as unknown as Simulation,
      {},
    );
    if (result.resultType === 'error') return { allowed: false, reason: 'trust policy not evaluable' };
    return { allowed: result.overallResult === 'Allowed', reason: result.overallResult };
  }
}
