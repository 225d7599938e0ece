import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as path from 'node:path';
import { ALL_LABS, DEFAULT_LABS, LAB_INFO, type Lab } from '#core/labs';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG } from '../../lib/config';
import type { CfnTemplate } from '../../system/cloud-assembly';
import {
  DEFAULT_WORKLOAD,
  estimateDeployment,
  estimateWorkshop,
  formatEstimate,
  loadPriceTable,
  SEED_LABS,
  seedComparison,
  type Workload,
} from '../../ops/cost';
import { seedTemplates } from '../../ops/cost/seed-templates';
import { runScript } from '../support/run-command';

const prices = loadPriceTable(path.join(__dirname, '..', '..', 'ops', 'prices', 'us-east-1.json'));
const HOURS = 4;
/** The budget for the default labs: five cents per attendee-hour, an eighth of the seed's. */
const TARGET_USD_PER_ATTENDEE_HOUR = 0.05;
const TARGET_SHARE_OF_SEED = 1 / 8;

const templatesOf = (labs: readonly Lab[]): CfnTemplate[] => {
  const built = buildApp(new App(), { ...DEFAULT_CONFIG, labs });
  return [...built.stacks, ...(built.weblogs ? [built.weblogs] : [])].map(
    (s) => Template.fromStack(s).toJSON() as CfnTemplate,
  );
};
const estimateOf = (labs: readonly Lab[], workload: Workload = DEFAULT_WORKLOAD) =>
  estimateDeployment(templatesOf(labs), prices, workload, HOURS);
const without = (labs: readonly Lab[], lab: Lab) => labs.filter((l) => l !== lab);

describe('each lab’s share', () => {
  const standard = estimateOf(DEFAULT_LABS);

  it('covers the deployed labs, in lab order, and adds up to the total', () => {
    expect(standard.labs.map((l) => l.lab)).toEqual(DEFAULT_LABS);
    const sum = standard.labs.reduce((total, l) => total + l.usdPerHour, 0);
    expect(sum).toBeCloseTo(standard.usdPerHour, 12);
    expect(standard.labs.reduce((total, l) => total + l.share, 0)).toBeCloseTo(1, 12);
    expect(standard.lines.every((line) => line.lab !== undefined)).toBe(true);
  });

  it.each([
    ['datalake', DEFAULT_LABS, DEFAULT_WORKLOAD],
    ['persistence', DEFAULT_LABS, DEFAULT_WORKLOAD],
    // The sensor lab with its generator running, and the log-shipping stack.
    ['sensors', ALL_LABS, { ...DEFAULT_WORKLOAD, sensorRecordsPerSecond: 100 }],
    ['weblogs', ALL_LABS, DEFAULT_WORKLOAD],
  ] as const)('of %s is what deploying it adds', (lab, labs, workload) => {
    const withLab = estimateOf(labs, workload);
    const share = withLab.labs.find((l) => l.lab === lab)!;
    expect(share.usdPerHour).toBeGreaterThan(0);
    const withoutLab = estimateOf(without(labs, lab), workload);
    expect(withLab.usdPerHour - withoutLab.usdPerHour).toBeCloseTo(share.usdPerHour, 12);
  });

  it('prices a shard in the lab of its stream', () => {
    const shards = standard.lines.filter((l) => l.category === 'Kinesis shard-hours');
    const shardHour = prices.prices['kinesis.shardHour'].usd / prices.prices['kinesis.shardHour'].per;
    expect(shards.map((l) => [l.item, l.lab, l.usdPerHour])).toEqual([
      ['wildrydes', 'streaming', shardHour],
      ['wildrydes-summary', 'aggregation', shardHour],
    ]);
  });
});

describe('the default labs against the budget', () => {
  const seed = seedComparison(estimateDeployment(seedTemplates(), prices, DEFAULT_WORKLOAD, HOURS), prices);
  const standard = estimateOf(DEFAULT_LABS);

  it('compare with the seed architecture: every lab, the aggregation in a Flink Studio notebook', () => {
    expect(SEED_LABS).toEqual(ALL_LABS);
    expect(seed.labs).toEqual(ALL_LABS);
    // The seed without the notebook is the app with every lab.
    const allLabs = estimateOf(ALL_LABS);
    expect(seed.usdPerHour).toBeCloseTo(
      allLabs.usdPerHour - allLabs.aggregationUsdPerHour + seed.studioUsdPerHour,
      12,
    );
  });

  it(`cost at most $${TARGET_USD_PER_ATTENDEE_HOUR} per attendee-hour and an eighth of the seed’s`, () => {
    expect(standard.usdPerHour).toBeLessThanOrEqual(TARGET_USD_PER_ATTENDEE_HOUR);
    expect(standard.usdPerHour).toBeLessThanOrEqual(seed.usdPerHour * TARGET_SHARE_OF_SEED);
  });

  it('show each lab’s share in the table, and the seed with its labs', () => {
    const estimate = estimateWorkshop(
      [
        {
          id: 'WildRydes',
          stacks: templatesOf(DEFAULT_LABS).map((template) => ({ stackName: 'WildRydes', template })),
        },
      ],
      prices,
      DEFAULT_WORKLOAD,
      HOURS,
      seedTemplates(),
    );
    const text = formatEstimate(estimate, prices, 'prices.json');
    const byLab = text.split('\n').slice(text.split('\n').indexOf('By lab:') + 1, -1);
    for (const share of standard.labs) {
      const row = byLab.find((line) => line.startsWith(`  ${share.lab} `));
      expect(row).toContain(LAB_INFO[share.lab].title);
      expect(row).toContain(`$${share.usdPerHour.toFixed(4)}`);
      expect(row).toMatch(new RegExp(` ${Math.round(share.share * 100)}%$`));
    }
    expect(text).toContain(
      `${'$' + seed.usdPerHour.toFixed(2)} per attendee-hour with 6 labs (${ALL_LABS.join(', ')}), ${(seed.usdPerHour / standard.usdPerHour).toFixed(1)}× this deployment`,
    );
  });
});

describe('npm run cost with labs that cannot be deployed', () => {
  it('says why on one line and exits non-zero', async () => {
    const { code, stdout, stderr } = await runScript(
      'cost',
      ['-c', 'labs=streaming,persistence'],
      process.env,
    );
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'cost: cdk synth failed: wildrydes: Context "labs": lab "persistence" needs "aggregation"; use streaming,aggregation,persistence\n',
    );
  });
});
