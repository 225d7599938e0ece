import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { DeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
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

/**
 * The cdk-nag findings a delivery stream with a Kinesis source and one S3 destination raises,
 * acknowledged with their reasons: Firehose-side encryption (KDF1) cannot be set with a Kinesis
 * source, and the destination role's grant (IAM5) is limited to the one bucket.
 */
export function acknowledgeS3Delivery(deliveryStream: DeliveryStream, bucket: IBucket): void {
  Validations.of(deliveryStream).acknowledge({
    id: 'AwsSolutions-KDF1',
    reason:
      'Firehose server-side encryption can only be set for Direct PUT sources; with a Kinesis stream source the data stays in the stream, which is encrypted (aws/kinesis), and lands in an encrypted bucket.',
  });
  const role = deliveryStream.node.findChild('S3 Destination Role');
  const cfnBucket = bucket.node.defaultChild as CfnBucket | undefined;
  const objects = cfnBucket ? [`Resource::<${Stack.of(deliveryStream).getLogicalId(cfnBucket)}.Arn>/*`] : [];
  for (const finding of [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    'Action::s3:DeleteObject*',
    'Action::s3:Abort*',
    ...objects,
  ]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason:
        'Firehose needs to write, list and abort multipart uploads of objects in its destination bucket; the grant is limited to that one bucket.',
    });
  }
}
