import { AthenaClient } from '@aws-sdk/client-athena';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import * as path from 'node:path';
import type { OutputsByStack, StackOutputs } from '#core/outputs';
import { clientConfig, type Connection } from '../../cli/aws';
import type { LocalStack } from '../../local/assembly';
import type { AttendeePlan } from '../../lib/workshop';
import type { QuerySession } from '../query/run';
import { awsPointers, AWS_TIMING, mergeOutputs, type Pointers, type Timing } from './paths';
import type { Deployment, VerifyClients } from './probes';

/**
 * The deployments `npm run verify` can check, with their clients: the local run (its one
 * endpoint), a deployed stack (the default credential chain) and every attendee of a workshop
 * (each account's role assumed, as the facilitator's tools do).
 */

/** The paths' timing from what the templates declare (windows, buffering), the local run's overrides applied. */
export function timingFromStacks(
  stacks: readonly LocalStack[],
  base: Timing,
  overrides: { windowSeconds?: number; bufferSeconds?: number } = {},
): Timing {
  const sources = stacks.flatMap((s) => s.eventSources);
  const functionOf = (label: string) =>
    stacks.flatMap((s) => s.functions).find((f) => f.logicalId.startsWith(label))?.logicalId;
  const windowOf = (label: string) => {
    const fn = functionOf(label);
    return sources.find((m) => m.functionLogicalId === fn)?.tumblingWindowSeconds;
  };
  const buffers = stacks.flatMap((s) => s.deliveryStreams.map((d) => d.bufferIntervalSeconds));
  return {
    ...base,
    windowSeconds: overrides.windowSeconds ?? windowOf('SummaryAggregation') ?? base.windowSeconds,
    sensorWindowSeconds:
      overrides.windowSeconds ?? windowOf('SensorPipelineProcessing') ?? base.sensorWindowSeconds,
    bufferSeconds: overrides.bufferSeconds ?? (buffers.length ? Math.max(...buffers) : base.bufferSeconds),
  };
}

/** The local run's pointers: its function logs are files (`<data>/logs/<stack>-<Function>.log`). */
export function localPointers(logsDir: string, stackName: string): Pointers {
  const relative = path.relative(process.cwd(), logsDir) || '.';
  return {
    fn: (label) => `log ${path.join(relative, `${stackName}-${label}.log`)}`,
    alarm: (id) => `${id} (not evaluated locally)`,
  };
}

type Closable = VerifyClients & { close(): Promise<void> };

/** Clients for a connection: the CLIs' configuration (local endpoint or AWS), optional credentials. */
export function connectionClients(
  connection: Connection,
  dataLake: () => Promise<QuerySession>,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  env: NodeJS.ProcessEnv = process.env,
): Closable {
  const config = (service: Parameters<typeof clientConfig>[1]) => ({
    ...clientConfig(connection, service, env),
    ...(credentials ? { credentials } : {}),
  });
  const kinesis = new KinesisClient(config('KINESIS'));
  const dynamodb = new DynamoDBClient(config('DYNAMODB'));
  const s3 = new S3Client({ ...config('S3'), forcePathStyle: connection.endpointUrl !== undefined });
  const firehose = new FirehoseClient(config('FIREHOSE'));
  const sns = new SNSClient(config('SNS'));
  const cognito = new CognitoIdentityClient(config('COGNITO_IDENTITY'));
  const sts = new STSClient(config('STS'));
  let session: Promise<QuerySession> | undefined;
  return {
    kinesis,
    dynamodb,
    s3,
    firehose,
    sns,
    cognito,
    sts,
    // Reads share the shard's 5 reads a second with every consumer: wait out throttling, as the dashboard does.
    guestKinesis: (guest) => new KinesisClient({ ...config('KINESIS'), credentials: guest, maxAttempts: 10 }),
    async query(sql) {
      session ??= dataLake();
      return (await (await session).run(sql)).rows;
    },
    async close() {
      for (const client of [kinesis, dynamodb, s3, firehose, sns, cognito, sts]) client.destroy();
      if (session) await (await session).close().catch(() => undefined);
    },
  };
}

export type ClosableDeployment = Deployment & { close(): Promise<void> };

export interface LocalTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly stacks: readonly LocalStack[];
  readonly assemblyDir: string;
  /** The data folder of the run (function logs are under `logs/`). */
  readonly dataDir: string;
  /** The run's window, when it replaces the template's (`npm start --window-seconds`). */
  readonly windowSeconds?: number;
  readonly bufferSeconds?: number;
  readonly slackSeconds?: number;
  readonly pollMs?: number;
}

/** The local run as one deployment: every stack it runs, through its one endpoint. */
export function localDeployment(
  target: LocalTarget,
  env: NodeJS.ProcessEnv = process.env,
): ClosableDeployment {
  const connection = { endpointUrl: target.endpoint, region: target.region };
  const runningOutputs = Object.fromEntries(
    target.stacks.map((s) => [s.stackName, s.outputs as Record<string, string>]),
  );
  const clients = connectionClients(
    connection,
    async () => {
      // Loaded only here: DuckDB and the local engine.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { openLocalSession } = require('../query/run') as typeof import('../query/run');
      return openLocalSession({
        assemblyDir: target.assemblyDir,
        endpoint: target.endpoint,
        region: target.region,
        runningOutputs,
      });
    },
    undefined,
    env,
  );
  const timing = timingFromStacks(
    target.stacks,
    { ...AWS_TIMING, slackSeconds: target.slackSeconds ?? 10, pollMs: target.pollMs ?? 500 },
    { windowSeconds: target.windowSeconds, bufferSeconds: target.bufferSeconds },
  );
  return {
    name: 'local run',
    outputs: mergeOutputs(target.stacks.map((s) => s.outputs)),
    timing,
    pointers: localPointers(path.join(target.dataDir, 'logs'), target.stacks[0]?.stackName ?? 'WildRydes'),
    clients,
    close: () => clients.close(),
  };
}

/** One deployed system: its main stack and, when deployed, its weblog stack. */
export interface DeployedTarget {
  readonly name: string;
  readonly stackName: string;
  readonly outputs: StackOutputs;
  readonly region?: string;
  /** Credentials for its account; the default chain when absent. */
  readonly credentials?: AwsCredentialIdentityProvider;
  readonly timing?: Timing;
}

export function awsDeployment(
  target: DeployedTarget,
  env: NodeJS.ProcessEnv = process.env,
): ClosableDeployment {
  const region = target.outputs.Region ?? target.region;
  const connection: Connection = region ? { region } : {};
  const clients = connectionClients(
    connection,
    async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { openAthenaSession } = require('../query/athena') as typeof import('../query/athena');
      const [database] = (target.outputs.GlueTable ?? 'wildrydes.unicorn_status').split('.');
      return openAthenaSession({
        client: new AthenaClient({
          ...clientConfig(connection, 'ATHENA', env),
          ...(target.credentials ? { credentials: target.credentials } : {}),
        }),
        workGroup: target.outputs.AthenaWorkGroup ?? 'wildrydes',
        database,
      });
    },
    target.credentials,
    env,
  );
  return {
    name: target.name,
    outputs: target.outputs,
    timing: target.timing ?? AWS_TIMING,
    pointers: awsPointers(target.stackName),
    clients,
    close: () => clients.close(),
  };
}

/**
 * The deployed systems in an outputs file, one per stack with a telemetry stream (or with the
 * name asked for), each with its `<name>-Weblogs` stack's outputs when it has one.
 */
export function outputsFileTargets(outputs: OutputsByStack, stack?: string): DeployedTarget[] {
  const mains = Object.keys(outputs).filter((name) =>
    stack ? name === stack : outputs[name].StreamName !== undefined,
  );
  if (mains.length === 0) {
    throw new Error(stack ? `The outputs have no stack ${stack}` : 'The outputs have no Wild Rydes stack');
  }
  return mains.map((name) => ({
    name,
    stackName: name,
    outputs: mergeOutputs([outputs[name], outputs[`${name}-Weblogs`] ?? {}]),
  }));
}

/** Who acts in an attendee's account: this role, assumed with the facilitator's credentials. */
export const DEFAULT_ATTENDEE_ROLE = 'OrganizationAccountAccessRole';

/**
 * Credentials in an attendee's account: the role `roleName` there, assumed with the
 * facilitator's credentials (an attendee in the facilitator's own account uses those as they
 * are). Renewed by the SDK as they expire.
 */
export function attendeeCredentials(
  attendee: AttendeePlan,
  facilitatorAccount: string | undefined,
  roleName: string,
  sts: Pick<STSClient, 'send'>,
): AwsCredentialIdentityProvider | undefined {
  if (!attendee.account || attendee.account === facilitatorAccount) return undefined;
  const roleArn = `arn:aws:iam::${attendee.account}:role/${roleName}`;
  return async () => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `wildrydes-verify-${attendee.id}` }),
    );
    const c = out.Credentials!;
    return {
      accessKeyId: c.AccessKeyId!,
      secretAccessKey: c.SecretAccessKey!,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
}

/** Each attendee's deployment from a workshop's outputs file (attendees without outputs are left out). */
export function workshopTargets(
  attendees: readonly AttendeePlan[],
  outputs: OutputsByStack,
  credentials: (attendee: AttendeePlan) => AwsCredentialIdentityProvider | undefined,
): { targets: DeployedTarget[]; missing: string[] } {
  const targets: DeployedTarget[] = [];
  const missing: string[] = [];
  for (const attendee of attendees) {
    const own = outputs[attendee.stackName];
    if (!own) {
      missing.push(attendee.id);
      continue;
    }
    targets.push({
      name: attendee.id,
      stackName: attendee.stackName,
      outputs: mergeOutputs([own, outputs[attendee.weblogStackName] ?? {}]),
      region: attendee.region,
      credentials: credentials(attendee),
    });
  }
  return { targets, missing };
}
