import { FirehoseClient } from '@aws-sdk/client-firehose';
import { clientConfig, effectiveEndpoint, type Connection } from './aws';

/**
 * The Firehose client of the CLIs, found and set up as their Kinesis client is. In a module of
 * its own so that the commands without Firehose do not load its SDK.
 */

/** The endpoint a Firehose client will use (see `effectiveEndpoint`). */
export function effectiveFirehoseEndpoint(
  connection: Connection,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return effectiveEndpoint(connection, env, 'FIREHOSE');
}

export function firehoseClient(connection: Connection, env: NodeJS.ProcessEnv = process.env): FirehoseClient {
  return new FirehoseClient(clientConfig(connection, 'FIREHOSE', env));
}
