import { Stream, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { provisionedShards, STREAM_DEFAULTS } from './stream-defaults';

/** Capacity of the telemetry stream. */
export type TelemetryCapacity =
  { readonly mode: 'provisioned'; readonly shards: number } | { readonly mode: 'on-demand' };

export interface UnicornStreamsProps {
  readonly telemetryStreamName: string;
  /**
   * The summary stream's name; the stream exists only with the stream aggregation lab.
   * @default no summary stream
   */
  readonly summaryStreamName?: string;
  /** @default one provisioned shard, as in the workshop */
  readonly telemetryCapacity?: TelemetryCapacity;
}

/**
 * The two data streams: `wildrydes`, where producers put unicorn status records, and
 * `wildrydes-summary`, where the aggregation puts per-minute summaries (one shard: one summary
 * per unicorn per minute is a trickle).
 *
 * Both are encrypted with the AWS-managed `aws/kinesis` key: readers need no KMS grant, which
 * matters for the browser dashboard's guest role, and nothing outlives `cdk destroy`.
 */
export class UnicornStreams extends Construct {
  public readonly telemetry: Stream;
  /** Present when a summary stream name was given (the stream aggregation lab). */
  public readonly summary?: Stream;

  constructor(scope: Construct, id: string, props: UnicornStreamsProps) {
    super(scope, id);
    const capacity = props.telemetryCapacity ?? { mode: 'provisioned', shards: 1 };
    this.telemetry = new Stream(this, 'Telemetry', {
      ...STREAM_DEFAULTS,
      streamName: props.telemetryStreamName,
      ...(capacity.mode === 'on-demand'
        ? { streamMode: StreamMode.ON_DEMAND }
        : provisionedShards('Telemetry stream', capacity.shards)),
    });
    if (props.summaryStreamName !== undefined) {
      this.summary = new Stream(this, 'Summary', {
        ...STREAM_DEFAULTS,
        ...provisionedShards('Summary stream', 1),
        streamName: props.summaryStreamName,
      });
    }
  }
}
