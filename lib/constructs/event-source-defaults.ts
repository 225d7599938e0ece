import { Duration } from 'aws-cdk-lib';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { KinesisEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';

/**
 * Settings shared by the project's Kinesis event sources, each number chosen on purpose.
 * Callers merge their own over these; the on-failure destination is added per function.
 */
export const KINESIS_EVENT_SOURCE_DEFAULTS = {
  // The mapping is created together with its stream, so TRIM_HORIZON misses nothing and, if a
  // mapping is ever recreated, replays into idempotent consumers rather than skipping data.
  startingPosition: StartingPosition.TRIM_HORIZON,
  // A failing batch is halved until the bad record is isolated, so one poison record costs a
  // few retries of itself rather than holding back its whole batch.
  bisectBatchOnError: true,
  // Ten retries ride out throttling or a brief service outage (each attempt already retries
  // its own writes for about ten seconds) but set a stuck batch aside within minutes.
  retryAttempts: 10,
  // A record an hour old no longer makes a real-time summary; the stream still keeps it for
  // 24 hours, so the failure notice (shard and sequence range) is enough to replay it.
  maxRecordAge: Duration.hours(1),
  // Failures are reported per record: Lambda resumes at the first failed record instead of
  // repeating the whole batch.
  reportBatchItemFailures: true,
  // One concurrent batch per shard keeps each unicorn's records in order, which the window
  // state and the read-merge-write persistence rely on.
  parallelizationFactor: 1,
} as const satisfies Partial<KinesisEventSourceProps>;
