import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { STSClient } from '@aws-sdk/client-sts';
import type { DashboardConfig } from '../config';
import { guestCredentials } from './credentials';

/** An emulator checks no signature; the SDK still wants something to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The Kinesis client the page reads with: guest credentials from the identity pool through
 * Cognito's basic flow (GetId → GetOpenIdToken → STS AssumeRoleWithWebIdentity), against AWS or
 * against one `endpoint` for every service (the local run's, possibly relative to the page).
 * With an endpoint and no identity pool (a bare emulator) it signs with placeholder credentials.
 * The reader does its own retrying and pacing, so the SDK makes one attempt per call.
 */
export function dashboardKinesisClient(
  config: DashboardConfig,
  pageUrl: string,
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
): KinesisClient {
  const endpoint = config.endpoint ? { endpoint: new URL(config.endpoint, pageUrl).toString() } : {};
  if (!config.identityPoolId || !config.guestRoleArn) {
    if (!config.endpoint)
      throw new Error('config.json needs identityPoolId and guestRoleArn (or an endpoint)');
    return new KinesisClient({
      region: config.region,
      ...endpoint,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
  }
  // An identity pool id starts with its region: "us-east-1:1a2b...".
  const poolRegion = config.identityPoolId.split(':')[0];
  return new KinesisClient({
    region: config.region,
    ...endpoint,
    credentials: guestCredentials({
      identityPoolId: config.identityPoolId,
      roleArn: config.guestRoleArn,
      cognito: new CognitoIdentityClient({ region: poolRegion, ...endpoint }),
      sts: new STSClient({ region: config.region, ...endpoint }),
      storage,
    }),
    maxAttempts: 1,
  });
}
