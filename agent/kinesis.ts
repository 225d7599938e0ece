/**
 * The Kinesis client for a configuration: endpoint and region from the command line, else
 * from `kinesis.endpoint` / `kinesis.region` (the Java agent's keys), else the SDK's defaults.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { effectiveEndpoint, isLoopback, kinesisClient, type Connection } from '../cli/aws';
import type { AgentConfig } from './config';

/** `kinesis.us-west-2.amazonaws.com` and the like, with or without a scheme. */
const AWS_ENDPOINT =
  /^(?:https?:\/\/)?kinesis(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?\/?$/;

/**
 * The connection a configuration asks for. The Java agent accepts an endpoint without a scheme
 * and finds the region in an AWS endpoint's host name; so does this.
 */
export function agentConnection(config: AgentConfig, overrides: Connection = {}): Connection {
  const configured = config.kinesisEndpoint;
  const endpoint = configured && !/^https?:\/\//.test(configured) ? `https://${configured}` : configured;
  const region = config.kinesisRegion ?? (configured ? AWS_ENDPOINT.exec(configured)?.[1] : undefined);
  return {
    endpointUrl: overrides.endpointUrl ?? endpoint,
    region: overrides.region ?? region,
  };
}

/**
 * A client like the other commands' (HTTP/1.1, short timeouts, placeholder credentials for an
 * emulator on this machine), using `awsAccessKeyId`/`awsSecretAccessKey` when the
 * configuration has them.
 */
export function agentKinesisClient(
  config: AgentConfig,
  overrides: Connection = {},
  env: NodeJS.ProcessEnv = process.env,
): { client: KinesisClient; connection: Connection } {
  const connection = agentConnection(config, overrides);
  if (!config.credentials) return { client: kinesisClient(connection, env), connection };
  const local = isLoopback(effectiveEndpoint(connection, env));
  const client = new KinesisClient({
    ...(connection.endpointUrl ? { endpoint: connection.endpointUrl } : {}),
    ...(connection.region
      ? { region: connection.region }
      : local && !env.AWS_REGION
        ? { region: 'us-east-1' }
        : {}),
    credentials: config.credentials,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 15_000 }),
    maxAttempts: 3,
  });
  return { client, connection };
}
