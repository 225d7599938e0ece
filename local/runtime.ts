import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { CreateTableCommand, ResourceInUseException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  CreateBucketCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { readAssembly, type LocalFunction, type LocalStack } from './assembly';
import { localClients, startLocalAws, type LocalAws, type LocalClients } from './aws-access';
import { CloudWatchService } from './aws/cloudwatch';
import { FirehoseService, firehoseDeliveryStreams } from './aws/firehose';
import { KinesisLimiter } from './aws/kinesis-limits';
import { SnsService } from './aws/sns';
import { startEmulators, type Emulators, type LocalEndpoints } from './emulators';
import { describeFault, Faults } from './faults';
import { EventSourceMapping, label, type WindowCheckpoint } from './event-source';
import { DeliveryStreamRunner, type ObjectWriter } from './firehose';
import { FunctionError, LambdaHost } from './lambda-host';
import type { AlarmState } from './metrics/alarms';
import {
  embeddedMetrics,
  firehoseDeliveryMetrics,
  kinesisCallMetrics,
  lambdaInvocationMetrics,
  sqsQueueMetrics,
  type MetricDatum,
} from './metrics/aws-metrics';
import { monitoringSnapshot } from './metrics/dashboard';
import { AlarmMonitor } from './metrics/monitor';
import { CheckpointStore, realClock, type Clock } from './shards';
import type { RunningWorkload, Workload, WorkloadContext } from './workload';

export interface LocalPipelineOptions {
  /** The synthesized cloud assembly (cdk.out) to run. */
  readonly assemblyDir: string;
  /** Where emulator data, checkpoints and function logs live; kept across runs. */
  readonly dataDir: string;
  /** Wipe the data folder first. */
  readonly fresh?: boolean;
  /** What runs beside the pipeline (producers, the log agent, the dashboard). @default none */
  readonly workloads?: readonly Workload[];
  /** Replaces the template's tumbling window length. */
  readonly windowSeconds?: number;
  /** Replaces the event sources' MaximumBatchingWindowInSeconds (tests). */
  readonly batchingWindowSeconds?: number;
  /** Emulator ports; 0 picks free ones. @default the fixed DEFAULT_PORTS */
  readonly ports?: Partial<Record<keyof LocalEndpoints, number>>;
  /** The one AWS endpoint's port. @default 0: a free one (`npm start` asks for 4566) */
  readonly endpointPort?: number;
  /** Evaluate IAM at the endpoint (off only to measure what it costs). @default true */
  readonly enforceIam?: boolean;
  /**
   * Emulators already starting on `dataDir` (`npm start` starts them while the app synthesizes);
   * the pipeline stops them with itself. Not with `fresh`: wipe the data first.
   * @default started here, on `ports`
   */
  readonly emulators?: Promise<Emulators>;
  /** How often idle shards are polled. @default 1000 ms, as Lambda and Firehose do */
  readonly pollMs?: number;
  /** Replaces the delivery streams' buffering interval (tests). */
  readonly bufferIntervalSeconds?: number;
  readonly clock?: Clock;
  /** The clock CloudWatch evaluates the alarms and samples queue depths on (tests). @default `clock` */
  readonly alarmClock?: Clock;
  /** Where alarm state changes and the actions they take are told. @default nowhere (see `alarms`) */
  readonly alarmLog?: (message: string) => void;
  /** Kinesis's per-shard limits at the endpoint (`--no-limits` turns them off). @default true */
  readonly limits?: boolean;
  /** Faults injected (at the endpoint and into the functions), changed while it runs. @default none */
  readonly faults?: Faults;
  /** Where problems are reported (function errors, batches given up). */
  readonly log?: (message: string) => void;
}

/** What the status line shows. */
export interface PipelineStatus {
  /** Records each event source mapping has handed to its function successfully, by label. */
  readonly consumers: readonly { label: string; records: number }[];
  readonly objects: number;
  readonly errors: number;
  /** The templates' alarms that are not OK, with their state. */
  readonly alarms: readonly { name: string; state: AlarmState }[];
  /** What the workloads report, by label (records the fleet sent, log lines shipped, …). */
  readonly workloads: Readonly<Record<string, number>>;
  /** The faults in force. */
  readonly faults: readonly string[];
}

export type { LocalClients } from './aws-access';

export interface LocalPipeline {
  /** The one AWS endpoint every client uses (`AWS_ENDPOINT_URL`). */
  readonly endpoint: string;
  /** The emulators behind it, on ports of their own. */
  readonly endpoints: LocalEndpoints;
  /** The endpoint's IAM: sessions for the templates' roles, decisions on requests. */
  readonly access: LocalAws;
  /** Where each running workload that has a page can be seen, by workload name. */
  readonly urls: Readonly<Record<string, string>>;
  readonly region: string;
  readonly stacks: readonly LocalStack[];
  readonly emulators: Emulators;
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  /**
   * Every delivery stream's runner: DirectPut ones take PutRecord/PutRecordBatch records
   * (`putRecords`), for the Firehose API to hand them over.
   */
  readonly deliveryStreams: readonly DeliveryStreamRunner[];
  /** CloudWatch at the endpoint: the metrics recorded and the alarms' states. */
  readonly cloudwatch: CloudWatchService;
  /** The templates' alarms, evaluated once a minute on the pipeline's clock. */
  readonly alarms: AlarmMonitor;
  status(): PipelineStatus;
  /** Stops the producers (sending what is pending), drains, saves positions, stops emulators. */
  stop(): Promise<void>;
}

/**
 * What the Lambda runtime sets for a function, pointed at the local endpoint: region, the
 * credentials of its execution role, the endpoint. Functions get it on top of their template
 * environment.
 */
function functionEnvironment(fn: LocalFunction, region: string, access: LocalAws): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    ...fn.environment,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    ...access.roleEnvironment(fn.roleArn, fn.name),
    AWS_ENDPOINT_URL: access.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
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
    for (const queue of stack.queues) emulators.sqs.createQueue(queue.name, { region: stack.region });
  }
}

/** A stop step; the pipeline runs them in reverse order of start. */
type Stopper = () => Promise<void>;

interface Running {
  readonly stacks: readonly LocalStack[];
  readonly region: string;
  readonly emulators: Emulators;
  readonly access: LocalAws;
  /** The administrator's clients. */
  readonly clients: LocalClients;
  /** Clients acting as a role; destroyed with the pipeline. */
  readonly roleClients: (roleArn: string | undefined, sessionName: string) => LocalClients;
  readonly clock: Clock;
  readonly options: LocalPipelineOptions;
  readonly faults: Faults;
  readonly log: (message: string) => void;
  /** Records datapoints in CloudWatch's store. */
  readonly record: (data: readonly MetricDatum[]) => void;
}

/** One Lambda host per function, created when first needed (several mappings may share one). */
function functionHosts(run: Running) {
  const hosts = new Map<string, LambdaHost>();
  const hostFor = (stack: LocalStack, logicalId: string) => {
    const key = `${stack.stackName}/${logicalId}`;
    let host = hosts.get(key);
    if (!host) {
      const fn = stack.functions.find((f) => f.logicalId === logicalId)!;
      host = new LambdaHost(
        fn,
        functionEnvironment(fn, stack.region, run.access),
        path.join(run.options.dataDir, 'logs', `${stack.stackName}-${label(logicalId)}.log`),
        {
          invoked: (event, durationMs, failed) =>
            run.record(
              lambdaInvocationMetrics({
                functionName: fn.name,
                durationMs,
                failed,
                event,
                now: run.clock.now(),
              }),
            ),
          logLine: (line) => run.record(embeddedMetrics(line)),
        },
        run.faults,
      );
      hosts.set(key, host);
    }
    return host;
  };
  return { hostFor, stopAll: () => Promise.all([...hosts.values()].map((h) => h.stop())) };
}

const checkpointFile = (run: Running, stack: LocalStack, logicalId: string) =>
  path.join(run.options.dataDir, 'checkpoints', `${stack.stackName}-${logicalId}.json`);

/** Every enabled Kinesis event source mapping of every stack, driven as Lambda drives it. */
function eventSourceMappings(run: Running, hostFor: ReturnType<typeof functionHosts>['hostFor']) {
  const { options } = run;
  return run.stacks.flatMap((stack) =>
    stack.eventSources
      .filter((m) => m.enabled)
      .map((mapping) => {
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
          // Lambda reads the stream with the function's execution role.
          kinesis: run.roleClients(host.fn.roleArn, host.fn.name).kinesis,
          invoker: host,
          // Lambda sends the on-failure notice with the function's execution role.
          onFailure: queue
            ? {
                send: async (body) =>
                  void (await run
                    .roleClients(host.fn.roleArn, host.fn.name)
                    .sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }))),
              }
            : undefined,
          checkpoints: new CheckpointStore<WindowCheckpoint>(checkpointFile(run, stack, mapping.logicalId)),
          clock: run.clock,
          windowSeconds: options.windowSeconds,
          pollMs: options.pollMs,
          log: run.log,
        });
        return { label: label(mapping.functionLogicalId), mapping: runner };
      }),
  );
}

/** Every Firehose delivery stream of every stack, reading its source stream into its bucket. */
function deliveryStreams(run: Running, hostFor: ReturnType<typeof functionHosts>['hostFor']) {
  const { options } = run;
  return run.stacks.flatMap((stack) =>
    stack.deliveryStreams.map((delivery) => {
      // Firehose reads the source with the delivery stream's source role, writes with its destination role.
      const clients = run.roleClients(delivery.roleArn, delivery.name);
      const reader = run.roleClients(delivery.sourceRoleArn, delivery.name);
      const writer: ObjectWriter = {
        put: async (bucketName, key, body) => {
          await clients.s3.send(new PutObjectCommand({ Bucket: bucketName, Key: key, Body: body }));
        },
      };
      const bucket = stack.buckets.find((b) => b.logicalId === delivery.bucketLogicalId)!;
      // Firehose invokes a transformation with its destination role.
      const processors = Object.fromEntries(
        delivery.processors
          .filter((p) => p.type === 'Lambda')
          .map((p) => {
            const host = hostFor(stack, p.functionLogicalId);
            const invoke = async (event: unknown) => {
              const decision = await run.access.roleMay(
                delivery.roleArn,
                'lambda:InvokeFunction',
                host.fn.arn,
              );
              if (!decision.allowed) {
                throw new FunctionError(
                  host.fn.name,
                  'Lambda.InvokeAccessDenied',
                  `${delivery.roleArn} may not invoke ${host.fn.arn}`,
                );
              }
              return host.invoke(event);
            };
            return [p.functionLogicalId, { invoke }];
          }),
      );
      return new DeliveryStreamRunner({
        delivery:
          options.bufferIntervalSeconds === undefined
            ? delivery
            : { ...delivery, bufferIntervalSeconds: options.bufferIntervalSeconds },
        source:
          delivery.type === 'DirectPut'
            ? {
                type: 'DirectPut',
                // Records accepted by PutRecordBatch wait here until they are in the bucket.
                spoolFile: path.join(
                  options.dataDir,
                  'firehose',
                  `${stack.stackName}-${delivery.logicalId}.spool`,
                ),
              }
            : {
                type: 'KinesisStreamAsSource',
                stream: stack.streams.find((s) => s.logicalId === delivery.sourceStreamLogicalId)!,
                kinesis: reader.kinesis,
                pollMs: options.pollMs,
              },
        bucketName: bucket.name,
        region: stack.region,
        writer,
        processors,
        checkpoints: new CheckpointStore(checkpointFile(run, stack, delivery.logicalId)),
        clock: run.clock,
        log: run.log,
        onDelivery: (attempt) =>
          run.record(
            firehoseDeliveryMetrics({ deliveryStreamName: delivery.name, ...attempt, now: run.clock.now() }),
          ),
      });
    }),
  );
}

/** Starts the workloads in order; each gets a data folder of its own. */
async function startWorkloads(
  run: Running,
  stopping: Stopper[],
  monitoring: WorkloadContext['monitoring'],
  metrics: WorkloadContext['metrics'],
) {
  const started: { name: string; running: RunningWorkload }[] = [];
  for (const workload of run.options.workloads ?? []) {
    const dataDir = path.join(run.options.dataDir, 'workloads', workload.name);
    mkdirSync(dataDir, { recursive: true });
    const running = await workload.start({
      stacks: run.stacks,
      region: run.region,
      endpoints: run.emulators.endpoints,
      endpoint: run.access.endpoint,
      clients: run.clients,
      roleClients: run.roleClients,
      clock: run.clock,
      dataDir,
      monitoring,
      metrics,
      log: (message) => run.log(`${workload.name}: ${message}`),
    });
    if (!running) continue;
    started.push({ name: workload.name, running });
    stopping.push(() => running.stop());
  }
  return started;
}

export interface LocalServices {
  readonly emulators: Emulators;
  readonly access: LocalAws;
  /** CloudWatch metrics at the endpoint (PutMetricData, GetMetricStatistics, ListMetrics). */
  readonly cloudwatch: CloudWatchService;
  readonly stacks: readonly LocalStack[];
  readonly region: string;
  /** The administrator's clients. */
  readonly clients: LocalClients;
  /** Clients acting as a session of a role (the administrator's without one). */
  roleClients(roleArn: string | undefined, sessionName: string): LocalClients;
  stop(): Promise<void>;
}

/**
 * The emulators, the one endpoint in front of them with the templates loaded into its IAM, and
 * what the templates declare created: the services a pipeline (or a benchmark) runs on.
 */
export async function startLocalServices(
  options: Pick<
    LocalPipelineOptions,
    | 'assemblyDir'
    | 'dataDir'
    | 'ports'
    | 'endpointPort'
    | 'enforceIam'
    | 'emulators'
    | 'log'
    | 'limits'
    | 'faults'
    | 'clock'
  >,
): Promise<LocalServices> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const emulators = await (options.emulators ??
    startEmulators({ dataDir: options.dataDir, ports: options.ports }));
  const stopping: Stopper[] = [() => emulators.stop()];
  const stop = async () => {
    for (const step of stopping.reverse()) await step().catch((error: Error) => log(error.message));
  };
  const clock = options.clock ?? realClock;
  const cloudwatch = new CloudWatchService({ now: clock.now });
  try {
    const access = await startLocalAws({
      port: options.endpointPort ?? 0,
      region: 'us-east-1',
      emulators: emulators.endpoints,
      services: [emulators.sqs, cloudwatch],
      enforceIam: options.enforceIam,
      // The stream metrics Kinesis publishes, from the calls the endpoint forwards.
      observeKinesis: (call) => {
        for (const { id, point } of kinesisCallMetrics({ ...call, now: clock.now() }))
          cloudwatch.store.put(id, point);
      },
      limits: options.limits === false ? undefined : new KinesisLimiter(options.clock?.now ?? Date.now),
      faults: options.faults,
      log,
    });
    stopping.push(() => access.stop());
    const stacks = readAssembly(options.assemblyDir, { sqs: access.endpoint });
    access.load(stacks);
    // The alarm topics answer GetTopicAttributes (nothing is published locally).
    access.mount(
      new SnsService({
        topics: () => stacks.flatMap((s) => (s.outputs.AlarmTopicArn ? [s.outputs.AlarmTopicArn] : [])),
      }),
    );
    const region = stacks[0]?.region ?? 'us-east-1';
    const clients = localClients(region, access.endpoint);
    const byRole = new Map<string, LocalClients>();
    stopping.push(async () => [clients, ...byRole.values()].forEach((c) => c.destroy()));
    await provision(stacks, emulators, clients);
    const roleClients = (roleArn: string | undefined, sessionName: string) => {
      if (!roleArn) return clients;
      const key = `${roleArn}/${sessionName}`;
      let found = byRole.get(key);
      if (!found) {
        found = localClients(region, access.endpoint, access.roleCredentials(roleArn, sessionName));
        byRole.set(key, found);
      }
      return found;
    };
    return { emulators, access, cloudwatch, stacks, region, clients, roleClients, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The data folder, wiped first with `fresh` (before the emulators open their files in it). */
function prepareDataDir(options: LocalPipelineOptions): void {
  if (options.fresh && options.emulators) throw new Error('Wipe the data before starting the emulators');
  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(path.join(options.dataDir, 'logs'), { recursive: true });
}

/** What every part of a pipeline runs with, over the services it runs on. */
function runningOn(
  services: LocalServices,
  options: LocalPipelineOptions,
  faults: Faults,
  log: (message: string) => void,
): Running {
  const { emulators, access, stacks, region, clients, roleClients } = services;
  return {
    stacks,
    region,
    emulators,
    access,
    clients,
    roleClients,
    clock: options.clock ?? realClock,
    options,
    faults,
    log,
    record: (data) => {
      for (const { id, point } of data) services.cloudwatch.store.put(id, point);
    },
  };
}

/** The functions, their event source mappings and the delivery streams, started; stopped in `stopping`. */
function startDataFlow(run: Running, stopping: Stopper[]) {
  const hosts = functionHosts(run);
  const mappings = eventSourceMappings(run, hosts.hostFor);
  const deliveries = deliveryStreams(run, hosts.hostFor);
  // PutRecord and PutRecordBatch hand records to the DirectPut delivery streams' runners.
  run.access.mount(new FirehoseService({ deliveryStreams: firehoseDeliveryStreams(run.stacks, deliveries) }));
  for (const { mapping } of mappings) mapping.start();
  for (const delivery of deliveries) delivery.start();
  stopping.push(async () => {
    // Every part stops even when another could not (a delivery stream whose last write is
    // refused): what failed is told, and no function's worker is left running.
    const failed = (results: PromiseSettledResult<unknown>[]) =>
      results.forEach((r) => r.status === 'rejected' && run.log(`stopping: ${(r.reason as Error).message}`));
    failed(await Promise.allSettled(mappings.map(({ mapping }) => mapping.stop())));
    failed(await Promise.allSettled(deliveries.map((d) => d.stop())));
    await hosts.stopAll();
  });
  return { mappings, deliveries };
}

/** The templates' alarms, evaluated on the pipeline's clock and answered by CloudWatch; stopped in `stopping`. */
function startAlarms(run: Running, cloudwatch: CloudWatchService, stopping: Stopper[]): AlarmMonitor {
  const { stacks, emulators, options } = run;
  const alarms = new AlarmMonitor({
    store: cloudwatch.store,
    alarms: stacks.flatMap((s) => s.alarms),
    clock: options.alarmClock ?? run.clock,
    // SQS publishes its queues' depth once a minute.
    samplers: [
      (now) =>
        stacks.flatMap((s) =>
          s.queues.flatMap((q) => sqsQueueMetrics(q.name, emulators.sqs.messages(q.name).length, now)),
        ),
    ],
    log: options.alarmLog ?? (() => undefined),
  });
  cloudwatch.useAlarms(() => alarms.alarms());
  alarms.start();
  stopping.push(() => alarms.stop());
  return alarms;
}

/** The running parts a pipeline's status is read from. */
interface PipelineParts {
  readonly mappings: ReturnType<typeof eventSourceMappings>;
  readonly deliveries: readonly DeliveryStreamRunner[];
  readonly alarms: AlarmMonitor;
  readonly workloads: readonly { name: string; running: RunningWorkload }[];
}

/** What a pipeline has done so far: records consumed, objects written, errors, alarms, workloads, faults. */
function pipelineStatus(
  run: Running,
  { mappings, deliveries, alarms, workloads }: PipelineParts,
): PipelineStatus {
  const failures = run.stacks.reduce(
    (n, stack) => n + stack.queues.reduce((m, q) => m + run.emulators.sqs.messages(q.name).length, 0),
    0,
  );
  const functionErrors = mappings.reduce((n, { mapping }) => n + mapping.counters.functionErrors, 0);
  return {
    consumers: mappings.map(({ label: name, mapping }) => ({
      label: name,
      records: mapping.counters.records,
    })),
    objects: deliveries.reduce((n, d) => n + d.counters.objects, 0),
    errors: failures + functionErrors,
    alarms: alarms
      .alarms()
      .filter((a) => a.state !== 'OK')
      .map((a) => ({ name: a.definition.name, state: a.state })),
    workloads: Object.assign({}, ...workloads.map((w) => w.running.status?.() ?? {})),
    faults: run.faults.list().map(describeFault),
  };
}

/** Starts the whole pipeline of a synthesized app on local emulators behind one AWS endpoint. */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  prepareDataDir(options);
  const faults = options.faults ?? new Faults([], { log });
  const services = await startLocalServices({ ...options, faults, log });
  const stopping: Stopper[] = [() => services.stop()];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop().catch((error: Error) => log(error.message));
  };
  try {
    const run = runningOn(services, options, faults, log);
    const { mappings, deliveries } = startDataFlow(run, stopping);
    const alarms = startAlarms(run, services.cloudwatch, stopping);
    const workloads = await startWorkloads(
      run,
      stopping,
      (minutes) =>
        monitoringSnapshot({
          dashboards: run.stacks.flatMap((s) => s.dashboards),
          store: services.cloudwatch.store,
          alarms: alarms.alarms(),
          now: run.clock.now(),
          minutes,
        }),
      services.cloudwatch.store,
    );
    let stopped: Promise<void> | undefined;
    return {
      endpoint: services.access.endpoint,
      endpoints: services.emulators.endpoints,
      access: services.access,
      urls: Object.fromEntries(workloads.flatMap((w) => (w.running.url ? [[w.name, w.running.url]] : []))),
      region: run.region,
      stacks: run.stacks,
      emulators: services.emulators,
      kinesis: services.clients.kinesis,
      dynamodb: services.clients.dynamodb,
      s3: services.clients.s3,
      deliveryStreams: deliveries,
      cloudwatch: services.cloudwatch,
      alarms,
      status: () => pipelineStatus(run, { mappings, deliveries, alarms, workloads }),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
