/**
 * `assumeRoleARN` (and `assumeRoleExternalId`): the agent's credentials assume a role with STS
 * AssumeRole, as the Java agent does (session name `AWSKinesisAgent`, one hour), and the role's
 * credentials are renewed before they expire. One provider serves every client, so the role is
 * assumed once per renewal, not once per service.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The Java agent's session name and duration (AgentConfiguration). */
export const ASSUME_ROLE_SESSION = { name: 'AWSKinesisAgent', durationSeconds: 3_600 } as const;
/** Credentials are renewed this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

export function assumeRoleCredentials(
  sts: STSClient,
  role: { readonly roleArn: string; readonly externalId?: string },
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  let current: AwsCredentialIdentity | undefined;
  let renewing: Promise<AwsCredentialIdentity> | undefined;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: role.roleArn,
        RoleSessionName: ASSUME_ROLE_SESSION.name,
        DurationSeconds: ASSUME_ROLE_SESSION.durationSeconds,
        ...(role.externalId ? { ExternalId: role.externalId } : {}),
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`AssumeRole of ${role.roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
  return async () => {
    const fresh = current && (!current.expiration || current.expiration.getTime() - RENEW_BEFORE_MS > now());
    if (fresh) return current!;
    renewing ??= assume().finally(() => (renewing = undefined));
    current = await renewing;
    return current;
  };
}
