import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { newProducerStats, runProducer } from '../cli/producer';
import { fleetNames } from '#core/movement';
import { startDashboardServer, type DashboardConfig } from '../dashboard/server';
import { startLogAgent } from '../agent/agent';
import { formatCombinedLogLine, randomAccessLogEntry } from '#core/apache-log';
import { seededRandom } from '#core/movement';
import { readAssembly, type LocalFunction, type LocalStack } from './assembly';
import { startEmulators, type Emulators, type LocalEndpoints } from './emulators';
import { EventSourceMapping, label, type WindowCheckpoint } from './event-source';
import { DeliveryStreamRunner, type ObjectWriter } from './firehose';
import { LambdaHost } from './lambda-host';
import { CheckpointStore, realClock, type Clock } from './shards';

/** Kinesalite and dynalite take any credentials; s3rver only its own, so everything uses those. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalPipelineOptions {
  /** The synthesized cloud assembly (cdk.out) to run. */
  readonly assemblyDir: string;
  /** Where emulator data, checkpoints and function logs live; kept across runs. */
  readonly dataDir: string;
  /** Wipe the data folder first. */
  readonly fresh?: boolean;
  /** Unicorns to fly (0 for none). @default 3 */
  readonly unicorns?: number;
  /** Replaces the template's tumbling window length. */
  readonly windowSeconds?: number;
  /** Replaces the event sources' MaximumBatchingWindowInSeconds (tests). */
  readonly batchingWindowSeconds?: number;
  /** Emulator ports; 0 picks free ones. @default the fixed DEFAULT_PORTS */
  readonly ports?: Partial<Record<keyof LocalEndpoints, number>>;
  /** How often idle shards are polled. @default 1000 ms, as Lambda and Firehose do */
  readonly pollMs?: number;
  /** Serve the Unicorn Dashboard on this port (0 for a free one); undefined for none. */
  readonly dashboardPort?: number;
  /** The dashboard's expiry and polling, for demos and tests. @default the page's (30 s, 2 s) */
  readonly dashboardSettings?: Pick<DashboardConfig, 'expirySeconds' | 'pollSeconds'>;
  /** Replaces the delivery streams' buffering interval (tests). */
  readonly bufferIntervalSeconds?: number;
  readonly clock?: Clock;
  /** Where problems are reported (function errors, batches given up). */
  readonly log?: (message: string) => void;
}

/** What the status line shows. */
export interface PipelineStatus {
  readonly produced: number;
  /** Records each event source mapping has handed to its function successfully, by label. */
  readonly consumers: readonly { label: string; records: number }[];
  readonly objects: number;
  /** Access-log lines the log agent shipped (when the log-shipping stack is synthesized). */
  readonly logLines?: number;
  readonly errors: number;
}

export interface LocalPipeline {
  readonly endpoints: LocalEndpoints;
  /** The dashboard's address, when it is served. */
  readonly dashboardUrl?: string;
  readonly region: string;
  readonly stacks: readonly LocalStack[];
  readonly emulators: Emulators;
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  status(): PipelineStatus;
  /** Stops the producers (sending what is pending), drains, saves positions, stops emulators. */
  stop(): Promise<void>;
}

/**
 * The environment that points AWS SDK clients at the local emulators: region, the emulators'
 * credentials and one endpoint per service. Functions get it on top of their template environment.
 */
export function localAwsEnvironment(region: string, endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

function functionEnvironment(
  fn: LocalFunction,
  region: string,
  endpoints: LocalEndpoints,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    ...fn.environment,
    ...localAwsEnvironment(region, endpoints),
  };
}

export interface LocalClients {
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  destroy(): void;
}

/** SDK clients for the emulators: Kinesis over HTTP/1.1, S3 path-style without streamed checksums. */
export function localClients(region: string, endpoints: LocalEndpoints): LocalClients {
  const common = { region, credentials: LOCAL_CREDENTIALS };
  const kinesis = new KinesisClient({
    ...common,
    endpoint: endpoints.kinesis,
    requestHandler: new NodeHttpHandler(),
  });
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const s3 = new S3Client({
    ...common,
    endpoint: endpoints.s3,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return {
    kinesis,
    dynamodb,
    s3,
    destroy() {
      kinesis.destroy();
      dynamodb.destroy();
      s3.destroy();
    },
  };
}

/** Creates the streams, tables, buckets and queues the stacks declare, unless they exist already. */
export async function provision(
  stacks: readonly LocalStack[],
  emulators: Emulators,
  clients: Pick<LocalClients, 'kinesis' | 'dynamodb' | 's3'>,
) {
  for (const stack of stacks) {
    for (const stream of stack.streams) {
      try {
        await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
        await clients.kinesis.send(
          new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shards }),
        );
      }
    }
    for (const table of stack.tables) {
      try {
        await clients.dynamodb.send(
          new CreateTableCommand({
            TableName: table.name,
            KeySchema: table.keySchema,
            AttributeDefinitions: table.attributeDefinitions,
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException) && (error as Error).name !== 'ResourceInUseException')
          throw error;
      }
    }
    for (const bucket of stack.buckets) {
      try {
        await clients.s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
      } catch (error) {
        if (!/BucketAlready(OwnedByYou|Exists)/.test((error as Error).name)) throw error;
      }
      // Browsers (the dashboard, a local data viewer) may read the local buckets.
      await clients.s3.send(
        new PutBucketCorsCommand({
          Bucket: bucket.name,
          CORSConfiguration: {
            CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'] }],
          },
        }),
      );
    }
    for (const queue of stack.queues) emulators.sqs.createQueue(queue.name);
  }
}

/** Starts the whole pipeline of a synthesized app on local emulators. */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const clock = options.clock ?? realClock;
  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(path.join(options.dataDir, 'logs'), { recursive: true });

  const emulators = await startEmulators({ dataDir: options.dataDir, ports: options.ports });
  const { endpoints } = emulators;
  const stopping: (() => Promise<void>)[] = [() => emulators.stop()];
  try {
    const stacks = readAssembly(options.assemblyDir, { sqs: endpoints.sqs });
    const region = stacks[0]?.region ?? 'us-east-1';
    const clients = localClients(region, endpoints);
    const { kinesis, dynamodb, s3 } = clients;
    stopping.push(async () => clients.destroy());
    await provision(stacks, emulators, clients);

    const hosts = new Map<string, LambdaHost>();
    const hostFor = (stack: LocalStack, logicalId: string) => {
      const key = `${stack.stackName}/${logicalId}`;
      let host = hosts.get(key);
      if (!host) {
        const fn = stack.functions.find((f) => f.logicalId === logicalId)!;
        host = new LambdaHost(
          fn,
          functionEnvironment(fn, stack.region, endpoints),
          path.join(options.dataDir, 'logs', `${stack.stackName}-${label(logicalId)}.log`),
        );
        hosts.set(key, host);
      }
      return host;
    };

    const mappings: { label: string; mapping: EventSourceMapping }[] = [];
    const deliveries: DeliveryStreamRunner[] = [];
    for (const stack of stacks) {
      for (const mapping of stack.eventSources.filter((m) => m.enabled)) {
        const host = hostFor(stack, mapping.functionLogicalId);
        const queue = stack.queues.find((q) => q.logicalId === mapping.onFailureQueueLogicalId);
        const runner = new EventSourceMapping({
          mapping:
            options.batchingWindowSeconds === undefined
              ? mapping
              : { ...mapping, batchingWindowSeconds: options.batchingWindowSeconds },
          stream: stack.streams.find((s) => s.logicalId === mapping.streamLogicalId)!,
          functionArn: host.fn.arn,
          region: stack.region,
          kinesis,
          invoker: host,
          onFailure: queue ? { send: async (body) => void emulators.sqs.send(queue.name, body) } : undefined,
          checkpoints: new CheckpointStore<WindowCheckpoint>(
            path.join(options.dataDir, 'checkpoints', `${stack.stackName}-${mapping.logicalId}.json`),
          ),
          clock,
          windowSeconds: options.windowSeconds,
          pollMs: options.pollMs,
          log,
        });
        mappings.push({ label: label(mapping.functionLogicalId), mapping: runner });
      }
      for (const delivery of stack.deliveryStreams) {
        const bucket = stack.buckets.find((b) => b.logicalId === delivery.bucketLogicalId)!;
        const writer: ObjectWriter = {
          put: async (bucketName, key, body) => {
            await s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: body }));
          },
        };
        const processors = Object.fromEntries(
          delivery.processors
            .filter((p) => p.type === 'Lambda')
            .map((p) => [p.functionLogicalId, hostFor(stack, p.functionLogicalId)]),
        );
        deliveries.push(
          new DeliveryStreamRunner({
            delivery:
              options.bufferIntervalSeconds === undefined
                ? delivery
                : { ...delivery, bufferIntervalSeconds: options.bufferIntervalSeconds },
            source: stack.streams.find((s) => s.logicalId === delivery.sourceStreamLogicalId)!,
            bucketName: bucket.name,
            region: stack.region,
            kinesis,
            writer,
            processors,
            checkpoints: new CheckpointStore(
              path.join(options.dataDir, 'checkpoints', `${stack.stackName}-${delivery.logicalId}.json`),
            ),
            clock,
            pollMs: options.pollMs,
            log,
          }),
        );
      }
    }
    for (const { mapping } of mappings) mapping.start();
    for (const delivery of deliveries) delivery.start();
    stopping.push(async () => {
      await Promise.all(mappings.map(({ mapping }) => mapping.stop()));
      await Promise.all(deliveries.map((d) => d.stop()));
      await Promise.all([...hosts.values()].map((h) => h.stop()));
    });

    // The fleet: one simulated unicorn each, on the first stack's telemetry stream.
    const producerStop = new AbortController();
    const produced = newProducerStats();
    let producerRun: Promise<unknown> = Promise.resolve();
    const unicorns = options.unicorns ?? 3;
    const telemetry = stacks[0]?.outputs.StreamName;
    if (unicorns > 0 && telemetry) {
      producerRun = runProducer(
        { stream: telemetry, names: fleetNames(unicorns), rate: 1, quiet: true },
        {
          kinesis,
          out: () => undefined,
          now: clock.now,
          sleep: clock.sleep,
          stop: producerStop.signal,
          abandon: new AbortController().signal,
          stats: produced,
        },
      ).catch((error: Error) => log(`producers: ${error.message}`));
    }
    stopping.push(async () => {
      producerStop.abort();
      await producerRun;
    });

    // The log-shipping stack, when synthesized: a web server's access log, written here, shipped
    // by the log agent to its stream, which its delivery stream takes to S3.
    const weblogStream = stacks.map((s) => s.outputs.WeblogStreamName).find(Boolean);
    let logLines: (() => number) | undefined;
    if (weblogStream) {
      const logDir = path.join(options.dataDir, 'weblogs');
      mkdirSync(logDir, { recursive: true });
      const random = seededRandom(clock.now() >>> 0);
      const accessLog = path.join(logDir, 'access_log');
      const writer = setInterval(
        () =>
          appendFileSync(accessLog, `${formatCombinedLogLine(randomAccessLogEntry(random, clock.now()))}\n`),
        200,
      );
      const agent = startLogAgent(
        {
          checkpointFile: path.join(logDir, 'checkpoints.json'),
          flows: [
            {
              filePattern: path.join(logDir, 'access_log*'),
              kinesisStream: weblogStream,
              initialPosition: 'START_OF_FILE',
              maxBufferAgeMillis: 1000,
              dataProcessingOptions: [{ optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' }],
            },
          ],
        },
        { kinesis, log: () => undefined },
      );
      logLines = () => agent.stats().flows.reduce((n, f) => n + f.recordsSent, 0);
      stopping.push(async () => {
        clearInterval(writer);
        await agent.stop();
      });
    }

    let dashboardUrl: string | undefined;
    if (options.dashboardPort !== undefined && telemetry) {
      const dashboard = await startDashboardServer({
        config: { region, streamName: telemetry, ...options.dashboardSettings },
        kinesisEndpoint: endpoints.kinesis,
        port: options.dashboardPort,
      });
      dashboardUrl = dashboard.url;
      stopping.push(() => dashboard.stop());
    }

    const status = (): PipelineStatus => {
      const failures = stacks.reduce(
        (n, stack) => n + stack.queues.reduce((m, q) => m + emulators.sqs.messages(q.name).length, 0),
        0,
      );
      const functionErrors = mappings.reduce((n, { mapping }) => n + mapping.counters.functionErrors, 0);
      return {
        produced: produced.sent,
        consumers: mappings.map(({ label: name, mapping }) => ({
          label: name,
          records: mapping.counters.records,
        })),
        objects: deliveries.reduce((n, d) => n + d.counters.objects, 0),
        ...(logLines ? { logLines: logLines() } : {}),
        errors: failures + functionErrors,
      };
    };

    let stopped: Promise<void> | undefined;
    return {
      endpoints,
      dashboardUrl,
      region,
      stacks,
      emulators,
      kinesis,
      dynamodb,
      s3,
      status,
      stop: () =>
        (stopped ??= (async () => {
          for (const stop of stopping.reverse()) await stop();
        })()),
    };
  } catch (error) {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
