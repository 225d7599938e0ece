import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ALL_LABS, type Lab } from '#core/labs';
import { buildApp } from '../../lib/app';
import { DEFAULT_CONFIG } from '../../lib/config';

describe('cdk-nag AwsSolutions checks', () => {
  it('report no unacknowledged finding for the whole app', () => {
    const app = new App();
    buildApp(app, DEFAULT_CONFIG);
    expect(() => app.synth()).not.toThrow();
  });

  it.each([
    [['streaming']],
    [['streaming', 'aggregation']],
    [['streaming', 'datalake']],
    [ALL_LABS],
  ] as const)('report no unacknowledged finding for the labs %p', (labs: readonly Lab[]) => {
    const app = new App();
    buildApp(app, { ...DEFAULT_CONFIG, labs });
    expect(() => app.synth()).not.toThrow();
  });

  it('do fail the synth on a finding (the check is live)', () => {
    const app = new App();
    const { stacks } = buildApp(app, DEFAULT_CONFIG);
    new Bucket(stacks[0] as Stack, 'CarelessBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1'[\s\S]*AwsSolutions-S10'/);
  });
});
