import { FirehoseClient } from '@aws-sdk/client-firehose';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readStack, type LocalStack } from '../../local/assembly';
import type { AwsEndpoint } from '../../local/aws/endpoint';
import { FirehoseService, firehoseDeliveryStreams } from '../../local/aws/firehose';
import type { Caller, Decision } from '../../local/aws/service';
import type { Invoker } from '../../local/event-source';
import { DeliveryStreamRunner, type ObjectWriter } from '../../local/firehose';
import { CheckpointStore, type Clock } from '../../local/shards';
import type { CfnTemplate } from '../../system/cloud-assembly';
import { startServiceEndpoint } from './aws-endpoint';

/**
 * A hand-written template with three delivery streams into one bucket, read as the runtime
 * reads a synthesized one: `clicks` (DirectPut, newline delimiter, 1 MiB / 60 s hints),
 * `shouting` (DirectPut, a Lambda transformation, GZIP, errors under `failed/`) and `mirror`
 * (reading the Kinesis stream `events`).
 */
export const FIREHOSE_TEMPLATE = {
  Resources: {
    Lake: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'lake' } },
    Events: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'events', ShardCount: 1 } },
    DeliveryRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'delivery' } },
    Upper: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'upper', Handler: 'index.handler', Code: { ZipFile: '' } },
    },
    Clicks: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        DeliveryStreamName: 'clicks',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: { 'Fn::GetAtt': ['Lake', 'Arn'] },
          RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] },
          Prefix: 'clicks/',
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
          CompressionFormat: 'UNCOMPRESSED',
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: 'AppendDelimiterToRecord',
                Parameters: [{ ParameterName: 'Delimiter', ParameterValue: '\\n' }],
              },
            ],
          },
        },
      },
    },
    Shouting: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        DeliveryStreamName: 'shouting',
        ExtendedS3DestinationConfiguration: {
          BucketARN: { 'Fn::GetAtt': ['Lake', 'Arn'] },
          RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] },
          Prefix: 'shouting/!{timestamp:yyyy}/',
          ErrorOutputPrefix: 'failed/!{firehose:error-output-type}/',
          BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
          CompressionFormat: 'GZIP',
          CloudWatchLoggingOptions: {
            Enabled: true,
            LogGroupName: 'shouting-logs',
            LogStreamName: 'S3Delivery',
          },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [
              {
                Type: 'Lambda',
                Parameters: [
                  { ParameterName: 'LambdaArn', ParameterValue: { 'Fn::GetAtt': ['Upper', 'Arn'] } },
                  { ParameterName: 'NumberOfRetries', ParameterValue: '3' },
                ],
              },
            ],
          },
        },
      },
    },
    Mirror: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        DeliveryStreamName: 'mirror',
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: {
          KinesisStreamARN: { 'Fn::GetAtt': ['Events', 'Arn'] },
          RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] },
        },
        ExtendedS3DestinationConfiguration: {
          BucketARN: { 'Fn::GetAtt': ['Lake', 'Arn'] },
          RoleARN: { 'Fn::GetAtt': ['DeliveryRole', 'Arn'] },
          Prefix: 'mirror/',
        },
      },
    },
  },
} satisfies CfnTemplate;

/** A clock that moves only when the test says so; sleepers wake when their time comes. */
export function manualClock(start = Date.UTC(2026, 10, 30, 12, 0, 0)) {
  let now = start;
  const sleepers: { at: number; wake: () => void }[] = [];
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        sleepers.push({ at: now + ms, wake: resolve });
        signal?.addEventListener('abort', () => resolve(), { once: true });
      }),
    advance(ms) {
      now += ms;
      for (const sleeper of sleepers.splice(0)) {
        if (sleeper.at <= now) sleeper.wake();
        else sleepers.push(sleeper);
      }
    },
  };
  return clock;
}

/** An S3 stand-in: objects by key, in the order first written, and every write counted. */
export function memoryBucket() {
  const objects = new Map<string, Buffer>();
  let writes = 0;
  const writer: ObjectWriter & { failNext?: 'after-write' | 'before-write' } = {
    put: async (_bucket, key, body) => {
      const fault = writer.failNext;
      writer.failNext = undefined;
      if (fault === 'before-write') throw new Error('S3 is unreachable (test)');
      objects.set(key, Buffer.from(body));
      writes += 1;
      if (fault === 'after-write') throw new Error('the answer was lost (test)');
    },
  };
  return { objects, writer, writes: () => writes };
}

export interface FirehoseFixture {
  readonly stack: LocalStack;
  readonly endpoint: AwsEndpoint;
  readonly client: FirehoseClient;
  readonly clock: ReturnType<typeof manualClock>;
  readonly bucket: ReturnType<typeof memoryBucket>;
  readonly runners: Map<string, DeliveryStreamRunner>;
  /** Starts the runner of a DirectPut delivery stream again on its spool (after `abandon`). */
  restart(name: string): DeliveryStreamRunner;
  stop(): Promise<void>;
}

/**
 * The template's DirectPut delivery streams running (spools in a temporary folder, objects in a
 * memory bucket, the manual clock), the Firehose API over them on a local endpoint (port 0), and
 * an SDK client for it.
 */
export async function startFirehoseFixture(
  options: {
    authorize?: (caller: Caller, action: string, resource: string) => Promise<Decision>;
    processors?: Record<string, Invoker>;
    log?: (message: string) => void;
  } = {},
): Promise<FirehoseFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'firehose-'));
  const stack = readStack(FIREHOSE_TEMPLATE, 'Test', 'us-east-1', dir, { sqs: 'http://127.0.0.1:1' });
  const clock = manualClock();
  const bucket = memoryBucket();
  const runners = new Map<string, DeliveryStreamRunner>();
  const runnerFor = (name: string) => {
    const delivery = stack.deliveryStreams.find((d) => d.name === name)!;
    const runner = new DeliveryStreamRunner({
      delivery,
      source: { type: 'DirectPut', spoolFile: path.join(dir, `${name}.spool`) },
      bucketName: 'lake',
      region: 'us-east-1',
      writer: bucket.writer,
      processors: options.processors ?? {},
      checkpoints: new CheckpointStore(path.join(dir, `${name}.json`)),
      clock,
      log: options.log ?? (() => undefined),
    });
    runner.start();
    runners.set(name, runner);
    return runner;
  };
  for (const delivery of stack.deliveryStreams) if (delivery.type === 'DirectPut') runnerFor(delivery.name);
  const service = new FirehoseService({
    deliveryStreams: firehoseDeliveryStreams(
      [stack],
      [...runners.keys()].map((name) => ({
        get deliveryStream() {
          return runners.get(name)!.deliveryStream;
        },
        putRecords: (records) => runners.get(name)!.putRecords(records),
      })),
    ),
    createdAt: new Date(clock.now()),
  });
  const served = await startServiceEndpoint([service], FirehoseClient, { authorize: options.authorize });
  const { endpoint, client } = served;
  return {
    stack,
    endpoint,
    client,
    clock,
    bucket,
    runners,
    restart: runnerFor,
    async stop() {
      await served.stop();
      await Promise.all([...runners.values()].map((r) => r.abandon()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
