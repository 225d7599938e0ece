import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type BucketProps,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag';

/**
 * Every bucket of the app: encrypted, private, TLS only, and emptied and deleted with its stack,
 * so a workshop account is left clean by `cdk destroy`.
 */
export const PRIVATE_REMOVABLE_BUCKET = {
  encryption: BucketEncryption.S3_MANAGED,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
  autoDeleteObjects: true,
} as const satisfies BucketProps;

/**
 * A bucket for S3 server access logs (and CloudFront standard logs, which write through bucket
 * ACLs), kept 90 days.
 */
export function accessLogBucket(scope: Construct, id = 'AccessLogs'): Bucket {
  const bucket = new Bucket(scope, id, {
    ...PRIVATE_REMOVABLE_BUCKET,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(90) }],
  });
  acknowledgeFinding(
    bucket,
    'AwsSolutions-S1',
    'This is the access-log bucket; logging it into itself would loop.',
  );
  return bucket;
}
