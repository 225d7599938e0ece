import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { StreamEncryption, StreamMode, type StreamProps } from 'aws-cdk-lib/aws-kinesis';
import { STREAM_RETENTION_HOURS } from '#core/settings';

/**
 * What every Kinesis stream of the app has: encryption with the AWS-managed `aws/kinesis` key
 * (readers, the browser dashboard's guest role among them, need no KMS grant), the minimum
 * retention, and nothing left behind by `cdk destroy`.
 */
export const STREAM_DEFAULTS = {
  encryption: StreamEncryption.MANAGED,
  retentionPeriod: Duration.hours(STREAM_RETENTION_HOURS),
  removalPolicy: RemovalPolicy.DESTROY,
} as const satisfies StreamProps;

/** Refuses a shard count Kinesis would refuse (1 to 500 per stream by default) at synth time. */
export function checkShards(what: string, shards: number): void {
  if (!Token.isUnresolved(shards) && (!Number.isInteger(shards) || shards < 1 || shards > 500)) {
    throw new Error(`${what} shard count must be a whole number from 1 to 500, got ${shards}`);
  }
}

/** A provisioned stream's capacity: `shards` shards, checked. */
export function provisionedShards(what: string, shards: number) {
  checkShards(what, shards);
  return { streamMode: StreamMode.PROVISIONED, shardCount: shards } as const;
}
