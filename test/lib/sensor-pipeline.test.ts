import { App, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Compression } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { METRICS_NAMESPACE, SENSOR_ENV } from '#core/settings';
import { PRODUCER_ACTIONS } from '../../lib/constructs/producer-access';
import {
  SENSOR_ALERT_PARTITIONS,
  SENSOR_ALERT_PREFIX,
  SENSOR_ERROR_PREFIX,
  SensorDelivery,
} from '../../lib/constructs/sensor-delivery';
import { SensorProcessing } from '../../lib/constructs/sensor-processing';
import { SensorStreams } from '../../lib/constructs/sensor-streams';
import { LAB_STREAM_PROPERTIES } from '../support/lab-stream';
import { sensorStack } from '../support/sensor-stack';

const build = (app = new App()) => sensorStack(app);

let built: ReturnType<typeof build>;
beforeAll(() => {
  built = build();
});

const ref = (construct: { node: { defaultChild?: unknown } }) => ({
  Ref: built.stack.getLogicalId(construct.node.defaultChild as never),
});
const arn = (construct: { node: { defaultChild?: unknown } }) => ({
  'Fn::GetAtt': [built.stack.getLogicalId(construct.node.defaultChild as never), 'Arn'],
});

describe('SensorStreams', () => {
  it('creates sensor-data with 2 shards and sensor-alerts with 1, encrypted, kept 24 hours', () => {
    const { template } = built;
    for (const [name, shards] of [
      ['sensor-data', 2],
      ['sensor-alerts', 1],
    ] as const) {
      template.hasResourceProperties('AWS::Kinesis::Stream', {
        Name: name,
        ShardCount: shards,
        ...LAB_STREAM_PROPERTIES,
      });
    }
  });

  it('takes another shard count and rejects impossible ones', () => {
    const stack = new Stack(new App(), 'S');
    new SensorStreams(stack, 'Streams', { sensorStreamName: 'a', alertStreamName: 'b', shards: 4 });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { Name: 'a', ShardCount: 4 });
    expect(
      () => new SensorStreams(stack, 'Zero', { sensorStreamName: 'c', alertStreamName: 'd', shards: 0 }),
    ).toThrow('Sensor stream shard count must be a whole number from 1 to 500, got 0');
    expect(
      () =>
        new SensorStreams(stack, 'Half', { sensorStreamName: 'e', alertStreamName: 'f', alertShards: 1.5 }),
    ).toThrow('Sensor alert stream shard count must be a whole number from 1 to 500, got 1.5');
  });
});

describe('SensorProcessing', () => {
  it('has a dedup table expiring by TTL and a named aggregate table keyed by sensor and window', () => {
    const { template, pipeline } = built;
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'fingerprint', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'SensorAggregates',
      KeySchema: [
        { AttributeName: 'sensorId', KeyType: 'HASH' },
        { AttributeName: 'windowStart', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(pipeline.processing.aggregateTable.node.defaultChild).toBeDefined();
  });

  it('runs the function with its tables, alert stream and failure queue in its environment', () => {
    const { template, pipeline } = built;
    const p = pipeline.processing;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          [SENSOR_ENV.alertStreamName]: ref(pipeline.streams.alerts),
          [SENSOR_ENV.dedupTableName]: ref(p.dedupTable),
          [SENSOR_ENV.aggregateTableName]: ref(p.aggregateTable),
          [SENSOR_ENV.failureQueueUrl]: ref(p.failures.queue),
          POWERTOOLS_SERVICE_NAME: 'sensor-processing',
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        }),
      },
    });
  });

  it('reads the sensor stream in 10-second tumbling windows with the project event-source defaults', () => {
    const { template, pipeline } = built;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arn(pipeline.streams.readings),
      FunctionName: ref(pipeline.processing.function),
      TumblingWindowInSeconds: 10,
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arn(pipeline.processing.failures.queue) } },
    });
  });

  it('grants exactly the table actions the stores use, and writes to the alert stream only', () => {
    const { template, pipeline } = built;
    const p = pipeline.processing;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some(
          (role) => role.Ref === built.stack.getLogicalId(p.function.role!.node.defaultChild as never),
        ),
      )
      .flatMap(
        (policy) =>
          policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
    const actionsOn = (resource: object) =>
      statements
        .filter((s) => JSON.stringify(s.Resource).includes(JSON.stringify(resource)))
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
        .sort();
    expect(actionsOn(arn(p.dedupTable))).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']);
    expect(actionsOn(arn(p.aggregateTable))).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(actionsOn(arn(pipeline.streams.alerts))).toEqual(
      expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords']),
    );
    expect(actionsOn(arn(pipeline.streams.alerts))).not.toContain('kinesis:GetRecords');
  });

  it('rejects windows and batch sizes Lambda cannot take', () => {
    const stack = new Stack(new App(), 'S');
    const a = new Stream(stack, 'A');
    const b = new Stream(stack, 'B');
    const props = { source: a, alerts: b, aggregateTableName: 't' };
    expect(() => new SensorProcessing(stack, 'P1', { ...props, window: Duration.seconds(901) })).toThrow(
      'Tumbling window must be 1 to 900 seconds, got 901',
    );
    expect(() => new SensorProcessing(stack, 'P2', { ...props, batchSize: 0 })).toThrow(
      'Batch size must be a whole number from 1 to 10000, got 0',
    );
  });
});

describe('SensorDelivery', () => {
  it('delivers the alert stream through the CSV processor to S3, buffering 5 MiB / 60 s, logging errors', () => {
    const { template, pipeline, lake } = built;
    const d = pipeline.delivery;
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: arn(pipeline.streams.alerts) },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: arn(lake.bucket),
        Prefix: `${SENSOR_ALERT_PREFIX}${SENSOR_ALERT_PARTITIONS}`,
        ErrorOutputPrefix: SENSOR_ERROR_PREFIX,
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
        CompressionFormat: 'UNCOMPRESSED',
        FileExtension: '.csv',
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true, LogGroupName: ref(d.logGroup) }),
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: Match.arrayWith([
                { ParameterName: 'LambdaArn', ParameterValue: arn(d.processor) },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '60' },
                { ParameterName: 'BufferSizeInMBs', ParameterValue: '1' },
                { ParameterName: 'NumberOfRetries', ParameterValue: '3' },
              ]),
            },
          ],
        },
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Converts sensor alerts from JSON to CSV lines for Firehose',
    });
  });

  it('writes .csv only for uncompressed objects, and rejects buffering Firehose cannot do', () => {
    const stack = new Stack(new App(), 'S');
    const source = new Stream(stack, 'A');
    const bucket = new Bucket(stack, 'B');
    new SensorDelivery(stack, 'Gzip', { source, bucket, compression: Compression.GZIP });
    Template.fromStack(stack).hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: 'GZIP',
        FileExtension: Match.absent(),
      }),
    });
    expect(
      () => new SensorDelivery(stack, 'Slow', { source, bucket, bufferingInterval: Duration.seconds(901) }),
    ).toThrow('Buffering interval must be 0 to 900 seconds, got 901');
    expect(
      () => new SensorDelivery(stack, 'Big', { source, bucket, bufferingSize: Size.mebibytes(129) }),
    ).toThrow('Buffering size must be 1 to 128 MiB, got 129');
  });
});

describe('SensorPipeline', () => {
  it('gives producers a group whose policy puts records on the sensor stream only', () => {
    const { template, pipeline } = built;
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: PRODUCER_ACTIONS, Resource: arn(pipeline.streams.readings) }],
      },
    });
    template.hasResourceProperties('AWS::IAM::Group', {
      ManagedPolicyArns: [ref(pipeline.producerAccess.policy)],
    });
  });

  it('passes cdk-nag AwsSolutions checks with only reasoned acknowledgements', () => {
    const app = new App();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    build(app);
    expect(() => app.synth()).not.toThrow();
  });
});
