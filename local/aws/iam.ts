import { randomBytes } from 'node:crypto';
import type { IamEvaluator } from '../../system/iam-evaluator';
import type { PolicyDocument } from '../../system/iam-model';
import type {
  IdentityAuthority,
  IssuedCredentials,
  IssueOptions,
  RoleInfo,
  TrustPrincipal,
} from './identity';
import type { Caller, Decision } from './service';

/**
 * The local account's IAM, as the endpoint applies it: temporary credentials issued for the
 * templates' roles (to functions, delivery streams, the log agent, and through STS and Cognito)
 * act as those roles, and every request made with them is decided by the IAM policy engine over
 * the synthesized policies; any other access key is the account's administrator, as an
 * administrator's own keys are in a real account. A session token the endpoint never issued (a
 * restart forgot it) is refused as AWS refuses an invalid token.
 */

interface Session {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: number;
  readonly sessionPolicy?: PolicyDocument;
  readonly assumedRoleArn: string;
}

export type CallerLookup = { readonly caller: Caller } | { readonly invalid: string };

const key = (prefix: string, length: number) =>
  `${prefix}${randomBytes(length)
    .toString('hex')
    .toUpperCase()
    .slice(0, length - prefix.length)}`;

export class LocalIam implements IdentityAuthority {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly evaluator: IamEvaluator,
    readonly accountId: string,
    private readonly now: () => number = Date.now,
  ) {}

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
    return this.evaluator.trusts(
      roleArn,
      principal.type === 'AWS' ? principal.arn : principal.provider,
      action,
      context,
    );
  }

  issue(roleArn: string, sessionName: string, options: IssueOptions = {}): IssuedCredentials {
    const role = this.evaluator.role(roleArn);
    if (!role) throw new Error(`No role ${roleArn} in the templates`);
    const accessKeyId = key('ASIA', 20);
    const session: Session = {
      roleArn,
      sessionName,
      secretAccessKey: randomBytes(30).toString('base64').slice(0, 40),
      sessionToken: `local-${randomBytes(48).toString('base64url')}`,
      expiration: this.now() + (options.durationSeconds ?? 3600) * 1000,
      assumedRoleArn: `arn:aws:sts::${this.accountId}:assumed-role/${role.name}/${sessionName}`,
      ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    };
    this.sessions.set(accessKeyId, session);
    return {
      accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: new Date(session.expiration),
      assumedRoleArn: session.assumedRoleArn,
      assumedRoleId: `${role.roleId}:${sessionName}`,
    };
  }

  /** Who holds `accessKeyId` (with the session token the request carried). */
  lookup(accessKeyId: string, sessionToken: string | undefined): CallerLookup {
    const session = this.sessions.get(accessKeyId);
    if (!session) {
      if (sessionToken) return { invalid: 'The security token included in the request is invalid.' };
      return {
        caller: { kind: 'administrator', accessKeyId, arn: `arn:aws:iam::${this.accountId}:root` },
      };
    }
    if (sessionToken !== session.sessionToken) {
      return { invalid: 'The security token included in the request is invalid.' };
    }
    if (this.now() >= session.expiration) {
      return { invalid: 'The security token included in the request is expired' };
    }
    return {
      caller: {
        kind: 'role',
        accessKeyId,
        roleArn: session.roleArn,
        arn: session.assumedRoleArn,
        sessionName: session.sessionName,
      },
    };
  }

  /** IAM's decision on `caller` doing `action` on `resource`. */
  async authorize(
    caller: Caller,
    action: string,
    resource: string,
    context: Readonly<Record<string, string>>,
  ): Promise<Decision> {
    if (caller.kind === 'administrator') return { allowed: true };
    if (caller.kind === 'anonymous') {
      return { allowed: false, reason: 'anonymous requests are not allowed' };
    }
    const session = this.sessions.get(caller.accessKeyId);
    const decision = await this.evaluator.evaluate({
      principal: {
        kind: 'role',
        roleArn: caller.roleArn,
        sessionName: caller.sessionName,
        ...(session?.sessionPolicy ? { sessionPolicy: session.sessionPolicy } : {}),
      },
      action,
      resource,
      context,
    });
    return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
  }
}
