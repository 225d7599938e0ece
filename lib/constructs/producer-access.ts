import { Effect, Group, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';

export interface ProducerAccessProps {
  /** The streams producers may write to. */
  readonly streams: readonly IStream[];
}

/** Exactly what a producer needs: put records and discover the stream's shards. */
export const PRODUCER_ACTIONS = [
  'kinesis:PutRecord',
  'kinesis:PutRecords',
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:ListShards',
];

/**
 * A managed policy and an IAM group for the people and machines that run producers: add a
 * user to the group, or attach the policy to an instance role.
 */
export class ProducerAccess extends Construct {
  public readonly policy: ManagedPolicy;
  public readonly group: Group;

  constructor(scope: Construct, id: string, props: ProducerAccessProps) {
    super(scope, id);
    if (props.streams.length === 0) throw new Error('ProducerAccess needs at least one stream');
    this.policy = new ManagedPolicy(this, 'Policy', {
      description: 'Put records on the Wild Rydes streams',
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: PRODUCER_ACTIONS,
          resources: props.streams.map((stream) => stream.streamArn),
        }),
      ],
    });
    this.group = new Group(this, 'Group', { managedPolicies: [this.policy] });
  }
}
