import { App, CfnParameter, Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { DeliveryStream, KinesisStreamSource, S3Bucket } from 'aws-cdk-lib/aws-kinesisfirehose';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { accessLogBucket, PRIVATE_REMOVABLE_BUCKET } from '../../lib/constructs/buckets';
import { S3Delivery, type S3DeliveryProps, type S3DeliveryTransform } from '../../lib/constructs/s3-delivery';
import { STREAM_DEFAULTS } from '../../lib/constructs/stream-defaults';
import { WildRydesFunction } from '../../lib/constructs/wildrydes-function';

const DATA = 'data/year=!{timestamp:yyyy}/';
const ERRORS = 'data-errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/';

/** A stack with what a delivery needs around it, built as the app builds its own (nag-clean). */
function fixture(app = new App()) {
  const stack = new Stack(app, 'S');
  const bucket = new Bucket(stack, 'Bucket', {
    ...PRIVATE_REMOVABLE_BUCKET,
    serverAccessLogsBucket: accessLogBucket(stack),
  });
  const source = new Stream(stack, 'Source', STREAM_DEFAULTS);
  const fn = new WildRydesFunction(stack, 'Transform', {
    handlerDir: 'sensor-csv',
    description: 'transform',
  });
  const base = { bucket, dataOutputPrefix: DATA, errorOutputPrefix: ERRORS } satisfies S3DeliveryProps;
  return { app, stack, bucket, source, fn, base };
}

const { stack, bucket, source, fn, base } = fixture();
const fromStream = new S3Delivery(stack, 'Delivery', { ...base, source });
const direct = new S3Delivery(stack, 'Direct', {
  bucket,
  dataOutputPrefix: 'direct/',
  errorOutputPrefix: 'direct-errors/',
  deliveryStreamName: 'direct-put',
});
const transformed = new S3Delivery(stack, 'Transformed', {
  bucket,
  source,
  dataOutputPrefix: 'csv/',
  errorOutputPrefix: 'csv-errors/',
  transform: { function: fn },
  appendNewline: true,
});
const template = Template.fromStack(stack);

const id = (c: Construct) => stack.getLogicalId(c.node.defaultChild as never);
const arn = (c: Construct) => ({ 'Fn::GetAtt': [id(c), 'Arn'] });
const bucketArn = arn(bucket);
const objectsUnder = (prefix: string) => ({ 'Fn::Join': ['', [bucketArn, `/${prefix}*`]] });

/** The statements of every policy attached to `role`. */
function statementsOf(
  role: Construct,
): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const roleRef = { Ref: id(role) };
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([roleRef]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}
const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const destinationRole = (d: S3Delivery) => d.node.findChild('S3 Destination Role');
const deliveryProps = (d: S3Delivery) => template.toJSON().Resources[id(d)].Properties;

describe('S3Delivery', () => {
  it('copies a Kinesis stream into GZIP objects under its prefixes, every 60 s or 5 MiB', () => {
    expect(deliveryProps(fromStream)).toMatchObject({
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: arn(source) },
      ExtendedS3DestinationConfiguration: {
        BucketARN: bucketArn,
        Prefix: DATA,
        ErrorOutputPrefix: ERRORS,
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
      },
    });
    const props = deliveryProps(fromStream);
    expect(props.ExtendedS3DestinationConfiguration.ProcessingConfiguration).toBeUndefined();
    expect(props.ExtendedS3DestinationConfiguration.FileExtension).toBeUndefined();
    expect(props.DeliveryStreamEncryptionConfigurationInput).toBeUndefined();
    expect(fromStream.prefixes).toEqual(['data/', 'data-errors/']);
  });

  it('logs delivery errors to a group beside it (<id>Logs) that, with its stream, goes with the stack', () => {
    expect(fromStream.logGroup.node.path).toBe('S/DeliveryLogs');
    expect(deliveryProps(fromStream).ExtendedS3DestinationConfiguration.CloudWatchLoggingOptions).toEqual({
      Enabled: true,
      LogGroupName: { Ref: id(fromStream.logGroup) },
      LogStreamName: { Ref: expect.any(String) },
    });
    const group = template.toJSON().Resources[id(fromStream.logGroup)];
    expect(group).toMatchObject({ DeletionPolicy: 'Delete', Properties: { RetentionInDays: 30 } });
    const streams = Object.values(template.findResources('AWS::Logs::LogStream')).filter(
      (s) => s.Properties.LogGroupName.Ref === id(fromStream.logGroup),
    );
    expect(streams).toEqual([expect.objectContaining({ DeletionPolicy: 'Delete' })]);
  });

  it("grants its destination role Firehose's documented S3 actions under its own two prefixes only", () => {
    const s3 = statementsOf(destinationRole(fromStream)).filter((s) => actions(s)[0].startsWith('s3:'));
    // The S3 destination policy in Firehose's access-control guide, and no other S3 action.
    expect(s3.flatMap(actions).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:PutObject',
    ]);
    const on = (action: string) => s3.filter((s) => actions(s).includes(action));
    expect(on('s3:PutObject')).toEqual([
      expect.objectContaining({ Resource: [objectsUnder('data/'), objectsUnder('data-errors/')] }),
    ]);
    expect(on('s3:GetBucketLocation')).toEqual([expect.objectContaining({ Resource: bucketArn })]);
    expect(on('s3:ListBucket')).toEqual([
      expect.objectContaining({
        Resource: bucketArn,
        Condition: { StringLike: { 's3:prefix': ['data/*', 'data-errors/*'] } },
      }),
    ]);
  });

  it('lets its source role read the stream, and nothing reads one for Direct PUT', () => {
    const read = statementsOf(fromStream.node.findChild('Service Role')).filter(
      (s) => JSON.stringify(s.Resource) === JSON.stringify(arn(source)),
    );
    expect(read.flatMap(actions)).toEqual(
      expect.arrayContaining(['kinesis:GetRecords', 'kinesis:GetShardIterator']),
    );
    expect(direct.node.tryFindChild('Service Role')).toBeUndefined();
  });

  it('takes Direct PUT records when it has no source, keeping them encrypted with an AWS-owned key', () => {
    expect(deliveryProps(direct)).toMatchObject({
      DeliveryStreamName: 'direct-put',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
    });
    expect(deliveryProps(direct).KinesisStreamSourceConfiguration).toBeUndefined();
  });

  it('hands records to its transform function (1 MiB / 60 s, 3 retries), then ends each with a newline', () => {
    expect(deliveryProps(transformed).ExtendedS3DestinationConfiguration.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [
        {
          Type: 'Lambda',
          Parameters: expect.arrayContaining([
            { ParameterName: 'LambdaArn', ParameterValue: arn(fn) },
            { ParameterName: 'BufferSizeInMBs', ParameterValue: '1' },
            { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '60' },
            { ParameterName: 'NumberOfRetries', ParameterValue: '3' },
          ]),
        },
        { Type: 'AppendDelimiterToRecord', Parameters: [] },
      ],
    });
    const invoke = statementsOf(destinationRole(transformed)).filter((s) =>
      actions(s).includes('lambda:InvokeFunction'),
    );
    expect(JSON.stringify(invoke)).toContain(JSON.stringify(arn(fn)));
    expect(statementsOf(destinationRole(fromStream)).flatMap(actions)).not.toContain('lambda:InvokeFunction');
  });

  it('passes cdk-nag AwsSolutions checks with its acknowledgements; a bare delivery stream does not', () => {
    const clean = fixture();
    Validations.of(clean.app).addPlugins(new AwsSolutionsChecks(clean.app));
    new S3Delivery(clean.stack, 'Delivery', { ...clean.base, source: clean.source });
    new S3Delivery(clean.stack, 'Direct', { ...clean.base, dataOutputPrefix: 'd/', errorOutputPrefix: 'e/' });
    new S3Delivery(clean.stack, 'Transformed', {
      ...clean.base,
      source: clean.source,
      dataOutputPrefix: 'csv/',
      errorOutputPrefix: 'csv-errors/',
      transform: { function: clean.fn },
    });
    expect(() => clean.app.synth()).not.toThrow();

    // The check is live: the same source and bucket without the construct's acknowledgements.
    const bare = fixture();
    Validations.of(bare.app).addPlugins(new AwsSolutionsChecks(bare.app));
    new DeliveryStream(bare.stack, 'Bare', {
      source: new KinesisStreamSource(bare.source),
      destination: new S3Bucket(bare.bucket),
    });
    expect(() => bare.app.synth()).toThrow(/AwsSolutions-KDF1/);
  });
});

describe('S3Delivery validation', () => {
  type Fixture = ReturnType<typeof fixture>;
  const build = (props: Partial<S3DeliveryProps> | ((f: Fixture) => Partial<S3DeliveryProps>)) => () => {
    const f = fixture();
    const own = typeof props === 'function' ? props(f) : props;
    return new S3Delivery(f.stack, 'D', { ...f.base, source: f.source, ...own });
  };
  const transform = (t: Omit<S3DeliveryTransform, 'function'>) =>
    build((f) => ({ transform: { function: f.fn, ...t } }));

  it("accepts the ends of Firehose's documented buffering ranges (0–900 s, 1–128 MiB)", () => {
    expect(build({ bufferingInterval: Duration.seconds(0), bufferingSize: Size.mebibytes(1) })).not.toThrow();
    expect(
      build({ bufferingInterval: Duration.seconds(900), bufferingSize: Size.mebibytes(128) }),
    ).not.toThrow();
    expect(transform({ bufferSize: Size.mebibytes(3), bufferInterval: Duration.seconds(0) })).not.toThrow();
  });

  it('rejects buffering outside those ranges, naming the value it got', () => {
    expect(build({ bufferingInterval: Duration.seconds(901) })).toThrow(
      'Buffering interval must be 0 to 900 seconds, got 901',
    );
    expect(build({ bufferingInterval: Duration.millis(1500) })).toThrow(
      'Buffering interval must be a whole number of seconds, got 1.5',
    );
    expect(build({ bufferingSize: Size.mebibytes(0) })).toThrow('Buffering size must be 1 to 128 MiB, got 0');
    expect(build({ bufferingSize: Size.mebibytes(129) })).toThrow(
      'Buffering size must be 1 to 128 MiB, got 129',
    );
    expect(build({ bufferingSize: Size.kibibytes(1536) })).toThrow(
      'Buffering size must be a whole number of MiB, got 1.5',
    );
  });

  it("rejects a transform's buffering outside Firehose's documented 0.2–3 MiB and 0–900 s", () => {
    expect(transform({ bufferSize: Size.mebibytes(4) })).toThrow(
      'Transform buffer size must be 0.2 to 3 MiB, got 4',
    );
    expect(transform({ bufferInterval: Duration.seconds(901) })).toThrow(
      'Transform buffer interval must be 0 to 900 seconds, got 901',
    );
  });

  it('leaves an unresolved buffering interval to deploy time', () => {
    const f = fixture();
    const seconds = new CfnParameter(f.stack, 'Seconds', { type: 'Number' }).valueAsNumber;
    const d = new S3Delivery(f.stack, 'D', { ...f.base, bufferingInterval: Duration.seconds(seconds) });
    expect(
      Template.fromStack(f.stack).toJSON().Resources[f.stack.getLogicalId(d.node.defaultChild as never)],
    ).toMatchObject({
      Properties: {
        ExtendedS3DestinationConfiguration: { BufferingHints: { IntervalInSeconds: { Ref: 'Seconds' } } },
      },
    });
  });

  it('needs a fixed folder at the start of each prefix, apart from the other', () => {
    expect(build({ dataOutputPrefix: '!{timestamp:yyyy}/' })).toThrow(
      'Data prefix must start with a fixed folder such as "raw/", got "!{timestamp:yyyy}/"',
    );
    expect(build({ errorOutputPrefix: '!{firehose:error-output-type}/' })).toThrow(
      'Error prefix must start with a fixed folder such as "errors/", got "!{firehose:error-output-type}/"',
    );
    expect(
      build({ dataOutputPrefix: 'logs/', errorOutputPrefix: 'logs/errors/!{firehose:error-output-type}/' }),
    ).toThrow(
      'Error prefix "logs/errors/!{firehose:error-output-type}/" and data prefix "logs/" must lie in separate folders',
    );
  });

  it('creates nothing when it rejects its props', () => {
    const f = fixture();
    const before = f.stack.node.children.length;
    expect(() => new S3Delivery(f.stack, 'D', { ...f.base, bufferingSize: Size.mebibytes(129) })).toThrow();
    const transform = { function: f.fn, bufferSize: Size.mebibytes(4) };
    expect(() => new S3Delivery(f.stack, 'D', { ...f.base, transform })).toThrow();
    expect(f.stack.node.children).toHaveLength(before);
  });
});
