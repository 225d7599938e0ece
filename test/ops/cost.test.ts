import { App } from 'aws-cdk-lib';
import { ALL_LABS } from '#core/labs';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROLE_METADATA } from '#core/names';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';
import {
  readAssemblyStacks,
  resourcesOfType,
  roleOf,
  stacksByStage,
  type CfnTemplate,
} from '../../system/cloud-assembly';
import {
  CostError,
  DEFAULT_WORKLOAD,
  dominantCategories,
  estimateDeployment,
  estimateWorkshop,
  formatEstimate,
  loadPriceTable,
  parsePriceTable,
  REQUIRED_PRICES,
  seedComparison,
  summaryRecordBytes,
  telemetryRecordBytes,
  type CostLine,
} from '../../ops/cost';
import { buildWorkshop } from '../support/synth';
import { ROOT, runScript } from '../support/run-command';

const PRICE_FILE = path.join(ROOT, 'ops', 'prices', 'us-east-1.json');
const prices = loadPriceTable(PRICE_FILE);
const unit = (key: string) => prices.prices[key].usd / prices.prices[key].per;
const HOURS = 4;
/** The metadata the stacks give the telemetry stream (`lib/roles.ts`). */
const TELEMETRY = { [ROLE_METADATA]: 'telemetryStream' };

const total = (lines: readonly CostLine[], category: string) =>
  lines.filter((l) => l.category === category).reduce((sum, l) => sum + l.usdPerHour, 0);

describe('the price table', () => {
  it('has a date, a region and a source for every price the estimator needs', () => {
    expect(prices).toMatchObject({ region: 'us-east-1', currency: 'USD', hoursPerMonth: 730 });
    expect(prices.date).toMatch(/^2026-\d{2}-\d{2}$/);
    for (const key of REQUIRED_PRICES) expect(prices.prices[key]).toBeDefined();
    for (const entry of Object.values(prices.prices))
      expect(entry.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
  });

  it.each([
    ['{', /^p\.json: not JSON/],
    ['{"region": "us-east-1"}', /p\.json: currency must be a non-empty string, got nothing/],
    [
      JSON.stringify({ ...JSON.parse(readFileSync(PRICE_FILE, 'utf8')), date: 'November' }),
      /p\.json: date must be YYYY-MM-DD, got "November"/,
    ],
    [
      JSON.stringify({
        ...JSON.parse(readFileSync(PRICE_FILE, 'utf8')),
        prices: { 'kinesis.shardHour': { usd: 1 } },
      }),
      /p\.json: prices\.kinesis\.shardHour needs usd \(≥ 0\), per \(> 0\), unit and source, got \{"usd":1\}/,
    ],
    [
      JSON.stringify({ ...JSON.parse(readFileSync(PRICE_FILE, 'utf8')), prices: {} }),
      /p\.json: prices misses kinesis\.shardHour, kinesis\.putPayloadUnit/,
    ],
  ])('rejects a broken table (%#)', (text, message) => {
    expect(() => parsePriceTable(text, 'p.json')).toThrow(CostError);
    expect(() => parsePriceTable(text, 'p.json')).toThrow(message);
  });
});

describe('estimateDeployment on small templates', () => {
  const estimate = (resources: CfnTemplate['Resources'], workload = DEFAULT_WORKLOAD) =>
    estimateDeployment([{ Resources: resources }], prices, workload, HOURS);

  it('prices shards from ShardCount and PUT payload units from the workload', () => {
    const { lines } = estimate({
      T: {
        Type: 'AWS::Kinesis::Stream',
        Metadata: TELEMETRY,
        Properties: { Name: 'x-wildrydes', ShardCount: 7 },
      },
      U: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'unknown', ShardCount: 2 } },
    });
    expect(total(lines, 'Kinesis shard-hours')).toBeCloseTo(9 * unit('kinesis.shardHour'), 10);
    // Three unicorns at one record/s, each record one 25 KB unit; nobody writes to a stream
    // without a role.
    expect(
      lines.find((l) => l.category === 'Kinesis PUT payload units' && l.item === 'x-wildrydes')!.usdPerHour,
    ).toBeCloseTo(3 * 3600 * unit('kinesis.putPayloadUnit'), 12);
    expect(
      lines.find((l) => l.category === 'Kinesis PUT payload units' && l.item === 'unknown')!.usdPerHour,
    ).toBe(0);
  });

  it('prices an on-demand stream per stream-hour and per GB in and out', () => {
    const { lines } = estimate({
      T: {
        Type: 'AWS::Kinesis::Stream',
        Metadata: TELEMETRY,
        Properties: { Name: 'wildrydes', StreamModeDetails: { StreamMode: 'ON_DEMAND' } },
      },
    });
    expect(total(lines, 'Kinesis shard-hours')).toBe(0);
    expect(total(lines, 'Kinesis on-demand streams')).toBe(unit('kinesis.onDemandStreamHour'));
    const inGb = (3 * 1024 * 3600) / 1024 ** 3; // records rounded up to 1 KB
    const outGb = (3 * telemetryRecordBytes() * 3600) / 1024 ** 3; // one dashboard viewer reads it
    expect(total(lines, 'Kinesis on-demand data')).toBeCloseTo(
      inGb * unit('kinesis.onDemandIngestGb') + outGb * unit('kinesis.onDemandRetrievalGb'),
      12,
    );
  });

  it('counts Lambda invocations from the event source’s batching and tumbling windows', () => {
    const resources: CfnTemplate['Resources'] = {
      S: {
        Type: 'AWS::Kinesis::Stream',
        Metadata: TELEMETRY,
        Properties: { Name: 'wildrydes', ShardCount: 1 },
      },
      F: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512, Architectures: ['arm64'] } },
      M: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['S', 'Arn'] },
          FunctionName: { Ref: 'F' },
          MaximumBatchingWindowInSeconds: 5,
          TumblingWindowInSeconds: 60,
        },
      },
    };
    const { lines, aggregationUsdPerHour } = estimate(resources);
    const lambda = lines.find((l) => l.category === 'Lambda')!;
    // One shard: a batch every 5 s (720/h) plus one final invocation per 60 s window (60/h).
    const invocations = 720 + 60;
    expect(lambda.quantity).toMatch(/^780 invocations\/h × 100 ms × 512 MB arm64, from wildrydes$/);
    expect(lambda.usdPerHour).toBeCloseTo(
      invocations * unit('lambda.request') + invocations * 0.1 * 0.5 * unit('lambda.arm64GbSecond'),
      12,
    );
    expect(lambda.aggregation).toBe(true);
    expect(aggregationUsdPerHour).toBeCloseTo(lambda.usdPerHour + total(lines, 'CloudWatch Logs'), 12);

    // Without a batching window Lambda takes what one poll a second finds; x86 costs more.
    const plain = estimate({
      ...resources,
      F: { Type: 'AWS::Lambda::Function', Properties: {} },
      M: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          ...resources.M.Properties,
          MaximumBatchingWindowInSeconds: 0,
          TumblingWindowInSeconds: undefined,
        },
      },
    });
    const x86 = plain.lines.find((l) => l.category === 'Lambda')!;
    expect(x86.quantity).toMatch(/^3600 invocations\/h × 100 ms × 128 MB x86_64/);
    expect(x86.aggregation).toBe(false);
  });

  it('prices alarms and dashboards by the month, an instance with its address and volume by the hour', () => {
    const alarm = { Type: 'AWS::CloudWatch::Alarm', Properties: {} };
    const { lines } = estimate({
      A1: alarm,
      A2: alarm,
      A3: alarm,
      D: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: 'WildRydes' } },
      Net: { Type: 'AWS::EC2::Subnet', Properties: { MapPublicIpOnLaunch: true } },
      I: {
        Type: 'AWS::EC2::Instance',
        Properties: {
          InstanceType: 't4g.micro',
          SubnetId: { Ref: 'Net' },
          BlockDeviceMappings: [{ Ebs: { VolumeSize: 8, VolumeType: 'gp3' } }],
        },
      },
    });
    expect(total(lines, 'CloudWatch alarms')).toBeCloseTo((3 * 0.1) / 730, 12);
    expect(total(lines, 'CloudWatch dashboards')).toBeCloseTo(3 / 730, 12);
    expect(total(lines, 'EC2 instances')).toBe(0.0084);
    expect(total(lines, 'Public IPv4')).toBe(0.005);
    expect(total(lines, 'EBS')).toBeCloseTo((8 * 0.08) / 730, 12);
  });

  it('names what it cannot price instead of dropping it', () => {
    const result = estimate({
      Db: { Type: 'AWS::RDS::DBInstance', Properties: {} },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    });
    expect(result.notPriced).toEqual([{ type: 'AWS::RDS::DBInstance', count: 1 }]);
    expect(result.noHourlyCharge).toEqual(
      expect.arrayContaining([
        { type: 'AWS::IAM::Role', count: 1, why: 'no charge' },
        {
          type: 'AWS::Lambda::Function (CDK custom resource handlers)',
          count: 1,
          why: 'run only while deploying',
        },
      ]),
    );
    expect(() =>
      estimate({ I: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 'p5.48xlarge' } } }),
    ).toThrow('No price for EC2 instance type p5.48xlarge in the price table: add "ec2.p5.48xlarge"');
  });

  it('knows the size of the records it prices', () => {
    expect(telemetryRecordBytes()).toBeGreaterThan(100);
    expect(summaryRecordBytes()).toBeGreaterThan(telemetryRecordBytes());
  });
});

describe('the synthesized stacks', () => {
  const templates = (config: Partial<WildRydesConfig>) => {
    const built = buildApp(new App(), { ...DEFAULT_CONFIG, ...config });
    return [...built.stacks, ...(built.weblogs ? [built.weblogs] : [])].map(
      (s) => Template.fromStack(s).toJSON() as CfnTemplate,
    );
  };
  let standard: CfnTemplate[];
  beforeAll(() => {
    standard = templates({ labs: ALL_LABS });
  });
  const estimate = (ts: CfnTemplate[], workload = DEFAULT_WORKLOAD) =>
    estimateDeployment(ts, prices, workload, HOURS);

  it('carry the role of every stream, as the estimate reads it (with or without a prefix)', () => {
    const roles = (ts: CfnTemplate[]) =>
      ts.flatMap((t) => resourcesOfType(t, 'AWS::Kinesis::Stream').map(([, r]) => roleOf(r)));
    const expected = [
      'telemetryStream',
      'summaryStream',
      'sensorStream',
      'sensorAlertStream',
      'weblogStream',
    ];
    expect(roles(standard).sort()).toEqual([...expected].sort());
    expect(roles(templates({ labs: ALL_LABS, prefix: 'alice' })).sort()).toEqual([...expected].sort());
  });

  it('are priced from what the templates declare: shards, streams, alarms', () => {
    const main = standard[0];
    const resources = Object.values(main.Resources!);
    const shards = resources
      .filter((r) => r.Type === 'AWS::Kinesis::Stream')
      .reduce((sum, r) => sum + (r.Properties!.ShardCount as number), 0);
    const alarms = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm').length;
    const { lines } = estimate([main]);
    expect(total(lines, 'Kinesis shard-hours')).toBeCloseTo(shards * unit('kinesis.shardHour'), 12);
    expect(total(lines, 'CloudWatch alarms')).toBeCloseTo((alarms * 0.1) / 730, 12);
    expect(total(lines, 'EC2 instances')).toBe(0);
  });

  it('follow the configuration: more shards, on-demand mode', () => {
    const base = estimate([standard[0]]);
    const threeShards = estimate(
      templates({ labs: ALL_LABS, telemetryCapacity: { mode: 'provisioned', shards: 3 } }).slice(0, 1),
    );
    expect(
      total(threeShards.lines, 'Kinesis shard-hours') - total(base.lines, 'Kinesis shard-hours'),
    ).toBeCloseTo(2 * unit('kinesis.shardHour'), 12);
    const onDemand = estimate(
      templates({ labs: ALL_LABS, telemetryCapacity: { mode: 'on-demand' } }).slice(0, 1),
    );
    expect(total(onDemand.lines, 'Kinesis on-demand streams')).toBe(unit('kinesis.onDemandStreamHour'));
    expect(total(onDemand.lines, 'Kinesis shard-hours')).toBeCloseTo(
      total(base.lines, 'Kinesis shard-hours') - unit('kinesis.shardHour'),
      12,
    );
  });

  it('include the web server when its stack is on', () => {
    const { lines } = estimate(standard);
    expect(total(lines, 'EC2 instances')).toBe(0.0084);
    expect(total(lines, 'Public IPv4')).toBe(0.005);
    expect(lines.some((l) => l.category === 'Kinesis shard-hours' && l.item === 'weblogs')).toBe(true);
  });

  it("list the web server's Direct PUT delivery stream, at no cost while the workload puts nothing there", () => {
    const weblogs = standard[standard.length - 1];
    const [directId] = resourcesOfType(weblogs, 'AWS::KinesisFirehose::DeliveryStream')
      .filter(([, r]) => roleOf(r) === 'weblogDirectDelivery')
      .map(([id]) => id);
    const direct = estimate(standard).lines.filter((l) => l.resources?.includes(directId));
    expect(direct.map((l) => [l.category, l.usdPerHour])).toEqual([
      ['Firehose', 0],
      ['S3', 0],
    ]);
    expect(direct[0].quantity).toMatch(/^0 records\/h from Direct PUT \(none in the workload\)/);
  });

  it('follow the workload: the sensor lab adds Lambda, DynamoDB and Firehose traffic', () => {
    const idle = estimate([standard[0]]);
    const lab = estimate([standard[0]], { ...DEFAULT_WORKLOAD, sensorRecordsPerSecond: 100 });
    expect(total(idle.lines, 'DynamoDB')).toBeLessThan(total(lab.lines, 'DynamoDB'));
    expect(total(idle.lines, 'Lambda')).toBeLessThan(total(lab.lines, 'Lambda'));
    expect(lab.usdPerHour).toBeGreaterThan(idle.usdPerHour);
    expect(dominantCategories(idle)[0].category).toBe('Kinesis shard-hours');
  });

  it('compare with the seed’s Flink Studio notebook (one KPU plus two for Studio)', () => {
    const estimateNow = estimate([standard[0]]);
    const seed = seedComparison(estimateNow, prices);
    expect(seed.studioKpus).toBe(3);
    expect(seed.studioUsdPerHour).toBeCloseTo(3 * 0.11 + (50 * 0.1) / 730, 12);
    expect(seed.usdPerHour).toBeCloseTo(
      estimateNow.usdPerHour - estimateNow.aggregationUsdPerHour + seed.studioUsdPerHour,
      12,
    );
    expect(estimateNow.aggregationUsdPerHour).toBeGreaterThan(0);
  });
});

describe('a workshop estimate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cost-assembly-'));
    const { app } = buildWorkshop(
      {
        attendees: [
          { id: 'alice', account: '111111111111', region: 'us-east-1' },
          { id: 'bob', account: '111111111111', region: 'us-east-1' },
          { id: 'carol', account: '222222222222', region: 'eu-west-1' },
        ],
      },
      {},
      { outdir: dir },
    );
    app.synth();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds up per attendee and per workshop, headline first', () => {
    const groups = [...stacksByStage(readAssemblyStacks(dir)).entries()].map(([id, stacks]) => ({
      id,
      region: stacks[0].region,
      stacks,
    }));
    const result = estimateWorkshop(groups, prices, DEFAULT_WORKLOAD, HOURS);
    expect(result.attendees.map((a) => [a.id, a.region, a.stacks])).toEqual([
      ['alice', 'us-east-1', ['WildRydes-alice']],
      ['bob', 'us-east-1', ['WildRydes-bob']],
      ['carol', 'eu-west-1', ['WildRydes-carol']],
    ]);
    const perHour = result.attendees.map((a) => a.estimate.usdPerHour);
    expect(result.usdTotal).toBeCloseTo(perHour.reduce((a, b) => a + b) * HOURS, 12);
    expect(result.usdPerAttendeeWorkshop).toBeCloseTo(result.usdPerAttendeeHour * HOURS, 12);

    const text = formatEstimate(result, prices, 'ops/prices/us-east-1.json');
    const [headline, perWorkshop] = text.split('\n');
    expect(headline).toMatch(/^\$\d+\.\d{2} per attendee-hour$/);
    expect(headline).toBe(`$${result.usdPerAttendeeHour.toFixed(2)} per attendee-hour`);
    expect(perWorkshop).toMatch(
      /^\$\d+\.\d{2} per attendee for a 4-hour workshop; 3 attendees: \$\d+\.\d{2}$/,
    );
    expect(text).toContain('Prices: us-east-1 list prices of 2026-');
    expect(text).toContain('Attendees in eu-west-1 pay those regions');
    expect(text).toContain('3 unicorns × 1 record/s = 3 records/s');
    expect(text).toMatch(/Dominated by Kinesis shard-hours \(\d+%\)/);
    expect(text).toMatch(
      /Seed architecture \(the aggregation as SQL in a Managed Service for Apache Flink Studio notebook: 1 KPU \+ 2 Studio KPUs = 3 KPUs, \$0\.34\/h/,
    );
  });

  it('runs as npm run cost on an existing assembly', async () => {
    const { code, stdout, stderr } = await runScript(
      'cost',
      ['-assembly', dir, '-hours', '2', '-json'],
      process.env,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.hours).toBe(2);
    expect(json.prices).toMatchObject({ region: 'us-east-1' });
    expect(json.attendees).toHaveLength(3);
    expect(json.usdTotal).toBeCloseTo(json.usdPerAttendeeHour * 3 * 2, 10);
  });
});
