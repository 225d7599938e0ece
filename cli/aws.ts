import { KinesisClient } from '@aws-sdk/client-kinesis';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readLocalEndpoints } from './endpoints-file';

export interface Connection {
  /** Endpoint from --endpoint-url; otherwise the SDK's own AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL. */
  readonly endpointUrl?: string;
  /** Region from --region; otherwise the SDK's default chain (AWS_REGION, profile). */
  readonly region?: string;
}

/** A service as the SDK names it in its endpoint variables (`AWS_ENDPOINT_URL_KINESIS`). */
export type ServiceKey =
  | 'KINESIS'
  | 'FIREHOSE'
  | 'CLOUDWATCH'
  | 'STS'
  | 'S3'
  | 'DYNAMODB'
  | 'SQS'
  | 'ATHENA'
  | 'SNS'
  | 'COGNITO_IDENTITY';

/** The running local pipeline's one AWS endpoint, when `npm start` runs. */
export function localEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return readLocalEndpoints(env)?.endpoint;
}

/**
 * The endpoint a client will use: --endpoint-url, else the SDK's own environment variables, else
 * the local pipeline's endpoint while `npm start` runs; undefined for AWS itself.
 */
export function effectiveEndpoint(
  connection: Connection,
  env: NodeJS.ProcessEnv = process.env,
  service: ServiceKey = 'KINESIS',
): string | undefined {
  return (
    connection.endpointUrl ?? env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL ?? localEndpoint(env)
  );
}

export function isLoopback(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}

/**
 * The configuration of a CLI's SDK client: credentials and region from the default chain, over
 * HTTP/1.1 (local endpoints do not speak HTTP/2), with short timeouts so an unreachable
 * endpoint is reported in seconds. An endpoint on this machine takes any credentials, so for a
 * loopback endpoint missing credentials and region fall back to placeholders.
 */
export function clientConfig(
  connection: Connection,
  service: ServiceKey,
  env: NodeJS.ProcessEnv = process.env,
) {
  const endpoint = effectiveEndpoint(connection, env, service);
  const local = isLoopback(endpoint);
  const chain = defaultProvider();
  // The SDK reads its own environment variables; only --endpoint-url and the endpoints file need passing on.
  const explicit =
    connection.endpointUrl ??
    (env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL ? undefined : endpoint);
  return {
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
  };
}

/** The CLIs' Kinesis client (see `clientConfig`). */
export function kinesisClient(connection: Connection, env: NodeJS.ProcessEnv = process.env): KinesisClient {
  return new KinesisClient(clientConfig(connection, 'KINESIS', env));
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
]);

/**
 * One line a person can act on for an error from Kinesis or the SDK: unreachable endpoint,
 * missing stream, missing or rejected credentials, missing region, denied access.
 */
export function describeAwsError(
  error: unknown,
  context: { stream?: string; endpoint?: string; region?: string },
): string {
  const e = error as
    { name?: string; code?: string; message?: string; cause?: { code?: string } } | undefined;
  const name = e?.name ?? '';
  const message = (e?.message ?? String(error)).split('\n')[0];
  const code = e?.code ?? e?.cause?.code ?? '';
  const where = context.endpoint ?? `AWS${context.region ? ` (${context.region})` : ''}`;
  if (
    NETWORK_CODES.has(code) ||
    name === 'TimeoutError' ||
    /ECONNREFUSED|ENOTFOUND|socket hang up/.test(message)
  ) {
    return `Cannot reach Kinesis at ${where}: ${code || message}. Is the endpoint right and running?`;
  }
  if (name === 'ResourceNotFoundException') {
    return `Stream "${context.stream}" does not exist at ${where}. Create it or pass --stream.`;
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(message)) {
    return 'No AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or pass --endpoint-url for a local emulator).';
  }
  if (/Region is missing/i.test(message)) {
    return 'No AWS region configured: set AWS_REGION or pass --region.';
  }
  if (['UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException'].includes(name)) {
    return `AWS rejected the credentials (${name}): ${message}`;
  }
  if (name === 'AccessDeniedException') return `Access denied: ${message}`;
  return `${name && name !== 'Error' ? `${name}: ` : ''}${message}`;
}
