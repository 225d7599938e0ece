import {
  GetIdCommand,
  GetOpenIdTokenCommand,
  type CognitoIdentityClient,
} from '@aws-sdk/client-cognito-identity';
import {
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleWithWebIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { probeName } from '#core/names';
import type { StackOutputs } from '#core/outputs';
import type { Sleep } from '#core/retry';
import { listShards, ShardReader } from '#core/shard-follower';
import { decodeUnicornSummary } from '#core/summary';
import {
  dataLakeProbeSql,
  deadline,
  deployedPaths,
  pointerText,
  probeLogLine,
  probeReading,
  probeStatus,
  type PathId,
  type PathResult,
  type PathSpec,
  type Pointers,
  type Timing,
} from './paths';

/**
 * Runs the probes of one deployment: puts a probe record on the telemetry stream and follows
 * it down every deployed path at once, each path waiting no longer than its deadline. The
 * probe's DynamoDB items are deleted once seen; its raw record stays in the data lake, named so
 * queries can leave it out (see `PROBE_NAME_PREFIX`).
 */

export interface VerifyClients {
  readonly kinesis: Pick<KinesisClient, 'send'>;
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  /** For the log path's Direct PUT delivery stream (PutRecordBatch, as the agent's deliveryStream flows). */
  readonly firehose: Pick<FirehoseClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  /** Unsigned calls, as the dashboard makes them. */
  readonly cognito: Pick<CognitoIdentityClient, 'send'>;
  readonly sts: Pick<STSClient, 'send'>;
  /** A Kinesis client acting with the guest's credentials. */
  guestKinesis(credentials: AwsCredentialIdentity): Pick<KinesisClient, 'send'> & { destroy(): void };
  /** Runs SQL over the data lake through the Glue catalog (local engine or Athena); rows of cells. */
  query(sql: string): Promise<readonly (readonly unknown[])[]>;
}

export interface Deployment {
  /** Who it is (an attendee, a stack): printed before its results. */
  readonly name: string;
  readonly outputs: StackOutputs;
  readonly timing: Timing;
  readonly pointers: Pointers;
  readonly clients: VerifyClients;
}

export interface VerifyIO {
  readonly now: () => number;
  readonly sleep: Sleep;
  /** A probe id; random by default. */
  readonly runId?: string;
}

class PathFailure extends Error {}

/** How long past its deadline a path may wait for a request in flight before it fails anyway. */
const HARD_STOP_MS = 15_000;

const messageOf = (error: unknown) => {
  const e = error as { name?: string; message?: string };
  const first = (e?.message ?? String(error)).split('\n')[0];
  return e?.name && e.name !== 'Error' && !first.startsWith(e.name) ? `${e.name}: ${first}` : first;
};

interface Probe {
  readonly name: string;
  readonly putAt: number;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

export async function verifyDeployment(deployment: Deployment, io: VerifyIO): Promise<PathResult[]> {
  const paths = deployedPaths(deployment.outputs);
  const probes = new ProbeRun(deployment, io, paths);
  const results = new Map<PathId, Promise<PathResult>>();
  // Every path starts now, in the order they are printed; one that starts from another waits for it.
  for (const path of paths) {
    results.set(path.id, probes.run(path, path.after && results.get(path.after)));
  }
  return Promise.all(paths.map((p) => results.get(p.id)!));
}

/**
 * One run of the probes over a deployment: the probe's name, what the paths learn and pass on
 * (the probe record's place on the stream, its summary's window), and each path's check.
 */
class ProbeRun {
  private readonly outputs: StackOutputs;
  private readonly timing: Timing;
  private readonly clients: VerifyClients;
  private readonly startedAt: number;
  private readonly name: string;
  /** Readers at the summary stream's tip, when the summary path is deployed. */
  private readonly summaryReaders?: Promise<ShardReader[]>;
  /** Where the telemetry path put the probe record. */
  private probe?: Probe;
  /** The probe's summary: its window, and when it was seen. */
  private summaryTime?: string;
  private summarySeenAt = 0;

  /** Each path's check: what it saw, or a throw saying what it did not. */
  private readonly checks: { readonly [id in PathId]: () => Promise<string> } = {
    telemetry: () => this.putProbe(),
    summary: () => this.findSummary(),
    table: () => this.findSummaryItem(),
    datalake: () => this.queryDataLake(),
    guest: () => this.readAsGuest(),
    sensors: () => this.aggregateSensorReading(),
    logs: () => this.findLogLine(),
    directlogs: () => this.findDirectLogLine(),
    alarms: () => this.describeAlarmTopic(),
  };

  constructor(
    private readonly deployment: Deployment,
    private readonly io: VerifyIO,
    paths: readonly PathSpec[],
  ) {
    this.outputs = deployment.outputs;
    this.timing = deployment.timing;
    this.clients = deployment.clients;
    this.startedAt = io.now();
    this.name = probeName(io.runId ?? `${this.startedAt.toString(36)}-${randomBytes(3).toString('hex')}`);
    if (paths.some((p) => p.id === 'summary')) {
      this.summaryReaders = this.readSummaryTip();
      this.summaryReaders.catch(() => undefined);
    }
  }

  /**
   * Runs a path's check until its deadline, turning the outcome into a result; a path that
   * starts `from` another is not reached when that one fails.
   */
  async run(path: PathSpec, from?: Promise<PathResult>): Promise<PathResult> {
    const { io, startedAt } = this;
    const result = (status: PathResult['status'], detail: string, pointer?: string): PathResult => ({
      id: path.id,
      label: path.label,
      status,
      ms: io.now() - startedAt,
      detail,
      ...(pointer === undefined ? {} : { pointer }),
    });
    if (from) {
      const before = await from;
      if (before.status !== 'ok') return result('not-reached', `not reached: the ${before.label} failed`);
    }
    const stop = new AbortController();
    try {
      // A request that never answers must not hold the run past the path's deadline, counted
      // from when the path starts: after the one it starts from, which may take a whole window.
      const limit = deadline(path.id, io.now(), this.timing) + HARD_STOP_MS - io.now();
      const detail = await Promise.race([
        this.checks[path.id](),
        io.sleep(Math.max(0, limit), stop.signal).then(() => {
          if (stop.signal.aborted) return '';
          throw new PathFailure(`no answer within ${((io.now() - startedAt) / 1000).toFixed(0)} s`);
        }),
      ]);
      return result('ok', detail);
    } catch (error) {
      return result('failed', messageOf(error), pointerText(path.look, this.deployment.pointers));
    } finally {
      stop.abort();
    }
  }

  /** Polls `look` until it returns something or the path's deadline (counted `from`) passes. */
  private async until<T>(
    id: PathId,
    from: number,
    what: string,
    look: () => Promise<T | undefined>,
    everyMs = this.timing.pollMs,
  ): Promise<T> {
    const { io } = this;
    const by = deadline(id, from, this.timing);
    let lastError: unknown;
    for (;;) {
      try {
        const found = await look();
        if (found !== undefined) return found;
        lastError = undefined;
      } catch (error) {
        lastError = error;
      }
      if (io.now() >= by) {
        const waited = ((io.now() - from) / 1000).toFixed(0);
        throw new PathFailure(
          `${what} not seen within ${waited} s${lastError ? ` (last error: ${messageOf(lastError)})` : ''}`,
        );
      }
      await io.sleep(Math.min(everyMs, Math.max(0, by - io.now())));
    }
  }

  /**
   * Readers of the summary stream positioned at its tip before the probe is put: whatever
   * comes after is new. (AT_TIMESTAMP would do too, but an emulator may not answer it on a
   * quiet stream.)
   */
  private async readSummaryTip(): Promise<ShardReader[]> {
    const { kinesis } = this.clients;
    const stream = this.outputs.SummaryStreamName!;
    const readers = (await listShards(kinesis, stream)).map(
      (shard) => new ShardReader(kinesis, stream, shard.ShardId!, { start: { type: 'LATEST' } }),
    );
    for (const reader of readers) await reader.read(1);
    return readers;
  }

  /** The telemetry path: the probe record put on the telemetry stream. */
  private async putProbe(): Promise<string> {
    const { name, outputs } = this;
    await this.summaryReaders?.catch(() => undefined);
    const putAt = this.io.now();
    const out = await this.clients.kinesis.send(
      new PutRecordCommand({
        StreamName: outputs.StreamName,
        PartitionKey: name,
        Data: Buffer.from(JSON.stringify(probeStatus(name, putAt))),
      }),
    );
    this.probe = { name, putAt, shardId: out.ShardId!, sequenceNumber: out.SequenceNumber! };
    return `${name} put on ${outputs.StreamName} (${out.ShardId})`;
  }

  /** The summary path: the probe's summary read from the summary stream. */
  private async findSummary(): Promise<string> {
    const p = this.probe!;
    const readers = await this.summaryReaders!;
    const summary = await this.until('summary', p.putAt, `A summary of ${p.name}`, async () => {
      for (const reader of readers) {
        const { records } = await reader.read();
        for (const record of records) {
          const parsed = decodeUnicornSummary(Buffer.from(record.Data!).toString('base64'));
          if (parsed.ok && parsed.value.Name === p.name) return parsed.value;
        }
      }
      return undefined;
    });
    this.summaryTime = summary.StatusTime;
    this.summarySeenAt = this.io.now();
    return `summary of ${p.name} on ${this.outputs.SummaryStreamName} (window ${summary.StatusTime}, ${summary.Records} record)`;
  }

  /** The table path: the probe summary's DynamoDB item, then deleted. */
  private async findSummaryItem(): Promise<string> {
    const p = this.probe!;
    const { dynamodb } = this.clients;
    const table = this.outputs.SummaryTableName;
    const key = { Name: { S: p.name }, StatusTime: { S: this.summaryTime! } };
    const item = await this.until('table', this.summarySeenAt, `The item of ${p.name}`, async () => {
      const out = await dynamodb.send(
        new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
      );
      return out.Item;
    });
    // The probe must not count in the summaries people read: its item goes.
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: key }));
    return `item ${p.name} / ${this.summaryTime} in ${table} (${item.Records?.N ?? '?'} record; deleted)`;
  }

  /** The data lake path: the raw probe record read back through the Glue table. */
  private async queryDataLake(): Promise<string> {
    const p = this.probe!;
    const { outputs, timing } = this;
    const by = deadline('datalake', p.putAt, timing);
    const sql = dataLakeProbeSql(outputs.GlueTable!, p.name, p.putAt, by);
    // Each look is a query (on Athena, seconds and a few bytes' cost): a handful per buffer interval.
    const every = Math.max(timing.pollMs, (timing.bufferSeconds * 1000) / 6);
    await this.until(
      'datalake',
      p.putAt,
      `The raw record of ${p.name} in ${outputs.GlueTable}`,
      async () => ((await this.clients.query(sql)).length > 0 ? true : undefined),
      every,
    );
    return `${p.name} read through ${outputs.GlueTable} (kept: queries filter name NOT LIKE 'VerifyProbe-%')`;
  }

  /** The dashboard guest path: the probe record read with the identity pool's guest credentials. */
  private async readAsGuest(): Promise<string> {
    const p = this.probe!;
    const { outputs } = this;
    const credentials = await this.guestCredentials();
    const kinesis = this.clients.guestKinesis(credentials);
    try {
      const iterator = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: outputs.StreamName,
          ShardId: p.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: p.sequenceNumber,
        }),
      );
      const records = await kinesis.send(
        new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: 1 }),
      );
      if (records.Records?.[0]?.SequenceNumber !== p.sequenceNumber) {
        throw new PathFailure(`the guest read ${outputs.StreamName} but not the probe`);
      }
    } finally {
      kinesis.destroy();
    }
    return `Cognito guest → STS → read ${p.name} from ${outputs.StreamName}`;
  }

  /** What the dashboard gets: a Cognito guest identity's token, exchanged with STS for the guest role. */
  private async guestCredentials(): Promise<AwsCredentialIdentity> {
    const { cognito, sts } = this.clients;
    const id = await cognito.send(new GetIdCommand({ IdentityPoolId: this.outputs.IdentityPoolId }));
    const token = await cognito.send(new GetOpenIdTokenCommand({ IdentityId: id.IdentityId }));
    const assumed = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: this.outputs.GuestRoleArn,
        RoleSessionName: 'wildrydes-verify',
        WebIdentityToken: token.Token,
      }),
    );
    const c = assumed.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
  }

  /** The sensor path: a probe reading put on the sensor stream, its aggregates found and deleted. */
  private async aggregateSensorReading(): Promise<string> {
    const { name, outputs } = this;
    const { kinesis, dynamodb } = this.clients;
    const putAt = this.io.now();
    await kinesis.send(
      new PutRecordCommand({
        StreamName: outputs.SensorStreamName,
        PartitionKey: name,
        Data: Buffer.from(JSON.stringify(probeReading(name, putAt))),
      }),
    );
    const table = outputs.SensorAggregateTableName!;
    const items = await this.until('sensors', putAt, `An aggregate of sensor ${name}`, async () => {
      const out = await dynamodb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'sensorId = :id',
          ExpressionAttributeValues: { ':id': { S: name } },
          ConsistentRead: true,
        }),
      );
      return out.Items?.length ? out.Items : undefined;
    });
    for (const item of items) {
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: table,
          Key: { sensorId: item.sensorId, windowStart: item.windowStart },
        }),
      );
    }
    return `reading of sensor ${name} aggregated in ${table} (deleted)`;
  }

  /** The log path: a probe log line put on the weblog stream, found in an object of the log bucket. */
  private async findLogLine(): Promise<string> {
    const { name, outputs } = this;
    const putAt = this.io.now();
    await this.clients.kinesis.send(
      new PutRecordCommand({
        StreamName: outputs.WeblogStreamName,
        PartitionKey: name,
        Data: Buffer.from(probeLogLine(name, putAt)),
      }),
    );
    const bucket = outputs.WeblogBucketName!;
    const seen = new Set<string>();
    const key = await this.until('logs', putAt, `The log line of ${name} in s3://${bucket}`, () =>
      this.objectHolding(`/verify/${name} `, bucket, outputs.WeblogPrefix, putAt, seen),
    );
    return `log line of ${name} in s3://${bucket}/${key} (kept: request path /verify/…)`;
  }

  /** The log path's Direct PUT: a probe log line put with PutRecordBatch, found under its own prefix. */
  private async findDirectLogLine(): Promise<string> {
    const { name, outputs } = this;
    const putAt = this.io.now();
    const stream = outputs.WeblogDirectDeliveryName!;
    const put = await this.clients.firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: stream,
        Records: [{ Data: Buffer.from(probeLogLine(name, putAt)) }],
      }),
    );
    const refused = put.RequestResponses?.find((r) => r.ErrorCode);
    if (put.FailedPutCount) throw new PathFailure(`${stream} refused the log line: ${refused?.ErrorCode}`);
    const bucket = outputs.WeblogBucketName!;
    const seen = new Set<string>();
    const key = await this.until('directlogs', putAt, `The log line of ${name} in s3://${bucket}`, () =>
      this.objectHolding(`/verify/${name} `, bucket, outputs.WeblogDirectPrefix, putAt, seen),
    );
    return `log line of ${name} through ${stream} in s3://${bucket}/${key} (kept: request path /verify/…)`;
  }

  /**
   * The key of an object under `prefix` written since `putAt` (give or take a minute)
   * whose text (gunzipped when it is GZIP) holds `text`; objects in `seen` are not read again.
   */
  private async objectHolding(
    text: string,
    bucket: string,
    prefix: string | undefined,
    putAt: number,
    seen: Set<string>,
  ): Promise<string | undefined> {
    const { s3 } = this.clients;
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        // Only objects written since the put can hold the line.
        if (seen.has(object.Key!) || (object.LastModified?.getTime() ?? 0) < putAt - 60_000) continue;
        seen.add(object.Key!);
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const body = Buffer.from(await got.Body!.transformToByteArray());
        if ((body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString().includes(text)) {
          return object.Key!;
        }
      }
      token = page.NextContinuationToken;
    } while (token);
    return undefined;
  }

  /** The alarm path: the alarm topic's subscriptions (none confirmed means nobody hears of an alarm). */
  private async describeAlarmTopic(): Promise<string> {
    const topic = this.outputs.AlarmTopicArn;
    const out = await this.clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topic }));
    const confirmed = Number(out.Attributes?.SubscriptionsConfirmed ?? 0);
    const pending = Number(out.Attributes?.SubscriptionsPending ?? 0);
    return `${topic}: ${confirmed} confirmed subscription${confirmed === 1 ? '' : 's'}${pending ? `, ${pending} pending` : ''}${confirmed === 0 ? ' (nobody is told of alarms: subscribe)' : ''}`;
  }
}
