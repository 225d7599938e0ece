import { parseAgentConfig } from '../../agent/config';
import { agentConnection, agentKinesisClient } from '../../agent/kinesis';

const config = (global: object) =>
  parseAgentConfig({ ...global, flows: [{ filePattern: '/var/log/a*', kinesisStream: 's' }] }, { env: {} })
    .config;

describe('the Kinesis connection of a configuration', () => {
  it('takes an AWS endpoint without a scheme, and its region from the host name, as the Java agent does', () => {
    expect(agentConnection(config({ 'kinesis.endpoint': 'kinesis.us-west-2.amazonaws.com' }))).toEqual({
      endpointUrl: 'https://kinesis.us-west-2.amazonaws.com',
      region: 'us-west-2',
    });
  });

  it('prefers kinesis.region to the host name, and the command line to both', () => {
    const c = config({
      'kinesis.endpoint': 'https://kinesis.us-west-2.amazonaws.com',
      'kinesis.region': 'us-east-2',
    });
    expect(agentConnection(c).region).toBe('us-east-2');
    expect(agentConnection(c, { endpointUrl: 'http://127.0.0.1:4567', region: 'eu-west-1' })).toEqual({
      endpointUrl: 'http://127.0.0.1:4567',
      region: 'eu-west-1',
    });
  });

  it('leaves both to the SDK when the configuration has neither', () => {
    expect(agentConnection(config({ 'kinesis.endpoint': '' }))).toEqual({
      endpointUrl: undefined,
      region: undefined,
    });
  });

  it('uses the access keys of the configuration when it has them', async () => {
    const { client } = agentKinesisClient(
      config({ awsAccessKeyId: 'AKIDEXAMPLE', awsSecretAccessKey: 'secret', 'kinesis.region': 'eu-west-1' }),
      {},
      {},
    );
    expect(await client.config.credentials()).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
    });
    expect(await client.config.region()).toBe('eu-west-1');
    client.destroy();
  });
});
