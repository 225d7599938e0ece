/**
 * What every stream of the labs is, as its `AWS::Kinesis::Stream` properties: provisioned
 * shards, kept 24 hours (Kinesis' minimum), encrypted with the AWS-managed key. Stack tests
 * assert it beside each stream's name and shard count.
 */
export const LAB_STREAM_PROPERTIES = {
  StreamModeDetails: { StreamMode: 'PROVISIONED' },
  RetentionPeriodHours: 24,
  StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
};
