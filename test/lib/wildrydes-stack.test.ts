import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { DEFAULT_NAMES } from '#core/names';
import { UNICORN_STATUS_FIELDS } from '#core/telemetry';
import { METRICS_NAMESPACE } from '#core/settings';
import { latestNodeRuntime } from '../../lib/constructs/wildrydes-function';
import { LAB_STREAM_PROPERTIES } from '../support/lab-stream';
import { logicalId, synthStack } from '../support/synth';

const { stack, template } = synthStack();
const id = {
  telemetry: logicalId(stack, stack.streams.telemetry),
  summary: logicalId(stack, stack.streams.summary!),
  aggregator: logicalId(stack, stack.aggregation!.function),
  persister: logicalId(stack, stack.persistence!.function),
  aggregatorQueue: logicalId(stack, stack.aggregation!.failures.queue),
  persisterQueue: logicalId(stack, stack.persistence!.failures.queue),
  table: logicalId(stack, stack.persistence!.table),
  pool: stack.getLogicalId(stack.dashboardAccess.identityPool),
  guestRole: logicalId(stack, stack.dashboardAccess.unauthenticatedRole),
  bucket: logicalId(stack, stack.dataLake!.bucket),
  delivery: logicalId(stack, stack.dataLake!.deliveryStream),
  topic: logicalId(stack, stack.monitoring.topic),
};
const arn = (logical: string) => ({ 'Fn::GetAtt': [logical, 'Arn'] });

describe('streams', () => {
  it('creates wildrydes with one provisioned shard and wildrydes-summary with one, encrypted, 24 h', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'wildrydes',
      ShardCount: 1,
      ...LAB_STREAM_PROPERTIES,
    });
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'wildrydes-summary',
      ShardCount: 1,
      ...LAB_STREAM_PROPERTIES,
    });
    // The IoT sensor pipeline's streams come with its lab (test/lib/labs.test.ts).
    template.resourceCountIs('AWS::Kinesis::Stream', 2);
  });

  it('takes the telemetry shard count or on-demand mode from config', () => {
    synthStack({ telemetryCapacity: { mode: 'provisioned', shards: 4 } }).template.hasResourceProperties(
      'AWS::Kinesis::Stream',
      { Name: 'wildrydes', ShardCount: 4 },
    );
    const onDemand = synthStack({ telemetryCapacity: { mode: 'on-demand' } }).template;
    onDemand.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'wildrydes',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      ShardCount: Match.absent(),
    });
  });

  it('refuses an impossible shard count', () => {
    expect(() => synthStack({ telemetryCapacity: { mode: 'provisioned', shards: 0 } })).toThrow(
      /shard count must be a whole number from 1 to 500, got 0/,
    );
  });
});

describe('summary aggregation', () => {
  it('runs on wildrydes with a 60 s tumbling window and deliberate retry settings', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id.aggregator },
      EventSourceArn: arn(id.telemetry),
      TumblingWindowInSeconds: 60,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arn(id.aggregatorQueue) } },
    });
  });

  it('is told where to put summaries and where to set bad records aside', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SUMMARY_STREAM_NAME: { Ref: id.summary },
          FAILURE_QUEUE_URL: { Ref: id.aggregatorQueue },
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
  });

  it('may write to the summary stream only', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: {
        Roles: [{ Ref: stack.getLogicalId(stack.aggregation!.function.role!.node.defaultChild as never) }],
      },
    });
    const statements = Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const writes = statements.filter((s) => [s.Action].flat().includes('kinesis:PutRecords'));
    expect(writes).toEqual([expect.objectContaining({ Resource: arn(id.summary) })]);
  });
});

describe('summary persistence', () => {
  it('stores summaries in an on-demand table keyed by Name and StatusTime, with PITR', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        TableName: DEFAULT_NAMES.summaryTable,
        KeySchema: [
          { AttributeName: 'Name', KeyType: 'HASH' },
          { AttributeName: 'StatusTime', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'Name', AttributeType: 'S' },
          { AttributeName: 'StatusTime', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  it('reads the summary stream with partial batch responses and its own failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id.persister },
      EventSourceArn: arn(id.summary),
      TumblingWindowInSeconds: Match.absent(),
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arn(id.persisterQueue) } },
    });
  });

  it('may only get and put items of its table', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Effect: 'Allow', Resource: [arn(id.table)] },
        ]),
      },
    });
  });
});

describe('handlers', () => {
  it('run on the newest Node.js runtime this aws-cdk-lib knows, on arm64', () => {
    const newest = Runtime.ALL.filter((rt) => rt.family === RuntimeFamily.NODEJS)
      .map((rt) => rt.name)
      .filter((name) => /^nodejs\d+\.x$/.test(name))
      .sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)))
      .pop();
    expect(latestNodeRuntime().name).toBe(newest);
    for (const fn of [id.aggregator, id.persister]) {
      template.hasResource('AWS::Lambda::Function', {
        Properties: Match.objectLike({ Runtime: newest, Architectures: ['arm64'], Handler: 'index.handler' }),
      });
      expect(template.toJSON().Resources[fn].Properties.Runtime).toBe(newest);
    }
  });

  it("name their Powertools service and the app's metrics namespace in their environment", () => {
    const resources = template.toJSON().Resources;
    const environmentOf = (fn: string) => resources[fn].Properties.Environment.Variables;
    expect(environmentOf(id.aggregator)).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'summary-aggregation',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    });
    expect(environmentOf(id.persister)).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'summary-persistence',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    });
  });

  it('log to their own log group, deleted with the stack, through their own role', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Delete',
      Properties: { RetentionInDays: 30 },
    });
    const resources = template.toJSON().Resources;
    for (const fn of [stack.aggregation!.function, stack.persistence!.function]) {
      const role = resources[stack.getLogicalId(fn.role!.node.defaultChild as never)];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const logGroup = stack.getLogicalId(fn.logGroup.node.defaultChild as never);
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: stack.getLogicalId(fn.role!.node.defaultChild as never) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Effect: 'Allow',
              Resource: arn(logGroup),
            },
          ]),
        },
      });
      expect(
        resources[fn.node.defaultChild ? stack.getLogicalId(fn.node.defaultChild as never) : ''].Properties
          .LoggingConfig,
      ).toEqual({
        LogGroup: { Ref: logGroup },
      });
    }
  });
});

describe('dashboard access', () => {
  it('allows guest identities on the basic flow', () => {
    template.hasResourceProperties('AWS::Cognito::IdentityPool', {
      IdentityPoolName: DEFAULT_NAMES.identityPool,
      AllowUnauthenticatedIdentities: true,
      AllowClassicFlow: true,
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      IdentityPoolId: { Ref: id.pool },
      Roles: { unauthenticated: arn(id.guestRole) },
    });
  });

  it('trusts only this pool’s unauthenticated identities', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: 'cognito-identity.amazonaws.com' },
            Condition: {
              StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: id.pool } },
              'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
            },
          },
        ],
      },
    });
  });

  it('can only read and list the wildrydes stream and its consumers, nothing else', () => {
    const role = template.toJSON().Resources[id.guestRole];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = role.Properties.Policies.flatMap(
      (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'kinesis:DescribeStream',
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
          'kinesis:ListStreamConsumers',
        ],
        Resource: arn(id.telemetry),
      },
      {
        Effect: 'Allow',
        Action: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
        Resource: { 'Fn::Join': ['', [arn(id.telemetry), '/consumer/*']] },
      },
    ]);
    // No other policy is attached to the guest role.
    expect(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: id.guestRole }] } }),
    ).toEqual({});
  });

  it('outputs what the dashboard needs', () => {
    template.hasOutput('IdentityPoolId', { Value: { Ref: id.pool } });
    template.hasOutput('Region', { Value: { Ref: 'AWS::Region' } });
    template.hasOutput('StreamName', { Value: { Ref: id.telemetry } });
    template.hasOutput('GuestRoleArn', { Value: arn(id.guestRole) });
  });
});

describe('data lake', () => {
  it('delivers the raw stream to S3 as GZIP JSON lines under time-partitioned and error prefixes', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: arn(id.telemetry) },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: arn(id.bucket),
        CompressionFormat: 'GZIP',
        Prefix: 'raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        ErrorOutputPrefix:
          'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [Match.objectLike({ Type: 'AppendDelimiterToRecord' })],
        },
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
      }),
    });
  });

  it('keeps the data in an encrypted, private, TLS-only bucket that is emptied on delete', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'data-lake/' }),
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id.bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: id.bucket } });
  });

  it('describes the data to Athena with a Glue table derived from the record schema', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: DEFAULT_NAMES.glueDatabase },
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: DEFAULT_NAMES.glueDatabase,
      TableInput: Match.objectLike({
        Name: DEFAULT_NAMES.glueTable,
        PartitionKeys: ['year', 'month', 'day', 'hour'].map((name) => ({ Name: name, Type: 'string' })),
        Parameters: Match.objectLike({ 'projection.enabled': 'true' }),
        StorageDescriptor: Match.objectLike({
          Columns: [
            { Name: 'name', Type: 'string' },
            { Name: 'statustime', Type: 'string' },
            { Name: 'latitude', Type: 'double' },
            { Name: 'longitude', Type: 'double' },
            { Name: 'distance', Type: 'double' },
            { Name: 'magicpoints', Type: 'int' },
            { Name: 'healthpoints', Type: 'int' },
          ],
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
      }),
    });
    expect(UNICORN_STATUS_FIELDS).toHaveLength(7);
  });

  it('gives Athena an enforced workgroup with encrypted results', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: DEFAULT_NAMES.athenaWorkGroup,
      RecursiveDeleteOption: true,
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: id.bucket }, '/athena-results/']] },
        },
      }),
    });
  });
});

describe('producer access', () => {
  it('grants exactly what a producer needs on the telemetry stream, through a group', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'kinesis:PutRecord',
              'kinesis:PutRecords',
              'kinesis:DescribeStream',
              'kinesis:DescribeStreamSummary',
              'kinesis:ListShards',
            ],
            Resource: arn(id.telemetry),
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Group', {
      ManagedPolicyArns: [
        { Ref: logicalId(stack, { node: { defaultChild: stack.producerAccess.policy.node.defaultChild } }) },
      ],
    });
  });
});

describe('monitoring', () => {
  const alarms = template.findResources('AWS::CloudWatch::Alarm');
  const alarm = (metric: string, dimension: string, ref: string) =>
    Object.values(alarms).filter(
      (a) =>
        a.Properties.MetricName === metric &&
        JSON.stringify(a.Properties.Dimensions) ===
          JSON.stringify([{ Name: dimension, Value: { Ref: ref } }]),
    );

  it.each([
    ['GetRecords.IteratorAgeMilliseconds', 'StreamName', 'telemetry'],
    ['GetRecords.IteratorAgeMilliseconds', 'StreamName', 'summary'],
    ['WriteProvisionedThroughputExceeded', 'StreamName', 'telemetry'],
    ['ReadProvisionedThroughputExceeded', 'StreamName', 'telemetry'],
    ['WriteProvisionedThroughputExceeded', 'StreamName', 'summary'],
    ['Errors', 'FunctionName', 'aggregator'],
    ['Errors', 'FunctionName', 'persister'],
    ['IteratorAge', 'FunctionName', 'aggregator'],
    ['IteratorAge', 'FunctionName', 'persister'],
  ] as const)('alarms on %s of its own %s (%s)', (metric, dimension, which) => {
    expect(alarm(metric, dimension, id[which])).toHaveLength(1);
  });

  it('alarms on dead letters in each failure queue, by queue name', () => {
    for (const queue of [id.aggregatorQueue, id.persisterQueue]) {
      const found = Object.values(alarms).filter(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Properties.Dimensions) ===
            JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }]),
      );
      expect(found).toHaveLength(1);
    }
  });

  it('sends every alarm to the SNS topic', () => {
    // Three per stream (wildrydes, wildrydes-summary) and three per stream consumer
    // (aggregation, persistence) of the default labs.
    expect(Object.keys(alarms)).toHaveLength(2 * 3 + 2 * 3);
    for (const a of Object.values(alarms)) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: id.topic }]);
      expect(a.Properties.Dimensions).toHaveLength(1);
    }
    template.hasOutput('AlarmTopicArn', { Value: { Ref: id.topic } });
  });

  it("shows every alarm's state and a text widget on the dashboard", () => {
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('\\"type\\":\\"text\\"');
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    for (const logical of Object.keys(alarms)) expect(body).toContain(`{"Fn::GetAtt":["${logical}","Arn"]}`);
  });

  it('charts Firehose freshness by delivery stream name, not ARN', () => {
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(body).toContain('DeliveryToS3.DataFreshness');
    expect(body).toContain(`"DeliveryStreamName\\",\\"",{"Ref":"${id.delivery}"}`);
  });
});

describe('teardown', () => {
  it('retains nothing on cdk destroy', () => {
    for (const [logical, resource] of Object.entries(
      template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>,
    )) {
      if (resource.DeletionPolicy !== undefined)
        expect([logical, resource.DeletionPolicy]).toEqual([logical, 'Delete']);
    }
  });
});
