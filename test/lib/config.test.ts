import { App } from 'aws-cdk-lib';
import { DEFAULT_NAMES, resourceNames } from '#core/names';
import { configFromContext } from '../../lib/config';

const fromContext = (context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  configFromContext(new App({ context }).node, env);

describe('configFromContext', () => {
  it('defaults to the workshop: no prefix, one provisioned shard, environment-agnostic', () => {
    expect(fromContext({})).toEqual({
      prefix: '',
      telemetryCapacity: { mode: 'provisioned', shards: 1 },
      alarmEmail: undefined,
      weblogs: false,
      account: undefined,
      region: undefined,
    });
  });

  it('reads -c values, which arrive as strings', () => {
    expect(
      fromContext({ prefix: 'alice', telemetryShards: '3', alarmEmail: 'ops@example.com' }),
    ).toMatchObject({
      prefix: 'alice',
      telemetryCapacity: { mode: 'provisioned', shards: 3 },
      alarmEmail: 'ops@example.com',
    });
    expect(fromContext({ telemetryStreamMode: 'on-demand' }).telemetryCapacity).toEqual({
      mode: 'on-demand',
    });
  });

  it('turns on the optional log-shipping stack with -c weblogs=true', () => {
    expect(fromContext({ weblogs: 'true', weblogsHttpCidr: '203.0.113.0/24' })).toMatchObject({
      weblogs: true,
      weblogsHttpCidr: '203.0.113.0/24',
    });
    expect(fromContext({ weblogs: false }).weblogs).toBe(false);
  });

  it('takes account and region from the CLI environment, never hard-coded', () => {
    expect(
      fromContext({}, { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'eu-west-1' }),
    ).toMatchObject({
      account: '111111111111',
      region: 'eu-west-1',
    });
  });

  it.each([
    [{ telemetryShards: 'two' }, /"telemetryShards" must be a whole number from 1 to 500, got "two"/],
    [{ telemetryShards: '0' }, /from 1 to 500, got "0"/],
    [{ telemetryStreamMode: 'fast' }, /must be "provisioned" or "on-demand", got "fast"/],
    [
      { telemetryStreamMode: 'on-demand', telemetryShards: '2' },
      /cannot be set when the stream mode is on-demand/,
    ],
    [{ prefix: 'Alice' }, /Invalid name prefix "Alice"/],
    [{ prefix: 'a_b' }, /Invalid name prefix "a_b"/],
    [{ alarmEmail: 'nobody' }, /not an email address: "nobody"/],
    [{ prefix: { nested: true } }, /Context "prefix" must be a string/],
    [{ weblogs: 'yes' }, /Context "weblogs" must be true or false, got "yes"/],
    [{ weblogsHttpCidr: '203.0.113.0/24' }, /only applies with -c weblogs=true/],
  ])('rejects %p', (context, message) => {
    expect(() => fromContext(context)).toThrow(message);
  });
});

describe('resourceNames', () => {
  it('uses the workshop names verbatim without a prefix', () => {
    expect(resourceNames()).toEqual(DEFAULT_NAMES);
    expect(resourceNames().telemetryStream).toBe('wildrydes');
    expect(resourceNames().summaryStream).toBe('wildrydes-summary');
  });

  it('prefixes every name, with underscores where a service allows no hyphen', () => {
    expect(resourceNames('team-a')).toEqual({
      telemetryStream: 'team-a-wildrydes',
      summaryStream: 'team-a-wildrydes-summary',
      summaryTable: 'team-a-UnicornSensorData',
      identityPool: 'team_a_wildrydes_dashboard',
      athenaWorkGroup: 'team-a-wildrydes',
      glueDatabase: 'team_a_wildrydes',
      glueTable: 'unicorn_status',
      weblogStream: 'team-a-weblogs',
      sensorStream: 'team-a-sensor-data',
      sensorAlertStream: 'team-a-sensor-alerts',
      sensorAggregateTable: 'team-a-SensorAggregates',
    });
  });
});
