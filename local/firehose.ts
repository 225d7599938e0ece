import type { _Record as KinesisRecord, KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { LocalDeliveryStream, LocalStream } from './assembly';
import type { Invoker } from './event-source';
import { derivedId, DirectPutSpool } from './firehose-spool';
import { FunctionError } from './lambda-host';
import { forEachShard, ShardReader } from '#core/shard-follower';
import { CheckpointStore, waitForStorage, type Clock } from './shards';

const gzip = promisify(gzipCallback);

/**
 * A stand-in for a Firehose delivery stream with an S3 destination, run from the template's
 * settings. Its records come from its source Kinesis stream (every shard read), or, for a
 * DirectPut delivery stream, from PutRecord/PutRecordBatch (`putRecords`). It buffers records
 * until the size or interval hint is reached, runs the processors (a Lambda transformation, a
 * delimiter), compresses, and writes one object under the expanded prefix; records a
 * transformation rejects go under the error prefix. Nothing is lost on a stop or crash: shard
 * positions are saved only after the object is written, and direct puts wait in a spool file
 * until then (`firehose-spool.ts`), which also makes a rewrite after a crash replace the same
 * object.
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
export function objectName(
  deliveryStream: string,
  time: number,
  extension: string,
  id: string = randomUUID(),
): string {
  const d = new Date(time);
  const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}`;
  return `${deliveryStream}-1-${stamp}-${id}${extension}`;
}

/** A record waiting in the buffer. */
interface Buffered {
  readonly data: Uint8Array;
  /** When Firehose took it in (ms): its Kinesis arrival time, or when PutRecordBatch accepted it. */
  readonly arrival: number;
  /** Kinesis source: where it was read. */
  readonly shard?: {
    readonly shardId: string;
    readonly partitionKey?: string;
    readonly sequenceNumber: string;
  };
  /** DirectPut: its number in the spool. */
  readonly seq?: number;
}

export interface DeliveryCounters {
  records: number;
  objects: number;
  failedRecords: number;
}

/** A delivery stream that reads its Kinesis source stream. */
export interface KinesisSourceOptions {
  readonly type: 'KinesisStreamAsSource';
  readonly stream: LocalStream;
  readonly kinesis: KinesisClient;
  readonly pollMs?: number;
  readonly discoverMs?: number;
}

/** A delivery stream whose records are handed to `putRecords` (PutRecord, PutRecordBatch). */
export interface DirectPutSourceOptions {
  readonly type: 'DirectPut';
  /** The append-only file accepted records wait in until they are written to S3. */
  readonly spoolFile: string;
}

export interface DeliveryOptions {
  readonly delivery: LocalDeliveryStream;
  readonly source: KinesisSourceOptions | DirectPutSourceOptions;
  readonly bucketName: string;
  readonly region: string;
  readonly writer: ObjectWriter;
  /** Lambda processors by function logical id. */
  readonly processors: Readonly<Record<string, Invoker>>;
  /** Positions saved after each object: per shard (Kinesis source), or the spool's (DirectPut). */
  readonly checkpoints: CheckpointStore;
  readonly clock: Clock;
  readonly log: (message: string) => void;
  /** Told of each attempt to write a buffer to the bucket (the metrics Firehose publishes). */
  readonly onDelivery?: (attempt: { records: number; succeeded: boolean; oldestArrival: number }) => void;
}

/** How the next object is named, and what happens once it is written: one per kind of source. */
interface Feed {
  /** Starts reading (Kinesis); hands over what waited from the last run (DirectPut). */
  start(runner: DeliveryStreamRunner): Promise<void>;
  /** How many records from the front of the buffer the next object holds. */
  take(buffer: readonly Buffered[]): number;
  /** The object's time and id (a random id when undefined), recorded before it is written. */
  plan(items: readonly Buffered[], now: number): { at: number; id?: (kind: string) => string };
  /** The object is written: save the position past `items`. */
  delivered(items: readonly Buffered[]): Promise<void>;
  close(): Promise<void>;
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
  private readonly feed: Feed;
  private spool?: DirectPutSpool;
  private halted?: Promise<void>;

  constructor(private readonly options: DeliveryOptions) {
    const { source, checkpoints, delivery } = options;
    if (source.type === 'DirectPut') {
      this.spool = new DirectPutSpool(source.spoolFile, checkpoints as CheckpointStore<never>);
      this.feed = directPutFeed(this.spool, delivery.arn);
    } else {
      this.feed = new KinesisFeed(source, checkpoints, this.stopping.signal, options);
    }
  }

  get deliveryStream(): LocalDeliveryStream {
    return this.options.delivery;
  }

  /** Records waiting to be written (buffered, or in a flush under way). */
  get pending(): number {
    return this.buffer.length;
  }

  start(): void {
    this.reading = this.feed.start(this);
    this.timer = this.tick();
    // An object that was being written when the last run stopped is written again at once.
    if (this.spool?.intent) {
      this.flush().catch((error: Error) =>
        this.options.log(`${this.options.delivery.logicalId}: ${error.message}`),
      );
    }
  }

  /** Stops reading, then writes whatever is buffered. */
  stop(): Promise<void> {
    return (this.halted ??= this.halt(true));
  }

  /**
   * Stops without writing what is buffered, as a crash would: the records stay on the source
   * stream or in the spool, and the next run delivers them. A later `stop` does nothing more.
   */
  abandon(): Promise<void> {
    return (this.halted ??= this.halt(false));
  }

  private async halt(flush: boolean): Promise<void> {
    this.stopping.abort();
    try {
      await this.reading;
      await this.timer;
      if (flush) await this.flush();
      else await this.flushing.catch(() => undefined);
    } finally {
      await this.feed.close();
    }
  }

  /**
   * DirectPut: takes records handed over by PutRecord/PutRecordBatch. Resolves once they are on
   * disk in the spool (accepted); they are written to S3 by the buffering hints.
   */
  async putRecords(records: readonly Uint8Array[]): Promise<void> {
    if (!this.spool) throw new Error(`${this.options.delivery.name} reads a Kinesis stream`);
    if (this.stopping.signal.aborted) throw new Error(`${this.options.delivery.name} is stopping`);
    const now = this.options.clock.now();
    const spooled = await this.spool.append(records.map((data) => ({ data, arrival: now })));
    this.add(spooled);
    if (this.bufferBytes >= this.options.delivery.bufferSizeBytes) {
      this.flush().catch((error: Error) =>
        this.options.log(`${this.options.delivery.logicalId}: ${error.message}`),
      );
    }
  }

  /** Adds records to the buffer, in spool order (DirectPut) or as read (Kinesis). */
  add(records: readonly Buffered[]): void {
    for (const record of records) {
      const last = this.buffer[this.buffer.length - 1];
      if (record.seq !== undefined && last?.seq !== undefined && last.seq > record.seq) {
        const at = this.buffer.findIndex((b) => (b.seq ?? 0) > record.seq!);
        this.buffer.splice(at, 0, record);
      } else {
        this.buffer.push(record);
      }
      this.bufferBytes += record.data.byteLength;
      this.bufferedSince ??= this.options.clock.now();
    }
  }

  /** The records waiting in the buffer, oldest first. */
  get bufferedRecords(): readonly Buffered[] {
    return this.buffer;
  }

  /** Whether the size hint is reached. */
  get full(): boolean {
    return this.bufferBytes >= this.options.delivery.bufferSizeBytes;
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

  /** Writes the buffer as one object (and one error object if any record failed processing). */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.writeBuffer());
    return this.flushing;
  }

  private transformEvent(items: readonly Buffered[], live: number[]) {
    const { delivery, region, source } = this.options;
    return {
      invocationId: randomUUID(),
      deliveryStreamArn: delivery.arn,
      ...(source.type === 'KinesisStreamAsSource' ? { sourceKinesisStreamArn: source.stream.arn } : {}),
      region,
      records: live.map((i) => ({
        recordId: String(i),
        approximateArrivalTimestamp: items[i].arrival,
        data: Buffer.from(items[i].data).toString('base64'),
        ...(items[i].shard
          ? {
              kinesisRecordMetadata: {
                shardId: items[i].shard!.shardId,
                partitionKey: items[i].shard!.partitionKey,
                approximateArrivalTimestamp: items[i].arrival,
                sequenceNumber: items[i].shard!.sequenceNumber,
                subsequenceNumber: 0,
              },
            }
          : {}),
      })),
    };
  }

  private async transform(
    items: readonly Buffered[],
    functionLogicalId: string,
    data: (Uint8Array | undefined)[],
    failed: Map<number, string>,
  ) {
    const invoker = this.options.processors[functionLogicalId];
    const live = items.map((_, i) => i).filter((i) => data[i] !== undefined && !failed.has(i));
    if (live.length === 0) return;
    const event = this.transformEvent(items, live);
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

  /** Runs the processors: the data to deliver, and the records that failed with why. */
  private async process(items: readonly Buffered[]) {
    const data: (Uint8Array | undefined)[] = items.map((item) => item.data);
    const failed = new Map<number, string>();
    for (const processor of this.options.delivery.processors) {
      if (processor.type === 'Lambda') await this.transform(items, processor.functionLogicalId, data, failed);
      else {
        const delimiter = Buffer.from(processor.delimiter);
        for (let i = 0; i < data.length; i++) if (data[i]) data[i] = Buffer.concat([data[i]!, delimiter]);
      }
    }
    return { data, failed };
  }

  private errorLines(items: readonly Buffered[], failed: Map<number, string>): Buffer[] {
    return [...failed].map(([i, reason]) =>
      Buffer.from(
        `${JSON.stringify({
          attemptsMade: TRANSFORM_ATTEMPTS,
          arrivalTimestamp: items[i].arrival,
          errorCode: reason.split(':')[0],
          errorMessage: reason,
          attemptEndingTimestamp: this.options.clock.now(),
          rawData: Buffer.from(items[i].data).toString('base64'),
        })}\n`,
      ),
    );
  }

  private async writeObjects(items: readonly Buffered[]) {
    const { delivery, writer, bucketName, clock } = this.options;
    const plan = this.feed.plan(items, clock.now());
    const { data, failed } = await this.process(items);
    const oldest = Math.min(...items.map((i) => i.arrival));
    const extension = delivery.fileExtension ?? (delivery.compression === 'GZIP' ? '.gz' : '');
    // Compressed on libuv's thread pool: a buffer of megabytes does not hold up the endpoint.
    const encode = async (chunks: Uint8Array[]) => {
      const body = Buffer.concat(chunks);
      return delivery.compression === 'GZIP' ? await gzip(body) : body;
    };
    const delivered = data.filter((d, i): d is Uint8Array => d !== undefined && !failed.has(i));
    if (delivered.length > 0) {
      const name = objectName(delivery.name, plan.at, extension, plan.id?.('delivered'));
      await writer.put(
        bucketName,
        `${expandPrefix(delivery.prefix, oldest)}${name}`,
        await encode(delivered),
      );
      this.counters.objects += 1;
    }
    if (failed.size > 0) {
      const prefix = expandPrefix(delivery.errorPrefix || 'processing-failed/', oldest, 'processing-failed');
      const name = objectName(delivery.name, plan.at, extension, plan.id?.('processing-failed'));
      await writer.put(bucketName, `${prefix}${name}`, await encode(this.errorLines(items, failed)));
      this.counters.failedRecords += failed.size;
    }
  }

  private async writeBuffer(): Promise<void> {
    const count = this.feed.take(this.buffer);
    if (count === 0) return;
    const items = this.buffer.splice(0, count);
    this.bufferBytes = this.buffer.reduce((n, i) => n + i.data.byteLength, 0);
    this.bufferedSince = this.buffer.length > 0 ? this.options.clock.now() : undefined;
    const attempt = (succeeded: boolean) =>
      this.options.onDelivery?.({
        records: items.length,
        succeeded,
        oldestArrival: Math.min(...items.map((i) => i.arrival)),
      });
    try {
      await this.writeObjects(items);
      await this.feed.delivered(items);
      this.counters.records += items.length;
      attempt(true);
    } catch (error) {
      attempt(false);
      // Keep the records for the next attempt rather than lose them.
      this.buffer = [...items, ...this.buffer];
      this.bufferBytes = this.buffer.reduce((n, i) => n + i.data.byteLength, 0);
      this.bufferedSince ??= this.options.clock.now();
      throw error;
    }
  }
}

/** The object being written from a Kinesis source: per shard, the first and last sequence numbers it holds. */
export interface KinesisIntent {
  readonly shards: Readonly<Record<string, { readonly first: string; readonly last: string }>>;
  readonly at: number;
}

/** Where a Kinesis-source delivery stream keeps the object it is writing, beside the shards' positions. */
export const INTENT_KEY = 'object';

const seqAfter = (a: string, b: string) => BigInt(a) > BigInt(b);

/** Whether the buffer holds every record of the recorded object (its last one from each shard). */
const holdsAll = (buffer: readonly Buffered[], pending: KinesisIntent) =>
  Object.entries(pending.shards).every(([shardId, { last }]) =>
    buffer.some((b) => b.shard?.shardId === shardId && b.shard.sequenceNumber === last),
  );

/** The object a run of records makes: per shard, its first and last sequence numbers, and its time. */
function intentOf(items: readonly Buffered[], now: number): KinesisIntent {
  const shards: Record<string, { first: string; last: string }> = {};
  for (const item of items) {
    const { shardId, sequenceNumber } = item.shard!;
    shards[shardId] = { first: shards[shardId]?.first ?? sequenceNumber, last: sequenceNumber };
  }
  return { shards, at: now };
}

/** The records a GetRecords call returned, as the buffer holds them. */
function bufferedFrom(records: readonly KinesisRecord[], shardId: string, now: () => number): Buffered[] {
  return records.map((record) => ({
    data: record.Data ?? new Uint8Array(),
    arrival: record.ApproximateArrivalTimestamp?.getTime() ?? now(),
    shard: { shardId, partitionKey: record.PartitionKey, sequenceNumber: record.SequenceNumber! },
  }));
}

type ShardPosition = { after?: string; done?: boolean } | undefined;

/**
 * Reads every shard of the source stream; positions per shard are saved after each object. The
 * object about to be written is recorded first (the source positions it covers and its time),
 * and its key is derived from them: after a crash between the write and the saved positions,
 * the same records are read again, held to exactly that object, and written under the same
 * key, replacing it instead of adding a copy.
 */
class KinesisFeed implements Feed {
  /** Records read past the recorded object, held until it is written. */
  private readonly held = new Map<string, Buffered[]>();
  /**
   * Per shard, the last record read in this run. What was read is buffered, held or written,
   * so a reader started again (after a failed write or read) resumes after it rather than at
   * the saved position, which would put the same records in the buffer twice.
   */
  private readonly lastRead = new Map<string, string>();

  constructor(
    private readonly source: KinesisSourceOptions,
    private readonly checkpoints: CheckpointStore,
    private readonly signal: AbortSignal,
    private readonly options: Pick<DeliveryOptions, 'clock' | 'log' | 'delivery'>,
  ) {}

  start(runner: DeliveryStreamRunner): Promise<void> {
    this.forgetWrittenObject();
    const { clock, log, delivery } = this.options;
    return forEachShard(
      this.source.kinesis,
      this.source.stream.name,
      (shard) => this.readShard(runner, shard),
      {
        signal: this.signal,
        clock,
        discoverMs: this.source.discoverMs ?? 10_000,
        isDone: (shard) => this.position(shard.ShardId!)?.done === true,
        onError: (error) => log(`${delivery.logicalId}: ${(error as Error).message}`),
      },
    );
  }

  take(buffer: readonly Buffered[]): number {
    const pending = this.intent();
    if (!pending) return buffer.length;
    // The recorded object again, once all of it has been read again.
    return holdsAll(buffer, pending) ? buffer.length : 0;
  }

  plan(items: readonly Buffered[], now: number): { at: number; id: (kind: string) => string } {
    let pending = this.intent();
    if (!pending) {
      pending = intentOf(items, now);
      this.checkpoints.set(INTENT_KEY, { state: pending });
    }
    const { shards } = pending;
    const covered = Object.keys(shards)
      .sort()
      .map((shardId) => `${shardId}:${shards[shardId].first}-${shards[shardId].last}`);
    return { at: pending.at, id: (kind) => derivedId(this.source.stream.arn, ...covered, kind) };
  }

  async delivered(items: readonly Buffered[]): Promise<void> {
    const positions: Record<string, { after?: string; done?: boolean }> = {};
    for (const item of items) {
      const { shardId, sequenceNumber } = item.shard!;
      positions[shardId] = { ...(this.checkpoints.get(shardId) as object), after: sequenceNumber };
    }
    // The positions and the end of the recorded object in one atomic write.
    this.checkpoints.setAll({ ...positions, [INTENT_KEY]: {} });
  }

  async close(): Promise<void> {}

  /** The object being written, as recorded before its write. */
  private intent(): KinesisIntent | undefined {
    return (this.checkpoints.get(INTENT_KEY)?.state as KinesisIntent | undefined) ?? undefined;
  }

  private position(shardId: string): ShardPosition {
    return this.checkpoints.get(shardId) as ShardPosition;
  }

  /** Positions saved past a recorded object mean it was written and its positions saved. */
  private forgetWrittenObject(): void {
    const pending = this.intent();
    const written =
      pending &&
      Object.entries(pending.shards).every(([shardId, { last }]) => {
        const after = this.position(shardId)?.after;
        return after !== undefined && !seqAfter(last, after);
      });
    if (written) this.checkpoints.set(INTENT_KEY, {});
  }

  /** One shard, read from its saved position until it is closed and delivered, or the feed stops. */
  private async readShard(runner: DeliveryStreamRunner, shard: Shard): Promise<void> {
    const { clock, log, delivery } = this.options;
    const shardId = shard.ShardId!;
    const reader = new ShardReader(this.source.kinesis, this.source.stream.name, shardId, {
      after: this.lastRead.get(shardId) ?? this.position(shardId)?.after,
      start: { type: 'TRIM_HORIZON' },
    });
    while (!this.signal.aborted) {
      // Nothing more is read while the positions cannot be saved.
      await waitForStorage(this.checkpoints, clock, this.signal, log, delivery.logicalId);
      if (this.signal.aborted) break;
      const { records } = await reader.read(10_000);
      if (records.length > 0) this.lastRead.set(shardId, records[records.length - 1].SequenceNumber!);
      await this.buffer(
        runner,
        shardId,
        bufferedFrom(records, shardId, () => clock.now()),
      );
      if (reader.closed) return this.finishShard(runner, shardId);
      if (records.length === 0) await clock.sleep(this.source.pollMs ?? 1000, this.signal);
    }
  }

  /**
   * Records just read: while an object is recorded, only its own records are buffered and the
   * rest held; otherwise the held records and these, flushed once the buffer is full.
   */
  private async buffer(runner: DeliveryStreamRunner, shardId: string, items: Buffered[]): Promise<void> {
    const pending = this.intent();
    if (pending) {
      const range = pending.shards[shardId];
      const mine = range ? items.filter((i) => !seqAfter(i.shard!.sequenceNumber, range.last)) : [];
      this.held.set(shardId, [...(this.held.get(shardId) ?? []), ...items.slice(mine.length)]);
      runner.add(mine);
      if (holdsAll(runner.bufferedRecords, pending)) await runner.flush();
    } else {
      const waiting = this.held.get(shardId) ?? [];
      this.held.delete(shardId);
      runner.add([...waiting, ...items]);
      if (runner.full) await runner.flush();
    }
  }

  /** A closed shard, read to its end: its last records are delivered and it is marked done. */
  private async finishShard(runner: DeliveryStreamRunner, shardId: string): Promise<void> {
    // Records held back behind an object being written go in before the shard is done.
    while (this.intent() && this.held.get(shardId)?.length && !this.signal.aborted) {
      await this.options.clock.sleep(this.source.pollMs ?? 1000, this.signal);
    }
    if (this.signal.aborted) return;
    runner.add(this.held.get(shardId) ?? []);
    this.held.delete(shardId);
    await runner.flush();
    this.checkpoints.set(shardId, { ...(this.checkpoints.get(shardId) as object), done: true });
  }
}

/**
 * Direct puts: what waited in the spool is buffered again at start; an object covers a run of
 * spool numbers recorded before it is written, so after a crash the same run is written under
 * the same key.
 */
function directPutFeed(spool: DirectPutSpool, arn: string): Feed {
  return {
    start: async (runner) => runner.add(spool.recovered),
    take: (buffer) => {
      const intent = spool.intent;
      if (!intent) return buffer.length;
      const end = buffer.findIndex((b) => b.seq! > intent.last);
      return end === -1 ? buffer.length : end;
    },
    plan: (items, now) => {
      let intent = spool.intent;
      if (!intent) {
        intent = { first: items[0].seq!, last: items[items.length - 1].seq!, at: now };
        spool.intend(intent);
      }
      const { first, last, at } = intent;
      return { at, id: (kind) => derivedId(arn, spool.epoch, first, last, kind) };
    },
    delivered: (items) => spool.delivered(items[items.length - 1].seq!),
    close: () => spool.close(),
  };
}
