import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { STSClient } from '@aws-sdk/client-sts';
import type { DashboardConfig } from '../config';
import { guestCredentials } from './credentials';

/** An emulator checks no signature; the SDK still wants something to sign with. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The Kinesis client the page reads with. With an `endpoint` (a local emulator, possibly
 * relative to the page, like the local server's `/kinesis` proxy) it uses placeholder
 * credentials; otherwise guest credentials from the identity pool through Cognito's basic flow.
 * The reader does its own retrying and pacing, so the SDK makes one attempt per call.
 */
export function dashboardKinesisClient(
  config: DashboardConfig,
  pageUrl: string,
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
): KinesisClient {
  if (config.endpoint) {
    return new KinesisClient({
      region: config.region,
      endpoint: new URL(config.endpoint, pageUrl).toString(),
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
  }
  if (!config.identityPoolId || !config.guestRoleArn) {
    throw new Error('config.json needs identityPoolId and guestRoleArn (or an endpoint)');
  }
  // An identity pool id starts with its region: "us-east-1:1a2b...".
  const poolRegion = config.identityPoolId.split(':')[0];
  return new KinesisClient({
    region: config.region,
    credentials: guestCredentials({
      identityPoolId: config.identityPoolId,
      roleArn: config.guestRoleArn,
      cognito: new CognitoIdentityClient({ region: poolRegion }),
      sts: new STSClient({ region: config.region }),
      storage,
    }),
    maxAttempts: 1,
  });
}
