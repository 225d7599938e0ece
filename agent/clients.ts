/**
 * The AWS clients a configuration asks for: Kinesis and Firehose for its flows, CloudWatch for
 * the agent's metrics, STS to assume a role. Each service's endpoint comes from the command
 * line, else the configuration (`kinesis.endpoint`, `firehose.endpoint`, `cloudwatch.endpoint`,
 * `sts.endpoint`), else the SDK's AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL, else the
 * running local pipeline's endpoint; on a machine whose flows go to a local endpoint, the other
 * services go there too rather than to AWS.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { isLoopback, localEndpoint, type Connection } from '../cli/aws';
import type { AgentConfig } from './config';
import { assumeRoleCredentials } from './credentials';

export type Service = 'kinesis' | 'firehose' | 'cloudwatch' | 'sts';

const CONFIGURED: { readonly [S in Service]: keyof AgentConfig } = {
  kinesis: 'kinesisEndpoint',
  firehose: 'firehoseEndpoint',
  cloudwatch: 'cloudwatchEndpoint',
  sts: 'stsEndpoint',
};
const ENV_NAME: { readonly [S in Service]: string } = {
  kinesis: 'KINESIS',
  firehose: 'FIREHOSE',
  cloudwatch: 'CLOUDWATCH',
  sts: 'STS',
};
/** The host name's first label in the service's AWS endpoints (`monitoring.us-west-2.amazonaws.com`). */
const HOST: { readonly [S in Service]: string } = {
  kinesis: 'kinesis',
  firehose: 'firehose',
  cloudwatch: 'monitoring',
  sts: 'sts',
};

/** The Java agent takes endpoints without a scheme (`kinesis.us-west-2.amazonaws.com`). */
const withScheme = (url: string | undefined) => (url && !/^https?:\/\//.test(url) ? `https://${url}` : url);

function regionOf(service: Service, endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  const pattern = new RegExp(
    String.raw`^https?://${HOST[service]}(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?/?$`,
  );
  return pattern.exec(endpoint)?.[1];
}

/** The endpoint a service is given explicitly, or (for the flows' services) the running local pipeline's. */
function explicitEndpoint(
  config: AgentConfig,
  service: Service,
  overrides: Connection,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const given =
    overrides.endpointUrl ??
    withScheme(config[CONFIGURED[service]] as string | undefined) ??
    env[`AWS_ENDPOINT_URL_${ENV_NAME[service]}`] ??
    env.AWS_ENDPOINT_URL;
  if (given || service === 'cloudwatch' || service === 'sts') return given;
  return localEndpoint(env);
}

/**
 * The endpoint and region for one service. CloudWatch and STS go where the flows go when that
 * is an endpoint on this machine. The region is the command line's, else `kinesis.region` for
 * Kinesis, else the one in an AWS endpoint's host name, else the SDK's.
 */
export function agentConnection(
  config: AgentConfig,
  service: Service,
  overrides: Connection = {},
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const local = () =>
    [
      explicitEndpoint(config, 'kinesis', overrides, env),
      explicitEndpoint(config, 'firehose', overrides, env),
    ].find((url) => isLoopback(url));
  const endpointUrl =
    explicitEndpoint(config, service, overrides, env) ??
    (service === 'cloudwatch' || service === 'sts' ? local() : undefined);
  const region =
    overrides.region ??
    (service === 'kinesis' ? config.kinesisRegion : undefined) ??
    regionOf(service, endpointUrl);
  return { endpointUrl, region };
}

export interface AgentClients {
  readonly kinesis?: KinesisClient;
  readonly firehose?: FirehoseClient;
  readonly cloudwatch?: CloudWatchClient;
  readonly connections: { readonly [S in Service]: Connection };
  /** The flows go to an endpoint on this machine. */
  readonly local: boolean;
  destroy(): void;
}

/**
 * Credentials as the Java agent picks them: awsAccessKeyId/awsSecretAccessKey, else the
 * default chain; with assumeRoleARN, those assume the role. An endpoint on this machine needs
 * no real credentials, so there the chain falls back to placeholders.
 */
function credentialsFor(
  config: AgentConfig,
  local: boolean,
  sts: () => STSClient,
): AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined {
  if (config.assumeRole) return assumeRoleCredentials(sts(), config.assumeRole);
  if (config.credentials) return config.credentials;
  if (!local) return undefined;
  const chain = defaultProvider();
  return async () => {
    try {
      return await chain();
    } catch {
      return { accessKeyId: 'local', secretAccessKey: 'local' };
    }
  };
}

/** Clients for what the configuration uses, with its HTTP settings (connectionTimeoutMillis, socketTimeoutMillis, userAgent). */
export function agentClients(
  config: AgentConfig,
  overrides: Connection = {},
  env: NodeJS.ProcessEnv = process.env,
): AgentClients {
  const services: Service[] = ['kinesis', 'firehose', 'cloudwatch', 'sts'];
  const connections = Object.fromEntries(
    services.map((s) => [s, agentConnection(config, s, overrides, env)]),
  ) as {
    [S in Service]: Connection;
  };
  const local = config.flows.some((flow) => isLoopback(connections[flow.destination].endpointUrl));
  const settings = (service: Service) => {
    const { endpointUrl } = connections[service];
    // STS serves every region: the role is assumed in the flows' region unless sts.endpoint names one.
    const region =
      service === 'sts'
        ? (connections.sts.region ?? connections.kinesis.region ?? connections.firehose.region)
        : connections[service].region;
    return {
      ...(endpointUrl ? { endpoint: endpointUrl } : {}),
      ...(region ? { region } : local && !env.AWS_REGION ? { region: 'us-east-1' } : {}),
      requestHandler: new NodeHttpHandler({
        connectionTimeout: config.http.connectionTimeoutMillis ?? 3_000,
        requestTimeout: config.http.socketTimeoutMillis ?? 15_000,
      }),
      maxAttempts: 3,
      ...(config.http.userAgent ? { customUserAgent: config.http.userAgent } : {}),
    };
  };
  const credentials = credentialsFor(
    config,
    local,
    () => new STSClient({ ...settings('sts'), ...baseCredentials(config) }),
  );
  const withCredentials = (service: Service) => ({
    ...settings(service),
    ...(credentials ? { credentials } : {}),
  });
  const uses = (destination: 'kinesis' | 'firehose') =>
    config.flows.some((f) => f.destination === destination);
  const clients = {
    ...(uses('kinesis') ? { kinesis: new KinesisClient(withCredentials('kinesis')) } : {}),
    ...(uses('firehose') ? { firehose: new FirehoseClient(withCredentials('firehose')) } : {}),
    ...(config.metrics.emit ? { cloudwatch: new CloudWatchClient(withCredentials('cloudwatch')) } : {}),
  };
  return {
    ...clients,
    connections,
    local,
    destroy: () => Object.values(clients).forEach((client) => client.destroy()),
  };
}

/** The credentials that assume the role: the configured keys, or the default chain. */
function baseCredentials(config: AgentConfig): { credentials?: AwsCredentialIdentity } {
  return config.credentials ? { credentials: config.credentials } : {};
}
