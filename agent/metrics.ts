/**
 * `cloudwatch.emitMetrics`: the agent's own metrics, as the Java agent sends them: namespace
 * `AWSKinesisAgent` (or `cloudwatch.namespace`), one `Destination` dimension
 * (`KinesisStream:<name>` / `DeliveryStream:<name>`), and BytesSent, RecordSendAttempts,
 * RecordSendErrors and ServiceErrors, summed over `cloudwatch.metricsBufferTimeMillis` and sent
 * as statistic sets with PutMetricData. Metrics are best effort: a failure is reported once and
 * never holds up shipping.
 */
import {
  PutMetricDataCommand,
  type CloudWatchClient,
  type MetricDatum,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { describeAwsError } from '../cli/aws';
import type { DeliveryCounts } from './sinks';

/** The Java agent's metric names (KinesisSender, FirehoseSender) and where each comes from. */
export const AGENT_METRICS: readonly { name: string; unit: StandardUnit; count: keyof DeliveryCounts }[] = [
  { name: 'BytesSent', unit: 'Bytes', count: 'bytesAccepted' },
  { name: 'RecordSendAttempts', unit: 'Count', count: 'attempted' },
  { name: 'RecordSendErrors', unit: 'Count', count: 'rejected' },
  { name: 'ServiceErrors', unit: 'Count', count: 'requestErrors' },
];
export const DESTINATION_DIMENSION = 'Destination';
/** PutMetricData takes up to 1,000 metrics per request. */
const MAX_DATA_PER_REQUEST = 1_000;

interface Statistics {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface MetricsOptions {
  readonly namespace: string;
  readonly bufferTimeMillis: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** For messages about where the metrics go. */
  readonly endpoint?: string;
}

export class MetricsPublisher {
  /** By destination, then metric name. */
  private readonly pending = new Map<string, Map<string, Statistics>>();
  private lastPublish: number;
  private readonly reported = new Set<string>();
  /** Requests that succeeded, for the status. */
  published = 0;

  constructor(
    private readonly client: CloudWatchClient,
    private readonly options: MetricsOptions,
  ) {
    this.lastPublish = options.now();
  }

  /** Adds what one send did. */
  record(destination: string, counts: DeliveryCounts): void {
    const byMetric = this.pending.get(destination) ?? new Map<string, Statistics>();
    this.pending.set(destination, byMetric);
    for (const metric of AGENT_METRICS) {
      const value = counts[metric.count];
      const s = byMetric.get(metric.name);
      if (s)
        Object.assign(s, {
          count: s.count + 1,
          sum: s.sum + value,
          min: Math.min(s.min, value),
          max: Math.max(s.max, value),
        });
      else byMetric.set(metric.name, { count: 1, sum: value, min: value, max: value });
    }
  }

  /** Publishes when a buffer period has passed since the last publication. */
  async publishIfDue(): Promise<void> {
    if (this.options.now() - this.lastPublish >= this.options.bufferTimeMillis) await this.publish();
  }

  private data(timestamp: Date): MetricDatum[] {
    const units = new Map(AGENT_METRICS.map((m) => [m.name, m.unit]));
    return [...this.pending].flatMap(([destination, byMetric]) =>
      [...byMetric].map(([name, s]) => ({
        MetricName: name,
        Dimensions: [{ Name: DESTINATION_DIMENSION, Value: destination }],
        StatisticValues: { SampleCount: s.count, Sum: s.sum, Minimum: s.min, Maximum: s.max },
        Unit: units.get(name),
        Timestamp: timestamp,
      })),
    );
  }

  private reasonOf(error: unknown): string {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if ((error as Error).name === 'SyntaxError' && status) {
      // An answer that is not CloudWatch's, such as an emulator of another service.
      return `${this.options.endpoint ?? 'the endpoint'} does not answer CloudWatch's PutMetricData (HTTP ${status})`;
    }
    const network = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH)\b/.exec(
      String(error),
    )?.[1];
    if (network) return `Cannot reach CloudWatch at ${this.options.endpoint ?? 'AWS'}: ${network}`;
    return describeAwsError(error, { endpoint: this.options.endpoint }).replace(
      /^Cannot reach Kinesis/,
      'Cannot reach CloudWatch',
    );
  }

  /** Sends what was recorded since the last publication (nothing if nothing was). */
  async publish(): Promise<void> {
    this.lastPublish = this.options.now();
    const data = this.data(new Date(this.lastPublish));
    this.pending.clear();
    for (let i = 0; i < data.length; i += MAX_DATA_PER_REQUEST) {
      try {
        await this.client.send(
          new PutMetricDataCommand({
            Namespace: this.options.namespace,
            MetricData: data.slice(i, i + MAX_DATA_PER_REQUEST),
          }),
        );
        this.published += 1;
      } catch (error) {
        const reason = this.reasonOf(error);
        if (!this.reported.has(reason)) {
          this.reported.add(reason);
          this.options.log(`CloudWatch metrics not sent (shipping goes on): ${reason}`);
        }
      }
    }
  }
}
