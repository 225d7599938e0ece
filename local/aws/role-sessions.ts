import { randomBytes } from 'node:crypto';
import { uniqueId } from '../../system/iam-model';
import type { IssueOptions, IssuedCredentials, PolicyDocument, RoleInfo } from './identity';
import type { Caller } from './service';

/**
 * The temporary credentials handed out for the templates' roles, and who signs with them: an
 * access key issued for a role session is that session (a `role` caller); any other key is the
 * local account's administrator, as a long-term key of the account would be. An identity
 * authority issues through this and the endpoint's `callerOf` reads it.
 */

export interface RoleSession extends IssuedCredentials {
  readonly roleArn: string;
  readonly sessionName: string;
  /** The session policy the session was issued with (Cognito's guest scope-down, AssumeRole's Policy). */
  readonly sessionPolicy?: PolicyDocument;
}

/** The account's root user: who an access key outside the templates' roles signs as. */
export const administratorArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

/** `arn:aws:sts::<account>:assumed-role/<RoleName>/<session>` (the role's path is not part of it). */
export const assumedRoleArn = (accountId: string, roleName: string, sessionName: string) =>
  `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;

/** The account id of an ARN (`arn:aws:iam::123456789012:role/x` → `123456789012`). */
export const accountOf = (arn: string) => arn.split(':')[4] ?? '';

export { uniqueId } from '../../system/iam-model';

export interface RoleSessionsOptions {
  readonly accountId: string;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

export class RoleSessions {
  private readonly sessions = new Map<string, RoleSession>();
  private readonly now: () => number;

  constructor(private readonly options: RoleSessionsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** New temporary credentials for a session of `role`. */
  issue(role: RoleInfo, sessionName: string, options: IssueOptions = {}): RoleSession {
    const accessKeyId = uniqueId('ASIA');
    const session: RoleSession = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      expiration: new Date(Math.floor(this.now() / 1000) * 1000 + (options.durationSeconds ?? 3600) * 1000),
      assumedRoleArn: assumedRoleArn(accountOf(role.arn) || this.options.accountId, role.name, sessionName),
      assumedRoleId: `${role.roleId}:${sessionName}`,
      roleArn: role.arn,
      sessionName,
      ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    };
    this.sessions.set(accessKeyId, session);
    return session;
  }

  /** The session an access key was issued for, if it was. */
  find(accessKeyId: string): RoleSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  /** Who signs with `accessKeyId`: the role session it was issued for, or the administrator. */
  callerOf(accessKeyId: string): Caller {
    const session = this.sessions.get(accessKeyId);
    if (!session) {
      return { kind: 'administrator', accessKeyId, arn: administratorArn(this.options.accountId) };
    }
    return {
      kind: 'role',
      accessKeyId,
      roleArn: session.roleArn,
      arn: session.assumedRoleArn,
      sessionName: session.sessionName,
    };
  }
}
