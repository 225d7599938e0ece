import { Duration } from 'aws-cdk-lib';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { ENV, SUMMARY_WINDOW_SECONDS } from '#core/settings';
import { KINESIS_EVENT_SOURCE_DEFAULTS } from './event-source-defaults';
import { FailureQueue } from './failure-queue';
import { WildRydesFunction } from './wildrydes-function';

export interface SummaryAggregationProps {
  /** The stream of unicorn status records. */
  readonly source: IStream;
  /** Where per-minute summaries are put. */
  readonly destination: IStream;
  /** @default 60 seconds, the workshop's per-minute summaries */
  readonly window?: Duration;
  /** @default 1000 */
  readonly batchSize?: number;
}

/**
 * Per-minute, per-unicorn aggregation with Lambda's native tumbling windows: sum of Distance,
 * min/max MagicPoints and HealthPoints, put on the summary stream keyed by unicorn name.
 */
export class SummaryAggregation extends Construct {
  public readonly function: WildRydesFunction;
  public readonly failures: FailureQueue;

  constructor(scope: Construct, id: string, props: SummaryAggregationProps) {
    super(scope, id);
    const window = props.window ?? Duration.seconds(SUMMARY_WINDOW_SECONDS);
    if (!window.isUnresolved() && (window.toSeconds() < 1 || window.toSeconds() > 900)) {
      throw new Error(`Tumbling window must be 1 to 900 seconds, got ${window.toSeconds()}`);
    }
    this.failures = new FailureQueue(this, 'Failures');
    this.function = new WildRydesFunction(this, 'Function', {
      handlerDir: 'aggregate-summaries',
      serviceName: 'summary-aggregation',
      description: 'Aggregates unicorn status records into per-minute summaries per unicorn',
      environment: {
        [ENV.summaryStreamName]: props.destination.streamName,
        [ENV.failureQueueUrl]: this.failures.queue.queueUrl,
      },
    });
    props.destination.grantWrite(this.function);
    this.failures.queue.grantSendMessages(this.function);
    this.function.addEventSource(
      new KinesisEventSource(props.source, {
        ...KINESIS_EVENT_SOURCE_DEFAULTS,
        tumblingWindow: window,
        // Status records are about 200 bytes: 1,000 make a 200 KB payload, far below Lambda's
        // 6 MB, and a second's worth of a full shard's writes.
        batchSize: props.batchSize ?? 1000,
        // Gather for up to 5 s: about a dozen invocations per window per shard instead of one
        // per second of traffic, while summaries still follow their window within seconds.
        maxBatchingWindow: Duration.seconds(5),
        onFailure: new SqsDlq(this.failures.queue),
      }),
    );
  }
}
