import { FirehoseClient } from '@aws-sdk/client-firehose';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isLoopback, type Connection } from './aws';
import { readLocalEndpoints } from './endpoints-file';

/**
 * The Firehose client of the CLIs, found and set up as cli/aws.ts finds and sets up their Kinesis
 * client. In a module of its own so that the commands without Firehose do not load its SDK.
 */

/**
 * The endpoint a Firehose client will use: --endpoint-url, else the SDK's own
 * AWS_ENDPOINT_URL_FIREHOSE / AWS_ENDPOINT_URL, else the running local pipeline's Firehose (a
 * `firehose` entry in its endpoints file); undefined for AWS itself.
 */
export function effectiveFirehoseEndpoint(
  connection: Connection,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const local = (readLocalEndpoints(env) as { firehose?: unknown } | undefined)?.firehose;
  return (
    connection.endpointUrl ??
    env.AWS_ENDPOINT_URL_FIREHOSE ??
    env.AWS_ENDPOINT_URL ??
    (typeof local === 'string' ? local : undefined)
  );
}

/**
 * A Firehose client: credentials and region from the default chain, over HTTP/1.1, with short
 * timeouts; for an endpoint on this machine, placeholder credentials and region when none is set.
 */
export function firehoseClient(connection: Connection, env: NodeJS.ProcessEnv = process.env): FirehoseClient {
  const endpoint = effectiveFirehoseEndpoint(connection, env);
  const local = isLoopback(endpoint);
  const chain = defaultProvider();
  // The SDK reads its own environment variables; only the endpoints file needs passing on.
  const explicit =
    connection.endpointUrl ?? (env.AWS_ENDPOINT_URL_FIREHOSE || env.AWS_ENDPOINT_URL ? undefined : endpoint);
  return new FirehoseClient({
    ...(explicit ? { endpoint: explicit } : {}),
    ...(connection.region
      ? { region: connection.region }
      : local && !env.AWS_REGION
        ? { region: 'us-east-1' }
        : {}),
    ...(local
      ? {
          credentials: async () => {
            try {
              return await chain();
            } catch {
              return { accessKeyId: 'local', secretAccessKey: 'local' };
            }
          },
        }
      : {}),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 15_000 }),
    maxAttempts: 3,
  });
}
