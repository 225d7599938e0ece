import type { KinesisClient, Shard, _Record } from '@aws-sdk/client-kinesis';
import { randomBytes, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { LocalDeliveryStream, LocalStream } from './assembly';
import type { Invoker } from './event-source';
import { FunctionError } from './lambda-host';
import { forEachShard, ShardReader } from '#core/shard-follower';
import { CheckpointStore, type Clock } from './shards';

/**
 * A stand-in for a Firehose delivery stream with a Kinesis source and an S3 destination, run
 * from the template's settings: it reads every shard of the source stream, buffers records
 * until the size or interval hint is reached, runs the processors (a Lambda transformation,
 * a delimiter), compresses, and writes one object under the expanded prefix; records a
 * transformation rejects go under the error prefix. Shard positions are saved only after the
 * object is written, so nothing read is lost on a stop or crash.
 */

export interface ObjectWriter {
  put(bucket: string, key: string, body: Uint8Array): Promise<void>;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Expands Firehose's `!{timestamp:…}` (UTC, Java date patterns yyyy MM dd HH mm ss) and
 * `!{firehose:…}` namespaces in a prefix. A prefix without a timestamp gets Firehose's default
 * `yyyy/MM/dd/HH/` appended.
 */
export function expandPrefix(prefix: string, time: number, errorOutputType?: string): string {
  const d = new Date(time);
  const parts: Record<string, string> = {
    yyyy: String(d.getUTCFullYear()),
    MM: pad(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
  };
  const formatDate = (pattern: string) => pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => parts[token]);
  const hasTimestamp = prefix.includes('!{timestamp:');
  const expanded = prefix.replace(
    /!\{(timestamp|firehose):([^}]*)\}/g,
    (_, namespace: string, key: string) => {
      if (namespace === 'timestamp') return formatDate(key);
      if (key === 'error-output-type') return errorOutputType ?? 'processing-failed';
      if (key === 'random-string') return randomBytes(8).toString('base64url').slice(0, 11);
      throw new Error(`Firehose prefix expression !{firehose:${key}} is not supported locally`);
    },
  );
  return hasTimestamp ? expanded : `${expanded}${formatDate('yyyy/MM/dd/HH/')}`;
}

/** Firehose's object name: `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<id>`. */
export function objectName(deliveryStream: string, time: number, extension: string): string {
  const d = new Date(time);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
  return `${deliveryStream}-1-${stamp}-${randomUUID()}${extension}`;
}

interface Buffered {
  readonly record: _Record;
  readonly shardId: string;
}

export interface DeliveryCounters {
  records: number;
  objects: number;
  failedRecords: number;
}

export interface DeliveryOptions {
  readonly delivery: LocalDeliveryStream;
  readonly source: LocalStream;
  readonly bucketName: string;
  readonly region: string;
  readonly kinesis: KinesisClient;
  readonly writer: ObjectWriter;
  /** Lambda processors by function logical id. */
  readonly processors: Readonly<Record<string, Invoker>>;
  readonly checkpoints: CheckpointStore;
  readonly clock: Clock;
  readonly pollMs?: number;
  readonly discoverMs?: number;
  readonly log: (message: string) => void;
}

/** Lambda transformation attempts before the records count as processing-failed. */
const TRANSFORM_ATTEMPTS = 3;

export class DeliveryStreamRunner {
  readonly counters: DeliveryCounters = { records: 0, objects: 0, failedRecords: 0 };
  private buffer: Buffered[] = [];
  private bufferBytes = 0;
  private bufferedSince?: number;
  private readonly stopping = new AbortController();
  private reading?: Promise<void>;
  private flushing: Promise<void> = Promise.resolve();
  private timer?: Promise<void>;

  constructor(private readonly options: DeliveryOptions) {}

  start(): void {
    const { kinesis, source, clock } = this.options;
    this.reading = forEachShard(kinesis, source.name, (shard) => this.readShard(shard), {
      signal: this.stopping.signal,
      clock,
      discoverMs: this.options.discoverMs ?? 10_000,
      isDone: (shard) =>
        (this.options.checkpoints.get(shard.ShardId!) as { done?: boolean } | undefined)?.done === true,
      onError: (error) => this.options.log(`${this.options.delivery.logicalId}: ${(error as Error).message}`),
    });
    this.timer = this.tick();
  }

  /** Stops reading, then writes whatever is buffered. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.reading;
    await this.timer;
    await this.flush();
  }

  private async tick(): Promise<void> {
    const { clock, delivery } = this.options;
    while (!this.stopping.signal.aborted) {
      await clock.sleep(250, this.stopping.signal);
      if (
        this.bufferedSince !== undefined &&
        clock.now() - this.bufferedSince >= delivery.bufferIntervalSeconds * 1000
      ) {
        await this.flush().catch((error: Error) =>
          this.options.log(`${delivery.logicalId}: ${error.message}`),
        );
      }
    }
  }

  private async readShard(shard: Shard): Promise<void> {
    const { kinesis, source, checkpoints, clock, delivery } = this.options;
    const shardId = shard.ShardId!;
    const saved = checkpoints.get(shardId) as { after?: string } | undefined;
    const reader = new ShardReader(kinesis, source.name, shardId, {
      after: saved?.after,
      start: { type: 'TRIM_HORIZON' },
    });
    while (!this.stopping.signal.aborted) {
      const { records } = await reader.read(10_000);
      for (const record of records) {
        this.buffer.push({ record, shardId });
        this.bufferBytes += record.Data?.byteLength ?? 0;
        this.bufferedSince ??= clock.now();
      }
      if (this.bufferBytes >= delivery.bufferSizeBytes) await this.flush();
      if (reader.closed) {
        await this.flush();
        checkpoints.set(shardId, { ...(checkpoints.get(shardId) as object), done: true });
        return;
      }
      if (records.length === 0) await clock.sleep(this.options.pollMs ?? 1000, this.stopping.signal);
    }
  }

  /** Writes the buffer as one object (and one error object if any record failed processing). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBuffer());
    return this.flushing;
  }

  private async transform(
    items: Buffered[],
    functionLogicalId: string,
    data: (Uint8Array | undefined)[],
    failed: Map<number, string>,
  ) {
    const { processors, delivery, region } = this.options;
    const invoker = processors[functionLogicalId];
    const live = items.map((_, i) => i).filter((i) => data[i] !== undefined && !failed.has(i));
    if (live.length === 0) return;
    const event = {
      invocationId: randomUUID(),
      deliveryStreamArn: `arn:aws:firehose:${region}:000000000000:deliverystream/${delivery.name}`,
      sourceKinesisStreamArn: this.options.source.arn,
      region,
      records: live.map((i) => ({
        recordId: String(i),
        approximateArrivalTimestamp: items[i].record.ApproximateArrivalTimestamp?.getTime(),
        data: Buffer.from(data[i]!).toString('base64'),
        kinesisRecordMetadata: {
          shardId: items[i].shardId,
          partitionKey: items[i].record.PartitionKey,
          approximateArrivalTimestamp: items[i].record.ApproximateArrivalTimestamp?.getTime(),
          sequenceNumber: items[i].record.SequenceNumber,
          subsequenceNumber: 0,
        },
      })),
    };
    let response: { records?: { recordId: string; result: string; data?: string }[] } | undefined;
    let lastError = '';
    for (let attempt = 1; attempt <= TRANSFORM_ATTEMPTS && !response; attempt++) {
      try {
        response = (await invoker.invoke(event)) as typeof response;
      } catch (error) {
        if (!(error instanceof FunctionError)) throw error;
        lastError = error.message;
      }
    }
    const results = new Map((response?.records ?? []).map((r) => [r.recordId, r]));
    for (const i of live) {
      const result = results.get(String(i));
      if (!response) failed.set(i, `Lambda.InvokeFailed: ${lastError}`);
      else if (!result)
        failed.set(i, 'Lambda.MissingRecordId: the transformation returned no result for this record');
      else if (result.result === 'Dropped') data[i] = undefined;
      else if (result.result === 'Ok') data[i] = Buffer.from(result.data ?? '', 'base64');
      else failed.set(i, `Lambda.ProcessingFailed: ${result.result}`);
    }
  }

  private async writeBuffer(): Promise<void> {
    if (this.buffer.length === 0) return;
    const items = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    this.bufferedSince = undefined;
    const { delivery, writer, bucketName, checkpoints, clock } = this.options;
    try {
      const data: (Uint8Array | undefined)[] = items.map((item) => item.record.Data ?? new Uint8Array());
      const failed = new Map<number, string>();
      for (const processor of delivery.processors) {
        if (processor.type === 'Lambda')
          await this.transform(items, processor.functionLogicalId, data, failed);
        else {
          const delimiter = Buffer.from(processor.delimiter);
          for (let i = 0; i < data.length; i++) if (data[i]) data[i] = Buffer.concat([data[i]!, delimiter]);
        }
      }
      const oldest = Math.min(
        ...items.map((i) => i.record.ApproximateArrivalTimestamp?.getTime() ?? clock.now()),
      );
      const extension = delivery.fileExtension ?? (delivery.compression === 'GZIP' ? '.gz' : '');
      const encode = (chunks: Uint8Array[]) => {
        const body = Buffer.concat(chunks);
        return delivery.compression === 'GZIP' ? gzipSync(body) : body;
      };
      const delivered = data.filter((d, i): d is Uint8Array => d !== undefined && !failed.has(i));
      if (delivered.length > 0) {
        const key = `${expandPrefix(delivery.prefix, oldest)}${objectName(delivery.name, clock.now(), extension)}`;
        await writer.put(bucketName, key, encode(delivered));
        this.counters.objects += 1;
      }
      if (failed.size > 0) {
        const lines = [...failed].map(([i, reason]) =>
          Buffer.from(
            `${JSON.stringify({
              attemptsMade: TRANSFORM_ATTEMPTS,
              arrivalTimestamp: items[i].record.ApproximateArrivalTimestamp?.getTime(),
              errorCode: reason.split(':')[0],
              errorMessage: reason,
              attemptEndingTimestamp: clock.now(),
              rawData: Buffer.from(items[i].record.Data ?? new Uint8Array()).toString('base64'),
            })}\n`,
          ),
        );
        const prefix = delivery.errorPrefix || 'processing-failed/';
        const key = `${expandPrefix(prefix, oldest, 'processing-failed')}${objectName(delivery.name, clock.now(), extension)}`;
        await writer.put(bucketName, key, encode(lines));
        this.counters.failedRecords += failed.size;
      }
      this.counters.records += items.length;
      const lastByShard = new Map<string, string>();
      for (const item of items) lastByShard.set(item.shardId, item.record.SequenceNumber!);
      for (const [shardId, after] of lastByShard) {
        checkpoints.set(shardId, { ...(checkpoints.get(shardId) as object), after });
      }
    } catch (error) {
      // Keep the records for the next attempt rather than lose them.
      this.buffer = [...items, ...this.buffer];
      this.bufferBytes = this.buffer.reduce((n, i) => n + (i.record.Data?.byteLength ?? 0), 0);
      this.bufferedSince ??= clock.now();
      throw error;
    }
  }
}
