import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ALL_LABS,
  DEFAULT_LABS,
  LAB_INFO,
  LAB_METADATA,
  LABS,
  LabSelectionError,
  parseLabList,
  resolveLabs,
  withPrerequisites,
  type Lab,
} from '#core/labs';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG } from '../../lib/config';
import { validateWorkshop } from '../../lib/workshop';
import type { CfnTemplate } from '../../system/cloud-assembly';
import { buildWorkshop, synthStack } from '../support/synth';

const streamNames = (template: Template) =>
  Object.values(template.findResources('AWS::Kinesis::Stream')).map((r) => r.Properties.Name as string);
const count = (template: Template, type: string) => Object.keys(template.findResources(type)).length;
const outputs = (template: Template) => Object.keys(template.toJSON().Outputs ?? {}).sort();

describe('the lab list', () => {
  it('is defined once, each prerequisite a lab listed before it', () => {
    for (const lab of LABS) {
      for (const need of LAB_INFO[lab].needs) expect(LABS.indexOf(need)).toBeLessThan(LABS.indexOf(lab));
    }
    expect(DEFAULT_LABS).toEqual(['streaming', 'aggregation', 'persistence', 'datalake']);
    expect(resolveLabs(DEFAULT_LABS)).toEqual(DEFAULT_LABS);
    expect(resolveLabs(ALL_LABS)).toEqual(ALL_LABS);
  });

  it('adds prerequisites only when asked, and names them when refusing', () => {
    expect(withPrerequisites(['sensors'])).toEqual(['streaming', 'datalake', 'sensors']);
    expect(() => resolveLabs(['streaming', 'sensors'], 'here')).toThrow(LabSelectionError);
    expect(() => resolveLabs(['streaming', 'sensors'], 'here')).toThrow(
      'here: lab "sensors" needs "datalake"; use streaming,datalake,sensors',
    );
    expect(() => resolveLabs(['persistence'], 'here')).toThrow(
      /^here: lab "persistence" needs "aggregation"; use streaming,aggregation,persistence$/,
    );
  });

  it('parses what people write', () => {
    expect(parseLabList('default, sensors', 'x')).toEqual([...DEFAULT_LABS, 'sensors']);
    expect(parseLabList('all', 'x')).toEqual([...ALL_LABS]);
    expect(() => parseLabList('streaming,iot', 'x')).toThrow(/^x: unknown lab "iot"/);
  });
});

describe('a deployment with only the streaming lab', () => {
  const { stack, template } = synthStack({ labs: ['streaming'] });

  it('has the telemetry stream, producer access and the dashboard, nothing of the other labs', () => {
    expect(streamNames(template)).toEqual(['wildrydes']);
    expect(count(template, 'AWS::Cognito::IdentityPool')).toBe(1);
    expect(count(template, 'AWS::CloudFront::Distribution')).toBe(1);
    expect(count(template, 'AWS::IAM::Group')).toBe(1);
    for (const absent of [
      'AWS::Lambda::EventSourceMapping',
      'AWS::DynamoDB::Table',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::Glue::Table',
      'AWS::Athena::WorkGroup',
      'AWS::SQS::Queue',
    ]) {
      expect([absent, count(template, absent)]).toEqual([absent, 0]);
    }
    expect([stack.aggregation, stack.persistence, stack.dataLake, stack.sensors]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('outputs only what exists', () => {
    expect(outputs(template)).toEqual(
      [
        'AlarmTopicArn',
        'DashboardUrl',
        'GuestRoleArn',
        'IdentityPoolId',
        'ProducerGroupName',
        'Region',
        'StreamName',
      ].sort(),
    );
  });

  it('alarms on the telemetry stream only; the dashboard has no consumer, table or Firehose graph', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) {
      expect(alarm.Properties.Namespace).toBe('AWS/Kinesis');
      expect(alarm.Metadata[LAB_METADATA]).toBe('streaming');
    }
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of [
      'Lambda errors',
      'DynamoDB throttled requests',
      'Firehose delivery freshness',
      'Dead letters',
    ]) {
      expect(body).not.toContain(title);
    }
    expect(body).toContain('Incoming records');
  });

  it('keeps the logical ids the default labs give the same resources', () => {
    const full = synthStack().template;
    const ids = (t: Template, type: string) => Object.keys(t.findResources(type));
    for (const type of ['AWS::Kinesis::Stream', 'AWS::Cognito::IdentityPool', 'AWS::SNS::Topic']) {
      for (const id of ids(template, type)) expect(ids(full, type)).toContain(id);
    }
  });
});

describe('each lab adds its own resources', () => {
  const templates = new Map<string, Template>();
  const of = (labs: readonly Lab[]) => {
    const key = labs.join(',');
    if (!templates.has(key)) templates.set(key, synthStack({ labs }).template);
    return templates.get(key)!;
  };

  it.each([
    [['streaming', 'aggregation'], ['wildrydes', 'wildrydes-summary'], 1, 0, 0],
    [['streaming', 'aggregation', 'persistence'], ['wildrydes', 'wildrydes-summary'], 2, 1, 0],
    [['streaming', 'datalake'], ['wildrydes'], 0, 0, 1],
    [DEFAULT_LABS, ['wildrydes', 'wildrydes-summary'], 2, 1, 1],
    [
      ['streaming', 'datalake', 'sensors'],
      ['wildrydes', 'sensor-data', 'sensor-alerts'],
      1,
      2, // the sensor aggregates and the dedup table
      2, // the data lake's and the sensor alerts' delivery streams
    ],
  ] as const)(
    '%p: streams %p, %p stream consumers, %p tables, %p delivery streams',
    (labs, streams, consumers, tables, deliveries) => {
      const template = of(labs);
      expect(streamNames(template).sort()).toEqual([...streams].sort());
      expect(count(template, 'AWS::Lambda::EventSourceMapping')).toBe(consumers);
      expect(count(template, 'AWS::DynamoDB::Table')).toBe(tables);
      expect(count(template, 'AWS::KinesisFirehose::DeliveryStream')).toBe(deliveries);
      // Three alarms per stream and per stream consumer, for the deployed labs only.
      expect(count(template, 'AWS::CloudWatch::Alarm')).toBe(3 * streams.length + 3 * consumers);
    },
  );

  it('marks every resource with its lab', () => {
    const template = synthStack({ labs: ALL_LABS }).template.toJSON() as CfnTemplate;
    const labOf = (type: string, nameKey: string, name: string) =>
      Object.values(template.Resources!).find((r) => r.Type === type && r.Properties?.[nameKey] === name)
        ?.Metadata?.[LAB_METADATA];
    expect(labOf('AWS::Kinesis::Stream', 'Name', 'wildrydes')).toBe('streaming');
    expect(labOf('AWS::Kinesis::Stream', 'Name', 'wildrydes-summary')).toBe('aggregation');
    expect(labOf('AWS::DynamoDB::Table', 'TableName', 'UnicornSensorData')).toBe('persistence');
    expect(labOf('AWS::Athena::WorkGroup', 'Name', 'wildrydes')).toBe('datalake');
    expect(labOf('AWS::Kinesis::Stream', 'Name', 'sensor-data')).toBe('sensors');
    const unmarked = Object.entries(template.Resources!).filter(
      ([, r]) => r.Type !== 'AWS::CDK::Metadata' && !LABS.includes(r.Metadata?.[LAB_METADATA] as Lab),
    );
    expect(unmarked).toEqual([]);
  });
});

describe('the log-shipping lab', () => {
  it('is its own stack, there only when chosen', () => {
    expect(buildApp(new App(), DEFAULT_CONFIG).weblogs).toBeUndefined();
    const built = buildApp(new App(), { ...DEFAULT_CONFIG, labs: ['streaming', 'weblogs'] });
    const weblogs = Template.fromStack(built.weblogs!).toJSON() as CfnTemplate;
    expect(built.weblogs!.stackName).toBe('WildRydes-Weblogs');
    expect(
      Object.values(weblogs.Resources!).every(
        (r) => r.Type === 'AWS::CDK::Metadata' || r.Metadata?.[LAB_METADATA] === 'weblogs',
      ),
    ).toBe(true);
  });
});

describe('a workshop file', () => {
  const spec = validateWorkshop(
    { labs: ['streaming', 'datalake', 'sensors'], attendees: [{ id: 'alice' }, { id: 'bob' }] },
    'w.json',
  );

  it('gives every attendee its labs', () => {
    const labs = ['streaming', 'datalake', 'sensors'] as const;
    const { attendees } = buildWorkshop(spec, { labs });
    for (const { stack } of attendees) {
      expect([...stack.labs]).toEqual(labs);
      expect(streamNames(Template.fromStack(stack)).sort()).toEqual(
        [
          `${stack.names.telemetryStream}`,
          `${stack.names.sensorStream}`,
          `${stack.names.sensorAlertStream}`,
        ].sort(),
      );
    }
  });

  it.each([
    [
      { labs: ['streaming', 'lake'] },
      'w.json: labs[1] must be one of streaming, aggregation, persistence, datalake, sensors, weblogs, all, default, got "lake"',
    ],
    [{ labs: [] }, 'w.json: labs must be a list of labs'],
    [{ labs: 'streaming' }, 'w.json: labs must be a list of labs'],
  ])('refuses labs it cannot deploy (%#)', (labs, message) => {
    expect(() => validateWorkshop({ ...labs, attendees: [{ id: 'a' }] }, 'w.json')).toThrow(message);
  });
});

describe('a stack built with labs whose prerequisites are missing', () => {
  it('refuses with one line', () => {
    expect(() => synthStack({ labs: ['streaming', 'persistence'] })).toThrow(
      /^labs: lab "persistence" needs "aggregation"; use streaming,aggregation,persistence$/,
    );
  });
});
