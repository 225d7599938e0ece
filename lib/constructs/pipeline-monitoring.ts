import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
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
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'Wild Rydes pipeline alarms',
      enforceSSL: true,
    });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key would outlive cdk destroy by its 7-day deletion window; alarm notifications carry no data.',
    });
    // A topic policy replaces SNS's default one (which lets the account's services publish), so
    // the TLS-only Deny above would leave CloudWatch unable to deliver an alarm. Allow it, for
    // this account's alarms only (the confused-deputy guard AWS documents for service principals).
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
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
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const minute = Duration.minutes(1);
    for (const { label, stream } of props.streams) {
      this.alarm(
        `${label}IteratorAge`,
        stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: minute }),
        {
          threshold: ITERATOR_AGE_ALARM.toMilliseconds(),
          evaluationPeriods: 1,
          description: `Readers of ${label} are more than ${ITERATOR_AGE_ALARM.toMinutes()} minutes behind`,
        },
      );
      this.alarm(
        `${label}WriteThrottled`,
        stream.metricWriteProvisionedThroughputExceeded({ statistic: 'Sum', period: minute }),
        {
          threshold: 1,
          evaluationPeriods: THROTTLE_MINUTES,
          description: `Writes to ${label} throttled for ${THROTTLE_MINUTES} minutes in a row: add shards or switch to on-demand`,
        },
      );
      this.alarm(
        `${label}ReadThrottled`,
        stream.metricReadProvisionedThroughputExceeded({ statistic: 'Sum', period: minute }),
        {
          threshold: 1,
          evaluationPeriods: THROTTLE_MINUTES,
          description: `Reads from ${label} throttled for ${THROTTLE_MINUTES} minutes in a row: too many readers per shard`,
        },
      );
    }
    for (const consumer of props.consumers) {
      this.alarm(
        `${consumer.label}Errors`,
        consumer.function.metricErrors({ statistic: 'Sum', period: minute }),
        {
          threshold: 1,
          evaluationPeriods: 1,
          description: `${consumer.label} function failed an invocation`,
        },
      );
      this.alarm(
        `${consumer.label}IteratorAge`,
        consumer.function.metric('IteratorAge', { statistic: 'Maximum', period: minute }),
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
          period: minute,
        }),
        {
          threshold: 1,
          evaluationPeriods: 1,
          description: `${consumer.label} set records aside on its failure queue`,
        },
      );
    }

    // A graph with nothing to show (no consumer in the deployed labs) is left out.
    const graph = (title: string, metrics: IMetric[]) =>
      metrics.length === 0 ? [] : [new GraphWidget({ title, left: metrics, width: 8, height: 6 })];
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    this.dashboard.addWidgets(
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
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 16, height: 5 }),
    );
    this.dashboard.addWidgets(
      ...graph(
        'Incoming records',
        props.streams.map(({ stream }) => stream.metricIncomingRecords({ statistic: 'Sum', period: minute })),
      ),
      ...graph(
        'Incoming bytes',
        props.streams.map(({ stream }) => stream.metricIncomingBytes({ statistic: 'Sum', period: minute })),
      ),
      ...graph(
        'PutRecords success (%)',
        props.streams.map(
          ({ label, stream }, i) =>
            new MathExpression({
              label,
              expression: `100 * ok${i} / total${i}`,
              usingMetrics: {
                [`ok${i}`]: stream.metricPutRecordsSuccessfulRecords({ statistic: 'Sum', period: minute }),
                [`total${i}`]: stream.metricPutRecordsTotalRecords({ statistic: 'Sum', period: minute }),
              },
              period: minute,
            }),
        ),
      ),
    );
    this.dashboard.addWidgets(
      ...graph('Iterator age (ms)', [
        ...props.streams.map(({ stream }) =>
          stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: 'Maximum', period: minute }),
        ),
        ...props.consumers.map((c) =>
          c.function.metric('IteratorAge', { statistic: 'Maximum', period: minute }),
        ),
      ]),
      ...graph(
        'Lambda errors',
        props.consumers.map((c) => c.function.metricErrors({ statistic: 'Sum', period: minute })),
      ),
      ...graph(
        'Lambda duration (p99)',
        props.consumers.map((c) => c.function.metricDuration({ statistic: 'p99', period: minute })),
      ),
    );
    this.dashboard.addWidgets(
      ...graph(
        'DynamoDB throttled requests',
        props.table ? [props.table.metricThrottledRequestsForOperations({ period: minute })] : [],
      ),
      ...graph(
        'Firehose delivery freshness (s)',
        props.deliveryStream
          ? [
              props.deliveryStream.metric('DeliveryToS3.DataFreshness', {
                statistic: 'Maximum',
                period: minute,
              }),
            ]
          : [],
      ),
      ...graph(
        'Dead letters',
        props.consumers.map((c) =>
          c.failureQueue.metricApproximateNumberOfMessagesVisible({ period: minute }),
        ),
      ),
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
