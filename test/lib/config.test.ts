import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
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
      labs: ['streaming', 'aggregation', 'persistence', 'datalake'],
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

  it('keeps -c weblogs=true as a way to add the log-shipping lab', () => {
    expect(fromContext({ weblogs: 'true', weblogsHttpCidr: '203.0.113.0/24' })).toMatchObject({
      labs: ['streaming', 'aggregation', 'persistence', 'datalake', 'weblogs'],
      weblogsHttpCidr: '203.0.113.0/24',
    });
    expect(fromContext({ weblogs: false }).labs).not.toContain('weblogs');
    expect(fromContext({ labs: 'all', weblogs: 'false' }).labs).not.toContain('weblogs');
  });

  it.each([
    ['streaming', ['streaming']],
    ['streaming,datalake', ['streaming', 'datalake']],
    // Canonical order, duplicates removed.
    ['persistence, aggregation,streaming,streaming', ['streaming', 'aggregation', 'persistence']],
    ['default,sensors', ['streaming', 'aggregation', 'persistence', 'datalake', 'sensors']],
    ['all', ['streaming', 'aggregation', 'persistence', 'datalake', 'sensors', 'weblogs']],
  ])('chooses the labs with -c labs=%s', (labs, expected) => {
    expect(fromContext({ labs }).labs).toEqual(expected);
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
    [{ weblogsHttpCidr: '203.0.113.0/24' }, /only applies with the weblogs lab \(-c labs=default,weblogs\)/],
    [
      { labs: 'streaming,persistence' },
      /^Context "labs": lab "persistence" needs "aggregation"; use streaming,aggregation,persistence$/,
    ],
    [{ labs: 'sensors' }, /^Context "labs": lab "sensors" needs "datalake"; use streaming,datalake,sensors$/],
    [
      { labs: 'aggregation' },
      /^Context "labs": lab "aggregation" needs "streaming"; use streaming,aggregation$/,
    ],
    [{ labs: 'streaming,lakes' }, /^Context "labs": unknown lab "lakes" \(labs: streaming, aggregation, /],
    [{ labs: ' , ' }, /^Context "labs" must name at least one lab/],
  ])('rejects %p', (context, message) => {
    expect(() => fromContext(context)).toThrow(message);
  });
});

describe('configFromContext with a workshop file', () => {
  let dir: string;
  const file = (name: string, content: unknown) => {
    const target = path.join(dir, name);
    writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  };
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'workshop-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans one deployment per attendee from -c workshop=FILE', () => {
    const workshop = file('w.json', {
      attendees: [
        { id: 'alice', account: '111111111111' },
        { id: 'bob', account: '111111111111' },
      ],
    });
    const config = fromContext({ workshop }, { CDK_DEFAULT_REGION: 'eu-west-1' });
    expect(config.prefix).toBe('');
    expect(config.workshop?.file).toBe(workshop);
    expect(config.workshop?.attendees.map((a) => [a.id, a.prefix, a.account, a.region])).toEqual([
      ['alice', 'alice', '111111111111', 'eu-west-1'],
      ['bob', 'bob', '111111111111', 'eu-west-1'],
    ]);
  });

  it("takes the file's settings, and -c values over them", () => {
    const workshop = file(
      's.yaml',
      'settings:\n  telemetryShards: 2\n  weblogs: true\nattendees:\n  - id: a\n',
    );
    expect(fromContext({ workshop })).toMatchObject({
      telemetryCapacity: { mode: 'provisioned', shards: 2 },
      labs: ['streaming', 'aggregation', 'persistence', 'datalake', 'weblogs'],
    });
    expect(fromContext({ workshop, telemetryShards: '3', weblogs: 'false' })).toMatchObject({
      telemetryCapacity: { mode: 'provisioned', shards: 3 },
      labs: ['streaming', 'aggregation', 'persistence', 'datalake'],
    });
  });

  it("takes the file's labs, and -c labs over them", () => {
    const workshop = file('labs.yaml', 'labs: [streaming, datalake, sensors]\nattendees:\n  - id: a\n');
    expect(fromContext({ workshop }).labs).toEqual(['streaming', 'datalake', 'sensors']);
    expect(fromContext({ workshop, labs: 'streaming' }).labs).toEqual(['streaming']);
    const broken = file('broken.yaml', 'labs: [streaming, persistence]\nattendees:\n  - id: a\n');
    expect(() => fromContext({ workshop: broken })).toThrow(
      new RegExp(
        `^labs in ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: lab "persistence" needs "aggregation"; use streaming,aggregation,persistence$`,
      ),
    );
  });

  it('names the file when one of its settings cannot work', () => {
    const workshop = file('bad.json', { settings: { telemetryShards: 0 }, attendees: [{ id: 'a' }] });
    expect(() => fromContext({ workshop })).toThrow(
      `Setting "telemetryShards" in ${workshop} must be a whole number from 1 to 500, got "0"`,
    );
    expect(() => fromContext({ workshop, telemetryShards: 'x' })).toThrow(
      /^Context "telemetryShards" must be/,
    );
  });

  it('rejects a prefix next to a workshop file, and a file that cannot be read', () => {
    const workshop = file('p.json', { attendees: [{ id: 'a' }] });
    expect(() => fromContext({ workshop, prefix: 'x' })).toThrow(
      /Context "prefix" cannot be combined with a workshop file: each attendee's id is its prefix/,
    );
    expect(() => fromContext({ workshop: path.join(dir, 'nope.json') })).toThrow(/nope\.json: no such file/);
    expect(() => fromContext({ workshop: file('x.json', '{"attendees": [{"id": "A"}]}') })).toThrow(
      /x\.json: attendees\[0\]\.id must be/,
    );
  });

  it('has no workshop without the context key', () => {
    expect(fromContext({}).workshop).toBeUndefined();
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
      weblogDirectDelivery: 'team-a-weblogs-direct',
      sensorStream: 'team-a-sensor-data',
      sensorAlertStream: 'team-a-sensor-alerts',
      sensorAggregateTable: 'team-a-SensorAggregates',
    });
  });
});
