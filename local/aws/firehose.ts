import { randomBytes } from 'node:crypto';
import type { LocalDeliveryStream, LocalStack } from '../assembly';
import { jsonError, jsonOperation, jsonResponse, notAuthorizedMessage, type ServiceError } from './protocols';
import type { AwsRequest, AwsResponse, AwsService } from './service';

/**
 * The Firehose API (AWS JSON 1.1, `Firehose_20150804.<Operation>`) over the local delivery
 * streams the templates declare: PutRecord and PutRecordBatch into a DirectPut delivery stream
 * (refused, as AWS refuses them, for one that reads a Kinesis stream), DescribeDeliveryStream
 * with the template's settings shaped as AWS describes them, and ListDeliveryStreams. Limits
 * and errors are AWS's, words included.
 */

/** Where a DirectPut delivery stream's records go: the runner's spool (`DeliveryStreamRunner`). */
export interface DirectPutTarget {
  /** Resolves once the records are accepted (durable); rejects if they cannot be. */
  putRecords(records: readonly Uint8Array[]): Promise<void>;
}

export interface FirehoseDeliveryStream {
  readonly delivery: LocalDeliveryStream;
  readonly bucketName: string;
  /** The source stream's ARN, for a delivery stream that reads one. */
  readonly sourceStreamArn?: string;
  /** For a DirectPut delivery stream: where PutRecord and PutRecordBatch hand records. */
  readonly target?: DirectPutTarget;
}

export interface FirehoseServiceOptions {
  readonly deliveryStreams: readonly FirehoseDeliveryStream[];
  /** When the delivery streams were created (DescribeDeliveryStream's CreateTimestamp). @default now */
  readonly createdAt?: Date;
}

/**
 * The delivery streams of the stacks, each DirectPut one with the runner that takes its records
 * (matched by ARN among `runners`, the local pipeline's `deliveryStreams`).
 */
export function firehoseDeliveryStreams(
  stacks: readonly LocalStack[],
  runners: readonly {
    readonly deliveryStream: LocalDeliveryStream;
    putRecords: DirectPutTarget['putRecords'];
  }[],
): FirehoseDeliveryStream[] {
  return stacks.flatMap((stack) =>
    stack.deliveryStreams.map((delivery) => {
      const runner = runners.find((r) => r.deliveryStream.arn === delivery.arn);
      return {
        delivery,
        bucketName: stack.buckets.find((b) => b.logicalId === delivery.bucketLogicalId)!.name,
        sourceStreamArn: stack.streams.find((s) => s.logicalId === delivery.sourceStreamLogicalId)?.arn,
        target:
          delivery.type === 'DirectPut' && runner ? { putRecords: (r) => runner.putRecords(r) } : undefined,
      };
    }),
  );
}

/** PutRecordBatch's limits, as the API reference gives them. */
export const FIREHOSE_LIMITS = {
  recordsPerBatch: 500,
  /** 1,000 KiB, before base64 encoding. */
  recordBytes: 1_024_000,
  batchBytes: 4 * 1024 * 1024,
} as const;

const DELIVERY_STREAM_TYPES = ['DirectPut', 'KinesisStreamAsSource', 'MSKAsSource', 'DatabaseAsSource'];
const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

class FirehoseError extends Error {
  constructor(readonly error: ServiceError) {
    super(error.message);
  }
}

const fail = (code: string, message: string, extra: Partial<ServiceError> = {}): never => {
  throw new FirehoseError({ code, message, ...extra });
};

/** The JVM's rendering of a blob, as Firehose's validation messages quote it. */
const byteBuffer = (length: number) => `java.nio.HeapByteBuffer[pos=0 lim=${length} cap=${length}]`;

/** Collects constraint violations and fails with them as one ValidationException, as AWS does. */
class Violations {
  private readonly messages: string[] = [];

  add(value: string, where: string, constraint: string): void {
    this.messages.push(`Value ${value} at '${where}' failed to satisfy constraint: ${constraint}`);
  }

  /** `DeliveryStreamName`'s constraints: present, 1 to 64 characters of `[a-zA-Z0-9_.-]`. */
  name(value: unknown, where = 'deliveryStreamName', required = true): void {
    if (value === undefined || value === null) {
      if (required) this.add('null', where, 'Member must not be null');
      return;
    }
    const text = String(value);
    if (text.length < 1) this.add(`'${text}'`, where, 'Member must have length greater than or equal to 1');
    if (text.length > 64) this.add(`'${text}'`, where, 'Member must have length less than or equal to 64');
    if (!NAME_PATTERN.test(text)) {
      this.add(`'${text}'`, where, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
    }
  }

  /** A record's Data: present, at most 1,000 KiB. */
  data(data: Buffer | undefined, where: string): void {
    if (data === undefined) this.add('null', where, 'Member must not be null');
    else if (data.length > FIREHOSE_LIMITS.recordBytes) {
      this.add(
        `'${byteBuffer(data.length)}'`,
        where,
        `Member must have length less than or equal to ${FIREHOSE_LIMITS.recordBytes}`,
      );
    }
  }

  throwIfAny(): void {
    const n = this.messages.length;
    if (n === 0) return;
    fail(
      'ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.messages.join('; ')}`,
    );
  }
}

type Json = Record<string, unknown>;

const decodeData = (value: unknown): Buffer | undefined =>
  typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;

/** A RecordId: an opaque string, as long as Firehose's. */
const recordId = () => randomBytes(168).toString('base64');

export class FirehoseService implements AwsService {
  readonly signingNames = ['firehose'];
  readonly targetPrefixes = ['Firehose_20150804.'];
  private readonly createdAt: Date;

  constructor(private readonly options: FirehoseServiceOptions) {
    this.createdAt = options.createdAt ?? new Date();
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    try {
      const operation = jsonOperation(request, 'Firehose_20150804.');
      let input: Json;
      try {
        input = JSON.parse(request.body.toString('utf8') || '{}') as Json;
      } catch {
        return fail('SerializationException', 'Start of structure or map found where not expected.');
      }
      switch (operation) {
        case 'PutRecord':
          return jsonResponse(await this.putRecord(request, input), '1.1');
        case 'PutRecordBatch':
          return jsonResponse(await this.putRecordBatch(request, input), '1.1');
        case 'DescribeDeliveryStream':
          return jsonResponse(await this.describe(request, input), '1.1');
        case 'ListDeliveryStreams':
          return jsonResponse(await this.list(request, input), '1.1');
        default:
          return fail('UnknownOperationException', `Operation ${operation ?? ''} is not supported locally`);
      }
    } catch (error) {
      if (error instanceof FirehoseError) return jsonError(error.error, '1.1');
      throw error;
    }
  }

  private arn(request: AwsRequest, name: string) {
    return `arn:aws:firehose:${request.region}:${request.accountId}:deliverystream/${name}`;
  }

  private async authorize(request: AwsRequest, action: string, resource: string): Promise<void> {
    const decision = await request.authorize(`firehose:${action}`, resource);
    if (decision.allowed) return;
    fail(
      'AccessDeniedException',
      notAuthorizedMessage(request.caller, `firehose:${action}`, resource, decision.reason),
      {
        messageKey: 'Message',
      },
    );
  }

  /** The delivery stream of that name in the request's region, or AWS's ResourceNotFoundException. */
  private find(request: AwsRequest, name: string): FirehoseDeliveryStream {
    const arn = this.arn(request, name);
    const found = this.options.deliveryStreams.find((d) => d.delivery.arn === arn);
    return (
      found ??
      fail('ResourceNotFoundException', `Firehose ${name} under account ${request.accountId} not found.`)
    );
  }

  /**
   * The delivery stream direct puts may go to: found, allowed, and not reading a Kinesis stream;
   * with whether server-side encryption is on (the responses' `Encrypted`).
   */
  private async directPut(
    request: AwsRequest,
    name: string,
    action: string,
  ): Promise<{ target: DirectPutTarget; encrypted: boolean }> {
    await this.authorize(request, action, this.arn(request, name));
    const found = this.find(request, name);
    if (found.delivery.type === 'KinesisStreamAsSource') {
      fail(
        'InvalidArgumentException',
        'This operation is not permitted on KinesisStreamAsSource delivery stream type.',
      );
    }
    const target =
      found.target ??
      fail('ServiceUnavailableException', `Firehose ${name} is not running locally.`, { status: 503 });
    return { target, encrypted: found.delivery.encryption !== undefined };
  }

  private async putRecord(request: AwsRequest, input: Json) {
    const violations = new Violations();
    violations.name(input.DeliveryStreamName);
    const record = input.Record as Json | undefined;
    if (!record) violations.add('null', 'record', 'Member must not be null');
    const data = record ? decodeData(record.Data) : undefined;
    if (record) violations.data(data, 'record.data');
    violations.throwIfAny();
    const { target, encrypted } = await this.directPut(
      request,
      String(input.DeliveryStreamName),
      'PutRecord',
    );
    try {
      await target.putRecords([data!]);
    } catch (error) {
      fail('ServiceUnavailableException', `Slow down. (${(error as Error).message})`, { status: 503 });
    }
    return { RecordId: recordId(), Encrypted: encrypted };
  }

  private async putRecordBatch(request: AwsRequest, input: Json) {
    const violations = new Violations();
    violations.name(input.DeliveryStreamName);
    const records = Array.isArray(input.Records) ? (input.Records as Json[]) : undefined;
    if (!records) violations.add('null', 'records', 'Member must not be null');
    const data = (records ?? []).map((r) => decodeData(r?.Data));
    if (records?.length === 0)
      violations.add('[]', 'records', 'Member must have length greater than or equal to 1');
    if (records && records.length > FIREHOSE_LIMITS.recordsPerBatch) {
      const value = `'[${data.map((d) => `Record(data=${byteBuffer(d?.length ?? 0)})`).join(', ')}]'`;
      violations.add(
        value,
        'records',
        `Member must have length less than or equal to ${FIREHOSE_LIMITS.recordsPerBatch}`,
      );
    }
    data.forEach((d, i) => violations.data(d, `records.${i + 1}.member.data`));
    violations.throwIfAny();
    if (data.reduce((n, d) => n + d!.length, 0) > FIREHOSE_LIMITS.batchBytes) {
      fail('InvalidArgumentException', 'Records size exceeds 4 MB limit');
    }
    const { target, encrypted } = await this.directPut(
      request,
      String(input.DeliveryStreamName),
      'PutRecordBatch',
    );
    try {
      await target.putRecords(data as Buffer[]);
      return {
        FailedPutCount: 0,
        Encrypted: encrypted,
        RequestResponses: data.map(() => ({ RecordId: recordId() })),
      };
    } catch (error) {
      // Nothing was accepted: every entry failed, for the producer to send again.
      const entry = {
        ErrorCode: 'ServiceUnavailableException',
        ErrorMessage: `Slow down. (${(error as Error).message})`,
      };
      return { FailedPutCount: data.length, Encrypted: encrypted, RequestResponses: data.map(() => entry) };
    }
  }

  private async describe(request: AwsRequest, input: Json) {
    const violations = new Violations();
    violations.name(input.DeliveryStreamName);
    if (input.Limit !== undefined) limit(violations, input.Limit, 'limit');
    violations.throwIfAny();
    const name = String(input.DeliveryStreamName);
    await this.authorize(request, 'DescribeDeliveryStream', this.arn(request, name));
    return { DeliveryStreamDescription: describeDeliveryStream(this.find(request, name), this.createdAt) };
  }

  private async list(request: AwsRequest, input: Json) {
    const violations = new Violations();
    if (input.Limit !== undefined) limit(violations, input.Limit, 'limit');
    const type = input.DeliveryStreamType as string | undefined;
    if (type !== undefined && !DELIVERY_STREAM_TYPES.includes(type)) {
      violations.add(
        `'${type}'`,
        'deliveryStreamType',
        `Member must satisfy enum value set: [${DELIVERY_STREAM_TYPES.join(', ')}]`,
      );
    }
    violations.name(input.ExclusiveStartDeliveryStreamName, 'exclusiveStartDeliveryStreamName', false);
    violations.throwIfAny();
    await this.authorize(request, 'ListDeliveryStreams', '*');
    const start = input.ExclusiveStartDeliveryStreamName as string | undefined;
    const names = this.options.deliveryStreams
      .filter((d) => d.delivery.arn === this.arn(request, d.delivery.name))
      .filter((d) => type === undefined || d.delivery.type === type)
      .map((d) => d.delivery.name)
      .filter((name) => start === undefined || name > start)
      .sort();
    const count = input.Limit === undefined ? 10 : Number(input.Limit);
    return { DeliveryStreamNames: names.slice(0, count), HasMoreDeliveryStreams: names.length > count };
  }
}

/** A `Limit` member: an integer from 1 to 10,000. */
function limit(violations: Violations, value: unknown, where: string) {
  const n = Number(value);
  if (n < 1) violations.add(`'${n}'`, where, 'Member must have value greater than or equal to 1');
  if (n > 10_000) violations.add(`'${n}'`, where, 'Member must have value less than or equal to 10000');
}

/** DescribeDeliveryStream's description of a local delivery stream, from its template settings. */
export function describeDeliveryStream(
  { delivery, bucketName, sourceStreamArn }: FirehoseDeliveryStream,
  createdAt: Date,
) {
  const account = delivery.arn.split(':')[4];
  const s3 = {
    RoleARN: delivery.roleArn ?? `arn:aws:iam::${account}:role/firehose_delivery_role`,
    BucketARN: `arn:aws:s3:::${bucketName}`,
    Prefix: delivery.prefix,
    ...(delivery.errorPrefix ? { ErrorOutputPrefix: delivery.errorPrefix } : {}),
    BufferingHints: {
      SizeInMBs: delivery.bufferSizeBytes / (1024 * 1024),
      IntervalInSeconds: delivery.bufferIntervalSeconds,
    },
    CompressionFormat: delivery.compression,
    EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: {
      Enabled: delivery.logging?.enabled ?? false,
      ...(delivery.logging?.logGroupName ? { LogGroupName: delivery.logging.logGroupName } : {}),
      ...(delivery.logging?.logStreamName ? { LogStreamName: delivery.logging.logStreamName } : {}),
    },
  };
  const extended = {
    ...s3,
    ProcessingConfiguration: {
      Enabled: delivery.processors.length > 0,
      Processors: delivery.processors.map((p) => ({
        Type: p.type,
        Parameters: p.parameters.map((x) => ({
          ParameterName: x.ParameterName,
          ParameterValue: x.ParameterValue,
        })),
      })),
    },
    S3BackupMode: 'Disabled',
    DataFormatConversionConfiguration: { Enabled: false },
    ...(delivery.fileExtension ? { FileExtension: delivery.fileExtension } : {}),
  };
  return {
    DeliveryStreamName: delivery.name,
    DeliveryStreamARN: delivery.arn,
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamEncryptionConfiguration: delivery.encryption
      ? {
          KeyType: delivery.encryption.keyType,
          ...(delivery.encryption.keyArn ? { KeyARN: delivery.encryption.keyArn } : {}),
          Status: 'ENABLED',
        }
      : { Status: 'DISABLED' },
    DeliveryStreamType: delivery.type,
    VersionId: '1',
    CreateTimestamp: createdAt.getTime() / 1000,
    ...(delivery.type === 'KinesisStreamAsSource'
      ? {
          Source: {
            KinesisStreamSourceDescription: {
              KinesisStreamARN: sourceStreamArn,
              ...(delivery.sourceRoleArn ? { RoleARN: delivery.sourceRoleArn } : {}),
              DeliveryStartTimestamp: createdAt.getTime() / 1000,
            },
          },
        }
      : {}),
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        S3DestinationDescription: s3,
        ExtendedS3DestinationDescription: extended,
      },
    ],
    HasMoreDestinations: false,
  };
}
