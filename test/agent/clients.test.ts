import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAgentConfig } from '../../agent/config';
import { agentClients, agentConnection } from '../../agent/clients';
import { startAwsTestServer, type AwsTestServer } from './aws-test-server';
import { writeEndpointsFile } from '../support/endpoints-file';

/** No AWS settings, and no local pipeline. */
const env = { WILDRYDES_ENDPOINTS_FILE: 'none' };
const kinesisFlow = { filePattern: '/var/log/a*', kinesisStream: 's' };
const config = (global: object, flows: object[] = [kinesisFlow]) =>
  parseAgentConfig({ ...global, flows }, { env: {} }).config;

describe('the connection of each service', () => {
  it('takes an AWS endpoint without a scheme, and its region from the host name, as the Java agent does', () => {
    expect(
      agentConnection(config({ 'kinesis.endpoint': 'kinesis.us-west-2.amazonaws.com' }), 'kinesis', {}, env),
    ).toEqual({
      endpointUrl: 'https://kinesis.us-west-2.amazonaws.com',
      region: 'us-west-2',
    });
    const c = config({
      'firehose.endpoint': 'https://firehose.eu-west-1.amazonaws.com',
      'cloudwatch.endpoint': 'monitoring.ap-southeast-2.amazonaws.com',
      'sts.endpoint': 'https://sts.eu-central-1.amazonaws.com',
    });
    expect(agentConnection(c, 'firehose', {}, env).region).toBe('eu-west-1');
    expect(agentConnection(c, 'cloudwatch', {}, env)).toEqual({
      endpointUrl: 'https://monitoring.ap-southeast-2.amazonaws.com',
      region: 'ap-southeast-2',
    });
    expect(agentConnection(c, 'sts', {}, env).region).toBe('eu-central-1');
  });

  it('prefers kinesis.region to the host name, and the command line to both', () => {
    const c = config({
      'kinesis.endpoint': 'https://kinesis.us-west-2.amazonaws.com',
      'kinesis.region': 'us-east-2',
    });
    expect(agentConnection(c, 'kinesis', {}, env).region).toBe('us-east-2');
    expect(
      agentConnection(c, 'kinesis', { endpointUrl: 'http://127.0.0.1:4567', region: 'eu-west-1' }, env),
    ).toEqual({
      endpointUrl: 'http://127.0.0.1:4567',
      region: 'eu-west-1',
    });
  });

  it("leaves both to the SDK when nothing is configured, and uses the SDK's endpoint variables", () => {
    expect(agentConnection(config({ 'kinesis.endpoint': '' }), 'kinesis', {}, env)).toEqual({
      endpointUrl: undefined,
      region: undefined,
    });
    const withVariables = {
      ...env,
      AWS_ENDPOINT_URL_FIREHOSE: 'http://127.0.0.1:4573',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    };
    expect(agentConnection(config({}), 'firehose', {}, withVariables).endpointUrl).toBe(
      'http://127.0.0.1:4573',
    );
    expect(agentConnection(config({}), 'kinesis', {}, withVariables).endpointUrl).toBe(
      'http://127.0.0.1:4566',
    );
  });

  it('sends metrics where the flows go when that is this machine, never to AWS by surprise', () => {
    const local = config({ 'kinesis.endpoint': 'http://127.0.0.1:4567' });
    expect(agentConnection(local, 'cloudwatch', {}, env).endpointUrl).toBe('http://127.0.0.1:4567');
    expect(
      agentConnection(config({}), 'cloudwatch', { endpointUrl: 'http://127.0.0.1:9000' }, env).endpointUrl,
    ).toBe('http://127.0.0.1:9000');
    // An AWS configuration keeps CloudWatch on AWS.
    const aws = config({ 'kinesis.endpoint': 'https://kinesis.us-west-2.amazonaws.com' });
    expect(agentConnection(aws, 'cloudwatch', {}, env).endpointUrl).toBeUndefined();
  });

  it("finds the running local pipeline's endpoint, for Firehose flows too", () => {
    const file = writeEndpointsFile({ endpoint: 'http://127.0.0.1:4566', kinesis: 'http://127.0.0.1:4567' });
    const running = { WILDRYDES_ENDPOINTS_FILE: file };
    const c = config({}, [{ filePattern: '/var/log/a*', deliveryStream: 'd' }]);
    expect(agentConnection(c, 'firehose', {}, running).endpointUrl).toBe('http://127.0.0.1:4566');
    expect(agentConnection(c, 'cloudwatch', {}, running).endpointUrl).toBe('http://127.0.0.1:4566');
  });
});

describe('the clients of a configuration', () => {
  let server: AwsTestServer;
  beforeAll(async () => {
    server = await startAwsTestServer();
  });
  afterAll(() => server.stop());

  it('makes a client for each service in use, with the HTTP settings of the configuration', async () => {
    const clients = agentClients(
      config(
        { 'cloudwatch.emitMetrics': false, connectionTimeoutMillis: 1234, userAgent: 'weblogs-shipper' },
        [{ filePattern: '/var/log/a*', deliveryStream: 'd' }],
      ),
      { endpointUrl: server.endpoint },
      env,
    );
    expect(clients.kinesis).toBeUndefined();
    expect(clients.cloudwatch).toBeUndefined();
    expect(clients.local).toBe(true);
    expect(clients.firehose!.config.customUserAgent).toEqual([['weblogs-shipper']]);
    expect(await clients.firehose!.config.region()).toBe('us-east-1');
    clients.destroy();
  });

  it('uses the access keys of the configuration when it has them', async () => {
    const clients = agentClients(
      config({ awsAccessKeyId: 'AKIDEXAMPLE', awsSecretAccessKey: 'secret', 'kinesis.region': 'eu-west-1' }),
      {},
      env,
    );
    expect(await clients.kinesis!.config.credentials()).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret',
    });
    expect(await clients.kinesis!.config.region()).toBe('eu-west-1');
    clients.destroy();
  });

  it('assumes assumeRoleARN with STS AssumeRole, signed with the configured keys, once for every client', async () => {
    const clients = agentClients(
      config(
        {
          awsAccessKeyId: 'AKIDEXAMPLE',
          awsSecretAccessKey: 'secret',
          assumeRoleARN: 'arn:aws:iam::123456789012:role/log-shipping',
          assumeRoleExternalId: 'weblogs-2017',
          'sts.endpoint': server.endpoint,
          'kinesis.region': 'eu-west-1',
        },
        [kinesisFlow, { filePattern: '/var/log/b*', deliveryStream: 'd' }],
      ),
      {},
      { ...env, AWS_REGION: 'eu-west-1' },
    );
    const credentials = await clients.kinesis!.config.credentials();
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAROLEEXAMPLE',
      secretAccessKey: 'role-secret',
      sessionToken: 'role-session-token',
    });
    await clients.firehose!.config.credentials();
    const assumed = server.calls.filter((c) => c.target === 'STS.AssumeRole');
    expect(assumed).toHaveLength(1);
    expect(assumed[0].body).toMatchObject({
      RoleArn: 'arn:aws:iam::123456789012:role/log-shipping',
      RoleSessionName: 'AWSKinesisAgent',
      DurationSeconds: '3600',
      ExternalId: 'weblogs-2017',
    });
    expect(assumed[0].authorization).toContain('Credential=AKIDEXAMPLE/');
    clients.destroy();
  });

  it('falls back to placeholder credentials for an endpoint on this machine, so an emulator needs none', async () => {
    const clients = agentClients(
      config({ 'kinesis.endpoint': server.endpoint }),
      {},
      { ...env, HOME: mkdtempSync(path.join(tmpdir(), 'home-')) },
    );
    expect(await clients.kinesis!.config.credentials()).toMatchObject({ accessKeyId: 'local' });
    clients.destroy();
  });
});
