import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { CfnDeliveryStream, DeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogStream, type LogGroup } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';

/**
 * What every Kinesis-sourced Firehose delivery to S3 in this app needs once it is built,
 * shared by the data lake, the sensor alerts and the web logs.
 */

/** The S3 destination adds its log stream with the default RETAIN policy; it goes with its group. */
export function deleteDeliveryLogStreams(logGroup: LogGroup): void {
  for (const child of logGroup.node.children) {
    if (child instanceof LogStream) child.applyRemovalPolicy(RemovalPolicy.DESTROY);
  }
}

/** What Firehose does on the bucket itself (AWS's documented S3 destination policy, bucket part). */
const BUCKET_ACTIONS = ['s3:GetBucketLocation', 's3:ListBucketMultipartUploads'];
/** What Firehose does with the objects it writes (the documented policy, object part). */
const OBJECT_ACTIONS = ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'];

/**
 * Grants `grantee` what Firehose needs to deliver into `bucket` under `prefixes` (its data and
 * error prefixes), and nothing beyond them: no delete, no read or write of other prefixes
 * (another pipeline's objects, Athena's query results), listing only under its own prefixes.
 */
export function grantPrefixDelivery(
  bucket: IBucket,
  grantee: IGrantable,
  prefixes: readonly string[],
): Grant {
  if (prefixes.length === 0 || prefixes.some((p) => p === '' || !p.endsWith('/'))) {
    throw new Error(`Delivery prefixes must be non-empty and end with "/", got ${JSON.stringify(prefixes)}`);
  }
  return Grant.addToPrincipal({ grantee, actions: BUCKET_ACTIONS, resourceArns: [bucket.bucketArn] })
    .combine(
      Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
      }),
    )
    .combine(
      Grant.addToPrincipal({
        grantee,
        actions: OBJECT_ACTIONS,
        resourceArns: prefixes.map((p) => bucket.arnForObjects(`${p}*`)),
      }),
    );
}

/**
 * `bucket` as a Firehose S3 destination should see it: the destination grants its role
 * `grantReadWrite` on the whole bucket (read, write and delete of every object); through this
 * view that grant is Firehose's own actions under `prefixes` only (`grantPrefixDelivery`).
 */
export function deliveryBucket(bucket: IBucket, prefixes: readonly string[]): IBucket {
  return new Proxy(bucket, {
    get: (target, property, receiver) =>
      property === 'grantReadWrite'
        ? (grantee: IGrantable) => grantPrefixDelivery(target, grantee, prefixes)
        : Reflect.get(target, property, receiver),
  });
}

/**
 * The cdk-nag findings a delivery stream with one S3 destination raises, acknowledged with their
 * reasons: Firehose-side encryption (KDF1) cannot be set with a Kinesis source (a Direct PUT one
 * sets it instead), and the destination role's object grant (IAM5) is limited to its own prefixes.
 */
export function acknowledgeS3Delivery(
  deliveryStream: DeliveryStream,
  bucket: IBucket,
  prefixes: readonly string[],
): void {
  const cfn = deliveryStream.node.defaultChild as CfnDeliveryStream;
  if (cfn.deliveryStreamType === 'KinesisStreamAsSource')
    Validations.of(deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason:
        'Firehose server-side encryption can only be set for Direct PUT sources; with a Kinesis stream source the data stays in the stream, which is encrypted (aws/kinesis), and lands in an encrypted bucket.',
    });
  const role = deliveryStream.node.findChild('S3 Destination Role');
  const cfnBucket = bucket.node.defaultChild as CfnBucket | undefined;
  const bucketId = cfnBucket ? Stack.of(deliveryStream).getLogicalId(cfnBucket) : undefined;
  for (const prefix of bucketId ? prefixes : []) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
      reason:
        'Firehose names each object it writes (time partitions, a random suffix); the grant is limited to its own prefix of the one bucket.',
    });
  }
}
