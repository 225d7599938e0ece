/**
 * A small stand-in for the local identity authority: roles with their trust policies, a trust
 * check that understands only the shapes the templates use (Principal AWS/Federated, and the
 * StringEquals and ForAnyValue:StringLike conditions), and credentials issued through the real
 * `RoleSessions`, every issue recorded.
 */
import type {
  IdentityAuthority,
  IssueOptions,
  PolicyDocument,
  RoleInfo,
  TrustPrincipal,
} from '../../local/aws/identity';
import { accountOf, RoleSessions, uniqueId, type RoleSession } from '../../local/aws/role-sessions';

export interface FakeRole {
  readonly name: string;
  readonly trustPolicy: PolicyDocument;
  /** @default 3600 */
  readonly maxSessionSeconds?: number;
}

export interface IssueCall {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly options: IssueOptions | undefined;
  readonly credentials: RoleSession;
}

type Context = Readonly<Record<string, string | readonly string[]>>;

const list = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

function principalMatches(principal: Record<string, unknown>, asker: TrustPrincipal, context: Context) {
  if (asker.type === 'Federated') return list(principal.Federated).includes(asker.provider);
  return list(principal.AWS).some(
    (arn) =>
      arn === asker.arn ||
      arn === context['aws:PrincipalArn'] ||
      (arn.endsWith(':root') && accountOf(arn) === accountOf(asker.arn)),
  );
}

function conditionsHold(condition: Record<string, Record<string, unknown>> | undefined, context: Context) {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = list(context[key]);
      const wanted = list(expected);
      if (operator === 'StringEquals') {
        if (actual.length !== 1 || !wanted.includes(actual[0])) return false;
      } else if (operator === 'ForAnyValue:StringLike') {
        if (!actual.some((value) => wanted.some((pattern) => glob(pattern).test(value)))) return false;
      } else {
        return false;
      }
    }
  }
  return true;
}

export function fakeIdentityAuthority(options: {
  accountId: string;
  roles: readonly FakeRole[];
  now?: () => number;
}) {
  const roles = new Map<string, RoleInfo>();
  for (const role of options.roles) {
    const arn = `arn:aws:iam::${options.accountId}:role/${role.name}`;
    roles.set(arn, {
      arn,
      name: role.name,
      roleId: uniqueId('AROA', arn),
      trustPolicy: role.trustPolicy,
      maxSessionSeconds: role.maxSessionSeconds ?? 3600,
    });
  }
  const sessions = new RoleSessions({ accountId: options.accountId, now: options.now });
  const issued: IssueCall[] = [];

  const authority: IdentityAuthority = {
    accountId: options.accountId,
    role: (arn) => roles.get(arn),
    async trusts(roleArn, principal, action, context) {
      const role = roles.get(roleArn);
      const statements = role ? ([] as Record<string, unknown>[]).concat(role.trustPolicy.Statement) : [];
      const allowed = statements.some(
        (s) =>
          s.Effect === 'Allow' &&
          list(s.Action).includes(action) &&
          principalMatches((s.Principal ?? {}) as Record<string, unknown>, principal, context) &&
          conditionsHold(s.Condition as Record<string, Record<string, unknown>> | undefined, context),
      );
      return allowed
        ? { allowed }
        : {
            allowed,
            reason: `none of the ${statements.length} trust statements of ${roleArn} admits the caller`,
          };
    },
    issue(roleArn, sessionName, issueOptions) {
      const role = roles.get(roleArn);
      if (!role) throw new Error(`no role ${roleArn}`);
      const credentials = sessions.issue(role, sessionName, issueOptions);
      issued.push({ roleArn, sessionName, options: issueOptions, credentials });
      return credentials;
    },
  };
  return { authority, sessions, issued, callerOf: (accessKeyId: string) => sessions.callerOf(accessKeyId) };
}

/** The trust policy CDK synthesizes for a pool's guest role (see lib/constructs/dashboard-access.ts). */
export function guestTrustPolicy(poolId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': poolId },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
        },
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
      },
    ],
  };
}
