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
  const { outputs, timing, clients } = deployment;
  const paths = deployedPaths(outputs);
  const startedAt = io.now();
  const name = probeName(io.runId ?? `${startedAt.toString(36)}-${randomBytes(3).toString('hex')}`);
  const results = new Map<PathId, Promise<PathResult>>();
  const spec = (id: PathId) => paths.find((p) => p.id === id);

  /** Runs a path's check until its deadline, turning the outcome into a result. */
  const run = (path: PathSpec, check: () => Promise<string>, from?: Promise<PathResult>) =>
    (async (): Promise<PathResult> => {
      if (from) {
        const before = await from;
        if (before.status !== 'ok') {
          return {
            id: path.id,
            label: path.label,
            status: 'not-reached',
            ms: io.now() - startedAt,
            detail: `not reached: the ${before.label} failed`,
          };
        }
      }
      const stop = new AbortController();
      try {
        // A request that never answers must not hold the run past the path's deadline.
        const limit = deadline(path.id, startedAt, timing) + HARD_STOP_MS - io.now();
        const detail = await Promise.race([
          check(),
          io.sleep(Math.max(0, limit), stop.signal).then(() => {
            if (stop.signal.aborted) return '';
            throw new PathFailure(`no answer within ${((io.now() - startedAt) / 1000).toFixed(0)} s`);
          }),
        ]);
        return { id: path.id, label: path.label, status: 'ok', ms: io.now() - startedAt, detail };
      } catch (error) {
        return {
          id: path.id,
          label: path.label,
          status: 'failed',
          ms: io.now() - startedAt,
          detail: messageOf(error),
          pointer: pointerText(path.look, deployment.pointers),
        };
      } finally {
        stop.abort();
      }
    })();

  /** Polls `look` until it returns something or the deadline passes. */
  const until = async <T>(
    id: PathId,
    from: number,
    what: string,
    look: () => Promise<T | undefined>,
    everyMs = timing.pollMs,
  ) => {
    const by = deadline(id, from, timing);
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
  };

  // Readers of the summary stream positioned at its tip before the probe is put: whatever
  // comes after is new. (AT_TIMESTAMP would do too, but an emulator may not answer it on a
  // quiet stream.)
  const summaryReaders = spec('summary')
    ? (async () => {
        const stream = outputs.SummaryStreamName!;
        const readers = (await listShards(clients.kinesis, stream)).map(
          (shard) => new ShardReader(clients.kinesis, stream, shard.ShardId!, { start: { type: 'LATEST' } }),
        );
        for (const reader of readers) await reader.read(1);
        return readers;
      })()
    : undefined;
  summaryReaders?.catch(() => undefined);

  let probe: Probe | undefined;
  const telemetry = spec('telemetry');
  if (telemetry) {
    results.set(
      'telemetry',
      run(telemetry, async () => {
        await summaryReaders?.catch(() => undefined);
        const putAt = io.now();
        const out = await clients.kinesis.send(
          new PutRecordCommand({
            StreamName: outputs.StreamName,
            PartitionKey: name,
            Data: Buffer.from(JSON.stringify(probeStatus(name, putAt))),
          }),
        );
        probe = { name, putAt, shardId: out.ShardId!, sequenceNumber: out.SequenceNumber! };
        return `${name} put on ${outputs.StreamName} (${out.ShardId})`;
      }),
    );
  }
  const after = (id: PathId) => results.get(spec(id)?.after ?? id);

  const summarySpec = spec('summary');
  let summaryTime: string | undefined;
  let summarySeenAt = 0;
  if (summarySpec) {
    results.set(
      'summary',
      run(
        summarySpec,
        async () => {
          const p = probe!;
          const readers = await summaryReaders!;
          const summary = await until('summary', p.putAt, `A summary of ${p.name}`, async () => {
            for (const reader of readers) {
              const { records } = await reader.read();
              for (const record of records) {
                const parsed = decodeUnicornSummary(Buffer.from(record.Data!).toString('base64'));
                if (parsed.ok && parsed.value.Name === p.name) return parsed.value;
              }
            }
            return undefined;
          });
          summaryTime = summary.StatusTime;
          summarySeenAt = io.now();
          return `summary of ${p.name} on ${outputs.SummaryStreamName} (window ${summary.StatusTime}, ${summary.Records} record)`;
        },
        after('summary'),
      ),
    );
  }

  const tableSpec = spec('table');
  if (tableSpec) {
    results.set(
      'table',
      run(
        tableSpec,
        async () => {
          const p = probe!;
          const key = { Name: { S: p.name }, StatusTime: { S: summaryTime! } };
          const item = await until('table', summarySeenAt, `The item of ${p.name}`, async () => {
            const out = await clients.dynamodb.send(
              new GetItemCommand({ TableName: outputs.SummaryTableName, Key: key, ConsistentRead: true }),
            );
            return out.Item;
          });
          // The probe must not count in the summaries people read: its item goes.
          await clients.dynamodb.send(
            new DeleteItemCommand({ TableName: outputs.SummaryTableName, Key: key }),
          );
          return `item ${p.name} / ${summaryTime} in ${outputs.SummaryTableName} (${item.Records?.N ?? '?'} record; deleted)`;
        },
        results.get('summary'),
      ),
    );
  }

  const datalake = spec('datalake');
  if (datalake) {
    results.set(
      'datalake',
      run(
        datalake,
        async () => {
          const p = probe!;
          const by = deadline('datalake', p.putAt, timing);
          const sql = dataLakeProbeSql(outputs.GlueTable!, p.name, p.putAt, by);
          // Each look is a query (on Athena, seconds and a few bytes' cost): a handful per buffer interval.
          const every = Math.max(timing.pollMs, (timing.bufferSeconds * 1000) / 6);
          await until(
            'datalake',
            p.putAt,
            `The raw record of ${p.name} in ${outputs.GlueTable}`,
            async () => ((await clients.query(sql)).length > 0 ? true : undefined),
            every,
          );
          return `${p.name} read through ${outputs.GlueTable} (kept: queries filter name NOT LIKE 'VerifyProbe-%')`;
        },
        after('datalake'),
      ),
    );
  }

  const guest = spec('guest');
  if (guest) {
    results.set(
      'guest',
      run(
        guest,
        async () => {
          const p = probe!;
          const id = await clients.cognito.send(new GetIdCommand({ IdentityPoolId: outputs.IdentityPoolId }));
          const token = await clients.cognito.send(new GetOpenIdTokenCommand({ IdentityId: id.IdentityId }));
          const assumed = await clients.sts.send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: outputs.GuestRoleArn,
              RoleSessionName: 'wildrydes-verify',
              WebIdentityToken: token.Token,
            }),
          );
          const c = assumed.Credentials!;
          const kinesis = clients.guestKinesis({
            accessKeyId: c.AccessKeyId!,
            secretAccessKey: c.SecretAccessKey!,
            sessionToken: c.SessionToken,
          });
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
        },
        after('guest'),
      ),
    );
  }

  const sensors = spec('sensors');
  if (sensors) {
    results.set(
      'sensors',
      run(sensors, async () => {
        const putAt = io.now();
        await clients.kinesis.send(
          new PutRecordCommand({
            StreamName: outputs.SensorStreamName,
            PartitionKey: name,
            Data: Buffer.from(JSON.stringify(probeReading(name, putAt))),
          }),
        );
        const table = outputs.SensorAggregateTableName!;
        const items = await until('sensors', putAt, `An aggregate of sensor ${name}`, async () => {
          const out = await clients.dynamodb.send(
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
          await clients.dynamodb.send(
            new DeleteItemCommand({
              TableName: table,
              Key: { sensorId: item.sensorId, windowStart: item.windowStart },
            }),
          );
        }
        return `reading of sensor ${name} aggregated in ${table} (deleted)`;
      }),
    );
  }

  /** The key of an object under `prefix` written since `putAt` that holds the probe's log line. */
  const logLineObject = async (prefix: string | undefined, putAt: number, seen: Set<string>) => {
    const bucket = outputs.WeblogBucketName!;
    let token: string | undefined;
    do {
      const page = await clients.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        // Only objects written since the put can hold the line.
        if (seen.has(object.Key!) || (object.LastModified?.getTime() ?? 0) < putAt - 60_000) continue;
        seen.add(object.Key!);
        const got = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const body = Buffer.from(await got.Body!.transformToByteArray());
        const text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString();
        if (text.includes(`/verify/${name} `)) return object.Key!;
      }
      token = page.NextContinuationToken;
    } while (token);
    return undefined;
  };

  const logs = spec('logs');
  if (logs) {
    results.set(
      'logs',
      run(logs, async () => {
        const putAt = io.now();
        await clients.kinesis.send(
          new PutRecordCommand({
            StreamName: outputs.WeblogStreamName,
            PartitionKey: name,
            Data: Buffer.from(probeLogLine(name, putAt)),
          }),
        );
        const bucket = outputs.WeblogBucketName!;
        const seen = new Set<string>();
        const key = await until('logs', putAt, `The log line of ${name} in s3://${bucket}`, () =>
          logLineObject(outputs.WeblogPrefix, putAt, seen),
        );
        return `log line of ${name} in s3://${bucket}/${key} (kept: request path /verify/…)`;
      }),
    );
  }

  const directLogs = spec('directlogs');
  if (directLogs) {
    results.set(
      'directlogs',
      run(directLogs, async () => {
        const putAt = io.now();
        const stream = outputs.WeblogDirectDeliveryName!;
        const put = await clients.firehose.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: stream,
            Records: [{ Data: Buffer.from(probeLogLine(name, putAt)) }],
          }),
        );
        const refused = put.RequestResponses?.find((r) => r.ErrorCode);
        if (put.FailedPutCount)
          throw new PathFailure(`${stream} refused the log line: ${refused?.ErrorCode}`);
        const bucket = outputs.WeblogBucketName!;
        const seen = new Set<string>();
        const key = await until('directlogs', putAt, `The log line of ${name} in s3://${bucket}`, () =>
          logLineObject(outputs.WeblogDirectPrefix, putAt, seen),
        );
        return `log line of ${name} through ${stream} in s3://${bucket}/${key} (kept: request path /verify/…)`;
      }),
    );
  }

  const alarms = spec('alarms');
  if (alarms) {
    results.set(
      'alarms',
      run(alarms, async () => {
        const out = await clients.sns.send(
          new GetTopicAttributesCommand({ TopicArn: outputs.AlarmTopicArn }),
        );
        const confirmed = Number(out.Attributes?.SubscriptionsConfirmed ?? 0);
        const pending = Number(out.Attributes?.SubscriptionsPending ?? 0);
        return `${outputs.AlarmTopicArn}: ${confirmed} confirmed subscription${confirmed === 1 ? '' : 's'}${pending ? `, ${pending} pending` : ''}${confirmed === 0 ? ' (nobody is told of alarms: subscribe)' : ''}`;
      }),
    );
  }

  const ordered = paths.map((p) => results.get(p.id)!);
  return Promise.all(ordered);
}
