/**
 * The local account's identities, as the services that hand out credentials (STS, Cognito
 * Identity) and the endpoint that checks them see them: the templates' roles with their trust
 * policies, temporary credentials issued for a role session, and IAM's decision on a trust
 * policy. One implementation (`local/aws/iam.ts`) reads them from the synthesized templates and
 * evaluates with a real IAM policy engine.
 */

import type { PolicyDocument } from '../../system/iam-model';

export type { PolicyDocument } from '../../system/iam-model';

export interface RoleInfo {
  /** `arn:aws:iam::000000000000:role/Name` */
  readonly arn: string;
  readonly name: string;
  /** A stable id, as IAM's `AROA…` role ids. */
  readonly roleId: string;
  readonly trustPolicy: PolicyDocument;
  /** @default 3600 */
  readonly maxSessionSeconds: number;
}

/** Who asks to assume a role: an IAM principal (by ARN), or a federated web identity provider. */
export type TrustPrincipal =
  { readonly type: 'AWS'; readonly arn: string } | { readonly type: 'Federated'; readonly provider: string };

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** `arn:aws:sts::000000000000:assumed-role/Name/session` */
  readonly assumedRoleArn: string;
  /** `AROA…:session` */
  readonly assumedRoleId: string;
}

export interface IssueOptions {
  /** @default 3600 */
  readonly durationSeconds?: number;
  /**
   * A session policy: the session may do only what both the role's policies and this allow
   * (Cognito's enhanced flow limits guests this way).
   */
  readonly sessionPolicy?: PolicyDocument;
}

export interface IdentityAuthority {
  readonly accountId: string;
  role(arn: string): RoleInfo | undefined;
  /**
   * IAM's decision on `roleArn`'s trust policy admitting `principal` for `action`
   * (`sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`) with the request's context keys
   * (`cognito-identity.amazonaws.com:aud`, `…:amr`, `sts:ExternalId`, …).
   */
  trusts(
    roleArn: string,
    principal: TrustPrincipal,
    action: string,
    context: Readonly<Record<string, string | readonly string[]>>,
  ): Promise<{ readonly allowed: boolean; readonly reason?: string }>;
  /** Temporary credentials for a session of `roleArn`; the endpoint knows them from then on. */
  issue(roleArn: string, sessionName: string, options?: IssueOptions): IssuedCredentials;
}
