/**
 * Guest credentials for the browser through Cognito's basic (classic) flow.
 *
 * The enhanced flow (GetCredentialsForIdentity) scopes unauthenticated identities down with
 * Cognito's AmazonCognitoUnAuthedIdentitiesSessionPolicy, which lists no Kinesis Data Streams
 * action, so GetRecords would always be denied. The basic flow is GetId, then GetOpenIdToken,
 * then STS AssumeRoleWithWebIdentity on the pool's guest role; the role's own policy (read one
 * stream) is then the only limit, and its trust policy admits only this pool's unauthenticated
 * identities. None of the three calls needs credentials of its own.
 */

import {
  GetIdCommand,
  GetOpenIdTokenCommand,
  type CognitoIdentityClient,
} from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export interface GuestCredentialsOptions {
  readonly identityPoolId: string;
  readonly roleArn: string;
  readonly cognito: Pick<CognitoIdentityClient, 'send'>;
  readonly sts: Pick<STSClient, 'send'>;
  /**
   * Keeps the identity id between visits, so one browser is one guest identity rather than a
   * new one per page load. @default none (a new identity per page load)
   */
  readonly storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** What an SDK client's `credentials` provider returns. */
export interface GuestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export const ROLE_SESSION_NAME = 'wildrydes-dashboard';

const storageKey = (identityPoolId: string) => `wildrydes-dashboard:identity:${identityPoolId}`;

/**
 * A credential provider for SDK clients. Each call runs the flow and returns credentials with
 * their expiration; the SDK keeps them and calls again five minutes before they expire.
 */
export function guestCredentials(options: GuestCredentialsOptions): () => Promise<GuestCredentials> {
  const key = storageKey(options.identityPoolId);
  let identityId: string | undefined = options.storage?.getItem(key) ?? undefined;

  const openIdToken = async (): Promise<string> => {
    for (let attempt = 1; ; attempt++) {
      const remembered = identityId !== undefined;
      if (identityId === undefined) {
        const id = await options.cognito.send(new GetIdCommand({ IdentityPoolId: options.identityPoolId }));
        if (!id.IdentityId) throw new Error('Cognito returned no identity id');
        identityId = id.IdentityId;
        options.storage?.setItem(key, identityId);
      }
      try {
        const out = await options.cognito.send(new GetOpenIdTokenCommand({ IdentityId: identityId }));
        if (!out.Token) throw new Error('Cognito returned no OpenID token');
        return out.Token;
      } catch (error) {
        // A remembered identity may have been deleted with an earlier pool: get a fresh one once.
        const name = (error as { name?: string }).name;
        if (
          remembered &&
          attempt === 1 &&
          (name === 'ResourceNotFoundException' || name === 'NotAuthorizedException')
        ) {
          identityId = undefined;
          options.storage?.removeItem(key);
          continue;
        }
        throw error;
      }
    }
  };

  return async () => {
    const token = await openIdToken();
    const out = await options.sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: options.roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        WebIdentityToken: token,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned no credentials');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
}
