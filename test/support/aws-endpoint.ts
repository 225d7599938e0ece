/**
 * One local AWS endpoint (local/aws/endpoint.ts) in front of chosen services, on a free port of
 * 127.0.0.1, with an SDK client for it; and the error an SDK call rejects with.
 */
import { startAwsEndpoint, type AwsEndpoint } from '../../local/aws/endpoint';
import type { AwsService, Caller, Decision } from '../../local/aws/service';

export const ACCOUNT = '000000000000';

/** Grants every request. */
export const allowAll = async (): Promise<Decision> => ({ allowed: true });

/** Every access key is an IAM user of the account with the administrator's rights. */
export const administrator = (accessKeyId: string): Caller => ({
  kind: 'administrator',
  accessKeyId,
  arn: `arn:aws:iam::${ACCOUNT}:user/${accessKeyId}`,
});

/** The credentials the tests sign with: any key is the administrator (see `administrator`). */
export const TESTER_CREDENTIALS = { accessKeyId: 'tester', secretAccessKey: 'anything' };

type Authorize = Parameters<typeof startAwsEndpoint>[0]['authorize'];

/**
 * The endpoint serving `services`, every caller the administrator, `authorize` deciding (every
 * request granted unless given); and a client of class `Client` for it, no retries unless
 * `maxAttempts` says. `stop` destroys the client and stops the endpoint.
 */
export async function startServiceEndpoint<C extends { destroy(): void }>(
  services: AwsService[],
  Client: new (config: {
    endpoint: string;
    region: string;
    credentials: typeof TESTER_CREDENTIALS;
    maxAttempts?: number;
  }) => C,
  options: { authorize?: Authorize; maxAttempts?: number } = {},
): Promise<{ endpoint: AwsEndpoint; client: C; stop(): Promise<void> }> {
  const endpoint = await startAwsEndpoint({
    port: 0,
    services,
    accountId: ACCOUNT,
    defaultRegion: 'us-east-1',
    callerOf: administrator,
    authorize: options.authorize ?? allowAll,
  });
  const client = new Client({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: TESTER_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 1,
  });
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      await endpoint.stop();
    },
  };
}

/** The error an SDK call rejects with: its name, code (Query protocols), message and HTTP status. */
export async function sdkFailure(promise: Promise<unknown>) {
  const error = (await promise.then(
    () => undefined,
    (e: Error) => e,
  )) as (Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) | undefined;
  if (!error) throw new Error('the call succeeded');
  return {
    name: error.name,
    code: error.Code,
    message: error.message,
    status: error.$metadata?.httpStatusCode,
  };
}
