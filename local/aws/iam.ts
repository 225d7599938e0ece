import type { IamEvaluator } from '../../system/iam-evaluator';
import type {
  IdentityAuthority,
  IssuedCredentials,
  IssueOptions,
  RoleInfo,
  TrustPrincipal,
} from './identity';
import { RoleSessions } from './role-sessions';
import type { Caller, Decision } from './service';

/**
 * The local account's IAM, as the endpoint applies it: temporary credentials issued for the
 * templates' roles (to functions, delivery streams, the log agent, and through STS and Cognito)
 * act as those roles, and every request made with them is decided by the IAM policy engine over
 * the synthesized policies; any other access key is the account's administrator, as an
 * administrator's own keys are in a real account. A session token the endpoint never issued (a
 * restart forgot it), or one past its expiry, is refused as AWS refuses it.
 */

export type CallerLookup = { readonly caller: Caller } | { readonly invalid: string };

export class LocalIam implements IdentityAuthority {
  private readonly sessions: RoleSessions;

  constructor(
    private readonly evaluator: IamEvaluator,
    readonly accountId: string,
    private readonly now: () => number = Date.now,
  ) {
    this.sessions = new RoleSessions({ accountId, now });
  }

  role(arn: string): RoleInfo | undefined {
    const role = this.evaluator.role(arn);
    return (
      role && {
        arn: role.arn,
        name: role.name,
        roleId: role.roleId,
        trustPolicy: role.trustPolicy,
        maxSessionSeconds: role.maxSessionSeconds,
      }
    );
  }

  trusts(
    roleArn: string,
    principal: TrustPrincipal,
    action: string,
    context: Readonly<Record<string, string | readonly string[]>>,
  ): Promise<{ allowed: boolean; reason?: string }> {
    const who = principal.type === 'AWS' ? principal.arn : principal.provider;
    return this.evaluator.trusts(roleArn, who, action, context);
  }

  issue(roleArn: string, sessionName: string, options: IssueOptions = {}): IssuedCredentials {
    const role = this.role(roleArn);
    if (!role) throw new Error(`No role ${roleArn} in the templates`);
    return this.sessions.issue(role, sessionName, options);
  }

  /** Who holds `accessKeyId` (with the session token the request carried). */
  lookup(accessKeyId: string, sessionToken: string | undefined): CallerLookup {
    const session = this.sessions.find(accessKeyId);
    if (!session) {
      if (sessionToken) return { invalid: 'The security token included in the request is invalid.' };
      return { caller: this.sessions.callerOf(accessKeyId) };
    }
    if (sessionToken !== session.sessionToken) {
      return { invalid: 'The security token included in the request is invalid.' };
    }
    if (this.now() >= session.expiration.getTime()) {
      return { invalid: 'The security token included in the request is expired' };
    }
    return { caller: this.sessions.callerOf(accessKeyId) };
  }

  /** IAM's decision on `caller` doing `action` on `resource`. */
  async authorize(
    caller: Caller,
    action: string,
    resource: string,
    context: Readonly<Record<string, string>>,
  ): Promise<Decision> {
    if (caller.kind === 'administrator') return { allowed: true };
    if (caller.kind === 'anonymous') return { allowed: false, reason: 'anonymous requests are not allowed' };
    const sessionPolicy = this.sessions.find(caller.accessKeyId)?.sessionPolicy;
    const decision = await this.evaluator.evaluate({
      principal: {
        kind: 'role',
        roleArn: caller.roleArn,
        sessionName: caller.sessionName,
        ...(sessionPolicy ? { sessionPolicy } : {}),
      },
      action,
      resource,
      context,
    });
    return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
  }
}
