import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag';

export interface MonitoredStream {
  readonly label: string;
  readonly stream: IStream;
}
export interface MonitoredConsumer {
  readonly label: string;
  readonly function: IFunction;
  readonly failureQueue: IQueue;
}

export interface PipelineMonitoringProps {
  readonly dashboardName: string;
  readonly streams: readonly MonitoredStream[];
  readonly consumers: readonly MonitoredConsumer[];
  /** @default no DynamoDB widget (the stream processing lab is not deployed) */
  readonly table?: ITable;
  /** @default no Firehose widget (the data lake lab is not deployed) */
  readonly deliveryStream?: IDeliveryStream;
  /** @default no subscription; subscribe to the topic later */
  readonly alarmEmail?: string;
}

/**
 * Iterator age, measured against the 24 h stream retention: five minutes behind is five
 * summary windows late (worth a look) yet leaves hours before data ages out. Tumbling windows
 * make a consumer's iterator age rise to about one window in normal running.
 */
const ITERATOR_AGE_ALARM = Duration.minutes(5);
/** Producers and consumers retry throttled calls; only throttling that persists is an incident. */
const THROTTLE_MINUTES = 5;
/** Every metric's period: the summaries are per minute, so is everything beside them. */
const MINUTE = Duration.minutes(1);

/**
 * A CloudWatch dashboard of the pipeline and alarms that notify an SNS topic: iterator age,
 * read and write throttling per stream, and errors and dead letters per consumer. Every metric
 * is taken from its resource's L2 `metric*` method, so it carries that resource's dimension.
 */
export class PipelineMonitoring extends Construct {
  public readonly topic: Topic;
  public readonly dashboard: Dashboard;
  public readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    this.topic = alarmTopic(this, props.alarmEmail);
    for (const stream of props.streams) this.alarmOnStream(stream);
    for (const consumer of props.consumers) this.alarmOnConsumer(consumer);

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(...overviewRow(this.alarms));
    this.dashboard.addWidgets(...throughputRow(props.streams));
    this.dashboard.addWidgets(...lagAndErrorsRow(props.streams, props.consumers));
    this.dashboard.addWidgets(...sinksRow(props));
  }

  /** A stream's readers falling behind, and its writes or reads throttled. */
  private alarmOnStream({ label, stream }: MonitoredStream) {
    this.alarm(
      `${label}IteratorAge`,
      stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: MINUTE }),
      {
        threshold: ITERATOR_AGE_ALARM.toMilliseconds(),
        evaluationPeriods: 1,
        description: `Readers of ${label} are more than ${ITERATOR_AGE_ALARM.toMinutes()} minutes behind`,
      },
    );
    this.alarm(
      `${label}WriteThrottled`,
      stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: MINUTE }),
      {
        threshold: 1,
        evaluationPeriods: THROTTLE_MINUTES,
        description: `Writes to ${label} throttled for ${THROTTLE_MINUTES} minutes in a row: add shards or switch to on-demand`,
      },
    );
    this.alarm(
      `${label}ReadThrottled`,
      stream.metricReadProvisionedThroughputExceeded({ statistic: 'Sum', period: MINUTE }),
      {
        threshold: 1,
        evaluationPeriods: THROTTLE_MINUTES,
        description: `Reads from ${label} throttled for ${THROTTLE_MINUTES} minutes in a row: too many readers per shard`,
      },
    );
  }

  /** A consumer failing an invocation, falling behind its stream, or setting records aside. */
  private alarmOnConsumer(consumer: MonitoredConsumer) {
    this.alarm(
      `${consumer.label}Errors`,
      consumer.function.metricErrors({ statistic: 'Sum', period: MINUTE }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        description: `${consumer.label} function failed an invocation`,
      },
    );
    this.alarm(
      `${consumer.label}IteratorAge`,
      consumer.function.metric('IteratorAge', { statistic: 'Maximum', period: MINUTE }),
      {
        threshold: ITERATOR_AGE_ALARM.toMilliseconds(),
        evaluationPeriods: 1,
        description: `${consumer.label} is more than ${ITERATOR_AGE_ALARM.toMinutes()} minutes behind its stream`,
      },
    );
    this.alarm(
      `${consumer.label}DeadLetters`,
      consumer.failureQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: MINUTE,
      }),
      {
        threshold: 1,
        evaluationPeriods: 1,
        description: `${consumer.label} set records aside on its failure queue`,
      },
    );
  }

  private alarm(
    id: string,
    metric: IMetric,
    opts: { threshold: number; evaluationPeriods: number; description: string },
  ) {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: opts.threshold,
      evaluationPeriods: opts.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means no traffic, not a fault.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: opts.description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}

/** The topic every alarm notifies, TLS only, open to this account's CloudWatch alarms. */
function alarmTopic(scope: Construct, alarmEmail: string | undefined): Topic {
  const topic = new Topic(scope, 'AlarmTopic', {
    displayName: 'Wild Rydes pipeline alarms',
    enforceSSL: true,
  });
  acknowledgeFinding(
    topic,
    'AwsSolutions-SNS2',
    'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key would outlive cdk destroy by its 7-day deletion window; alarm notifications carry no data.',
  );
  // A topic policy replaces SNS's default one (which lets the account's services publish), so
  // the TLS-only Deny above would leave CloudWatch unable to deliver an alarm. Allow it, for
  // this account's alarms only (the confused-deputy guard AWS documents for service principals).
  const stack = Stack.of(scope);
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsPublish',
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  if (alarmEmail) topic.addSubscription(new EmailSubscription(alarmEmail));
  return topic;
}

/** A graph of `metrics`, or nothing when there is nothing to show (no consumer in the deployed labs). */
function graph(title: string, metrics: IMetric[]): GraphWidget[] {
  return metrics.length === 0 ? [] : [new GraphWidget({ title, left: metrics, width: 8, height: 6 })];
}

/** What the pipeline is, and the state of every alarm. */
function overviewRow(alarms: Alarm[]) {
  return [
    new TextWidget({
      markdown: [
        '## Wild Rydes pipeline',
        'Unicorns put their **telemetry** on the stream; Lambda aggregates it into per-minute **summaries**,',
        'which are stored in DynamoDB, while Firehose delivers every record to the **data lake** in S3.',
        'A record a function cannot handle is set aside on its failure queue (**dead letters**).',
      ].join('\n'),
      width: 8,
      height: 5,
    }),
    new AlarmStatusWidget({ title: 'Alarms', alarms, width: 16, height: 5 }),
  ];
}

/** What the producers put on each stream, and how much of it got there. */
function throughputRow(streams: readonly MonitoredStream[]) {
  return [
    ...graph(
      'Incoming records',
      streams.map(({ stream }) => stream.metricIncomingRecords({ statistic: 'Sum', period: MINUTE })),
    ),
    ...graph(
      'Incoming bytes',
      streams.map(({ stream }) => stream.metricIncomingBytes({ statistic: 'Sum', period: MINUTE })),
    ),
    ...graph(
      'PutRecords success (%)',
      streams.map(
        ({ label, stream }, i) =>
          new MathExpression({
            label,
            expression: `100 * ok${i} / total${i}`,
            usingMetrics: {
              [`ok${i}`]: stream.metricPutRecordsSuccessfulRecords({ statistic: 'Sum', period: MINUTE }),
              [`total${i}`]: stream.metricPutRecordsTotalRecords({ statistic: 'Sum', period: MINUTE }),
            },
            period: MINUTE,
          }),
      ),
    ),
  ];
}

/** How far behind the readers are, and how the consumers fare. */
function lagAndErrorsRow(streams: readonly MonitoredStream[], consumers: readonly MonitoredConsumer[]) {
  return [
    ...graph('Iterator age (ms)', [
      ...streams.map(({ stream }) =>
        stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: MINUTE }),
      ),
      ...consumers.map((c) => c.function.metric('IteratorAge', { statistic: 'Maximum', period: MINUTE })),
    ]),
    ...graph(
      'Lambda errors',
      consumers.map((c) => c.function.metricErrors({ statistic: 'Sum', period: MINUTE })),
    ),
    ...graph(
      'Lambda duration (p99)',
      consumers.map((c) => c.function.metricDuration({ statistic: 'p99', period: MINUTE })),
    ),
  ];
}

/** Where the records end up: the summary table, the data lake, and the failure queues. */
function sinksRow({ table, deliveryStream, consumers }: PipelineMonitoringProps) {
  return [
    ...graph(
      'DynamoDB throttled requests',
      table ? [table.metricThrottledRequestsForOperations({ period: MINUTE })] : [],
    ),
    ...graph(
      'Firehose delivery freshness (s)',
      deliveryStream
        ? [deliveryStream.metric('DeliveryToS3.DataFreshness', { statistic: 'Maximum', period: MINUTE })]
        : [],
    ),
    ...graph(
      'Dead letters',
      consumers.map((c) => c.failureQueue.metricApproximateNumberOfMessagesVisible({ period: MINUTE })),
    ),
  ];
}
