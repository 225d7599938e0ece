/**
 * What a real account would hit on a second deployment: the default stacks (with the optional
 * weblogs stack) deployed in two regions of one account, and two prefixed copies in one region,
 * claim no physical name twice in the scope AWS keeps it unique in: the partition for bucket
 * names, the account for IAM, CloudFront and CloudWatch dashboard names, the region for the rest.
 */
import { ALL_LABS } from '#core/labs';
import { DEFAULT_CONFIG, type WildRydesConfig } from '../../lib/config';
import { LOCAL_ACCOUNT } from '../../local/assembly';
import { duplicates, physicalNames, type DeployedStack } from '../support/physical-names';
import { synthesizeSystem } from '../support/system';

function deployed(config: Partial<WildRydesConfig>): DeployedStack[] {
  const system = synthesizeSystem({ ...DEFAULT_CONFIG, labs: ALL_LABS, account: LOCAL_ACCOUNT, ...config });
  return system.stacks.map((s) => ({
    stackName: s.stackName,
    account: LOCAL_ACCOUNT,
    region: s.region,
    template: s.template,
    resolver: s.resolver,
  }));
}

let deployments: Record<string, DeployedStack[]>;
beforeAll(() => {
  deployments = {
    east: deployed({ region: 'us-east-1' }),
    west: deployed({ region: 'eu-west-1' }),
    alice: deployed({ region: 'us-east-1', prefix: 'alice' }),
    bob: deployed({ region: 'us-east-1', prefix: 'bob' }),
  };
});

describe('physical names', () => {
  it('are read from every stack, the account-wide ones included', () => {
    const names = physicalNames(deployments.east);
    expect(names).toContain(`${LOCAL_ACCOUNT} AWS::CloudWatch::Dashboard WildRydes-us-east-1`);
    expect(names).toContain(
      `${LOCAL_ACCOUNT} AWS::CloudFront::OriginAccessControl WildRydes-us-east-1-dashboard`,
    );
    expect(names.some((n) => / AWS::Kinesis::Stream wildrydes$/.test(n))).toBe(true);
  });

  it('do not collide when the default stacks are deployed in two regions of one account', () => {
    expect(duplicates(physicalNames([...deployments.east, ...deployments.west]))).toEqual([]);
  });

  it('do not collide between two prefixed copies in one region, or with the default stacks', () => {
    expect(duplicates(physicalNames([...deployments.alice, ...deployments.bob]))).toEqual([]);
    expect(
      duplicates(physicalNames([...deployments.east, ...deployments.alice, ...deployments.bob])),
    ).toEqual([]);
  });

  it('would be caught colliding: the same stacks twice in one region', () => {
    expect(duplicates(physicalNames([...deployments.east, ...deployments.east]))).toContain(
      `${LOCAL_ACCOUNT}/us-east-1 AWS::Kinesis::Stream wildrydes`,
    );
  });
});
