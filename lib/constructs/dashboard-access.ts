import { Stack } from 'aws-cdk-lib';
import { CfnIdentityPool, CfnIdentityPoolRoleAttachment } from 'aws-cdk-lib/aws-cognito';
import { Effect, FederatedPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag';

export interface DashboardAccessProps {
  /** The one stream the dashboard may read. */
  readonly stream: IStream;
  readonly identityPoolName: string;
}

/** Read-side actions on the stream itself. */
export const DASHBOARD_STREAM_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
  'kinesis:ListStreamConsumers',
];

/** Actions on the stream's enhanced fan-out consumers. */
export const DASHBOARD_CONSUMER_ACTIONS = ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'];

/**
 * Guest access for the browser dashboard: a Cognito identity pool whose unauthenticated
 * identities assume a role that can only read and list one stream (and its consumers).
 *
 * The pool allows the basic (classic) flow. In the enhanced flow Cognito intersects guest
 * credentials with its AmazonCognitoUnAuthedIdentitiesSessionPolicy, which has no Kinesis Data
 * Streams action, so a guest could never call GetRecords. With the basic flow the browser
 * calls GetId and GetOpenIdToken, then STS AssumeRoleWithWebIdentity on this role, whose trust
 * policy admits only this pool's unauthenticated identities.
 */
export class DashboardAccess extends Construct {
  public readonly identityPool: CfnIdentityPool;
  public readonly unauthenticatedRole: Role;

  constructor(scope: Construct, id: string, props: DashboardAccessProps) {
    super(scope, id);
    this.identityPool = new CfnIdentityPool(this, 'IdentityPool', {
      identityPoolName: props.identityPoolName,
      allowUnauthenticatedIdentities: true,
      allowClassicFlow: true,
    });
    acknowledgeFinding(
      this.identityPool,
      'AwsSolutions-COG7',
      'Guest access is the point: the public dashboard reads the telemetry stream without sign-in; the guest role can only read that one stream.',
    );

    const streamArn = props.stream.streamArn;
    this.unauthenticatedRole = new Role(this, 'UnauthenticatedRole', {
      description: 'Dashboard guests: read-only access to one Kinesis stream',
      assumedBy: new FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': this.identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      inlinePolicies: {
        ReadTelemetryStream: new PolicyDocument({
          statements: [
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: DASHBOARD_STREAM_ACTIONS,
              resources: [streamArn],
            }),
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: DASHBOARD_CONSUMER_ACTIONS,
              resources: [`${streamArn}/consumer/*`],
            }),
          ],
        }),
      },
    });
    acknowledgeFinding(
      this.unauthenticatedRole,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(props.stream.node.defaultChild as never)}.Arn>/consumer/*]`,
      'Enhanced fan-out consumer ARNs are only known once a consumer registers; the wildcard stays under this one stream.',
    );

    new CfnIdentityPoolRoleAttachment(this, 'Roles', {
      identityPoolId: this.identityPool.ref,
      roles: { unauthenticated: this.unauthenticatedRole.roleArn },
    });
  }
}
