import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
  type ShardIteratorType,
  type _Record,
} from '@aws-sdk/client-kinesis';
import { isThrottlingError } from '@smithy/core/retry';
import { decodeJson } from '#core/record-data';

export type StartPosition = 'latest' | 'trim-horizon' | Date;

export interface ConsumerOptions {
  readonly stream: string;
  readonly from: StartPosition;
  /** One JSON object per line instead of indented JSON. */
  readonly ndjson: boolean;
  /** Stop after printing this many records. */
  readonly maxRecords?: number;
}

export interface ConsumerIO {
  readonly kinesis: KinesisClient;
  readonly out: (text: string) => void;
  readonly warn: (text: string) => void;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly stop: AbortSignal;
  readonly pacing?: Partial<Pacing>;
}

/**
 * How often to call GetRecords. A shard serves 5 GetRecords calls per second to all of its
 * readers together, so a tail that keeps up polls once a second; one that is behind polls every
 * 250 ms (4 calls/s) to catch up; throttling backs off exponentially with jitter.
 */
export interface Pacing {
  readonly idleMs: number;
  readonly catchUpMs: number;
  readonly throttleBaseMs: number;
  readonly throttleMaxMs: number;
  /** How often to look for new shards (resharding) while reading. */
  readonly discoverMs: number;
}

export const DEFAULT_PACING: Pacing = {
  idleMs: 1_000,
  catchUpMs: 250,
  throttleBaseMs: 500,
  throttleMaxMs: 10_000,
  discoverMs: 10_000,
};

export interface ConsumerStats {
  records: number;
  notJson: number;
  throttled: number;
  renewedIterators: number;
  shardsRead: number;
}

type ShardStatus = 'waiting' | 'reading' | 'done';

interface TrackedShard {
  readonly shard: Shard;
  status: ShardStatus;
  /** Whether it existed when the consumer started (it starts at --from), or appeared later (its start). */
  readonly initial: boolean;
}

/** Prints one record: indented or single-line JSON, or the text with a warning if it is not JSON. */
export function formatRecord(
  record: _Record,
  shardId: string,
  ndjson: boolean,
): { text: string; warning?: string } {
  const data = record.Data ?? new Uint8Array();
  const json = decodeJson(data);
  if (json.ok) return { text: ndjson ? JSON.stringify(json.value) : JSON.stringify(json.value, null, 2) };
  const raw = Buffer.from(data).toString('utf8');
  return {
    text: ndjson ? JSON.stringify(raw) : raw,
    warning: `record ${record.SequenceNumber} on ${shardId} is not JSON (${json.reason}); printed as text`,
  };
}

/**
 * Tails every shard of a stream and prints each record. Follows resharding: a child shard is
 * read from its start once its parents are finished, so per-key order holds across the split
 * or merge. Stops on `stop` (Ctrl-C) or after `maxRecords`.
 */
export async function runConsumer(options: ConsumerOptions, io: ConsumerIO): Promise<ConsumerStats> {
  const pacing = { ...DEFAULT_PACING, ...io.pacing };
  const stats: ConsumerStats = { records: 0, notJson: 0, throttled: 0, renewedIterators: 0, shardsRead: 0 };
  const shards = new Map<string, TrackedShard>();
  const readers = new Map<string, Promise<void>>();
  const done = new AbortController();
  const finish = () => done.abort();
  io.stop.addEventListener('abort', finish, { once: true });
  let firstDiscovery = true;
  let fatal: unknown;

  const listShards = async (): Promise<Shard[]> => {
    const all: Shard[] = [];
    let token: string | undefined;
    do {
      const page = await io.kinesis.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: options.stream }),
      );
      all.push(...(page.Shards ?? []));
      token = page.NextToken;
    } while (token);
    return all;
  };

  const ready = (tracked: TrackedShard) => {
    const parents = [tracked.shard.ParentShardId, tracked.shard.AdjacentParentShardId].filter(
      Boolean,
    ) as string[];
    // A parent we never saw (older than the retention window, or closed before we started at
    // LATEST) does not hold its children back.
    return parents.every((id) => !shards.has(id) || shards.get(id)!.status === 'done');
  };

  const startReaders = () => {
    for (const tracked of shards.values()) {
      if (tracked.status !== 'waiting' || !ready(tracked)) continue;
      tracked.status = 'reading';
      stats.shardsRead += 1;
      const id = tracked.shard.ShardId!;
      readers.set(
        id,
        readShard(tracked)
          .catch((error: unknown) => {
            fatal ??= error;
            finish();
          })
          .finally(() => {
            tracked.status = 'done';
            readers.delete(id);
            startReaders();
          }),
      );
    }
  };

  const discover = async () => {
    for (const shard of await listShards()) {
      const id = shard.ShardId!;
      if (shards.has(id)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      // At LATEST, a shard that was already closed when we started has nothing new to offer.
      const skip = firstDiscovery && closed && options.from === 'latest';
      shards.set(id, { shard, initial: firstDiscovery, status: skip ? 'done' : 'waiting' });
    }
    firstDiscovery = false;
    startReaders();
  };

  const iteratorFor = async (tracked: TrackedShard, after?: string): Promise<string | undefined> => {
    let type: ShardIteratorType = 'TRIM_HORIZON';
    let timestamp: Date | undefined;
    if (after) type = 'AFTER_SEQUENCE_NUMBER';
    else if (tracked.initial && options.from === 'latest') type = 'LATEST';
    else if (tracked.initial && options.from instanceof Date) {
      type = 'AT_TIMESTAMP';
      timestamp = options.from;
    }
    const out = await io.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: options.stream,
        ShardId: tracked.shard.ShardId,
        ShardIteratorType: type,
        ...(after ? { StartingSequenceNumber: after } : {}),
        ...(timestamp ? { Timestamp: timestamp } : {}),
      }),
    );
    return out.ShardIterator;
  };

  async function readShard(tracked: TrackedShard): Promise<void> {
    const shardId = tracked.shard.ShardId!;
    let iterator = await iteratorFor(tracked);
    let lastSequence: string | undefined;
    let throttles = 0;
    while (iterator && !done.signal.aborted) {
      let response;
      try {
        response = await io.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
        throttles = 0;
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'ExpiredIteratorException') {
          stats.renewedIterators += 1;
          iterator = await iteratorFor(tracked, lastSequence);
          continue;
        }
        if (name === 'ProvisionedThroughputExceededException' || isThrottlingError(error as never)) {
          stats.throttled += 1;
          const cap = Math.min(pacing.throttleMaxMs, pacing.throttleBaseMs * 2 ** throttles++);
          await io.sleep(cap / 2 + (Math.random() * cap) / 2, done.signal);
          continue;
        }
        throw error;
      }
      for (const record of response.Records ?? []) {
        if (done.signal.aborted) break;
        const { text, warning } = formatRecord(record, shardId, options.ndjson);
        if (warning) {
          stats.notJson += 1;
          io.warn(warning);
        }
        io.out(`${text}\n`);
        lastSequence = record.SequenceNumber;
        stats.records += 1;
        if (options.maxRecords !== undefined && stats.records >= options.maxRecords) finish();
      }
      iterator = response.NextShardIterator;
      if (!iterator) {
        // The shard was closed by a split or merge: its children take over.
        await discover();
        return;
      }
      const behind = (response.MillisBehindLatest ?? 0) > 0 && (response.Records?.length ?? 0) > 0;
      await io.sleep(behind ? pacing.catchUpMs : pacing.idleMs, done.signal);
    }
  }

  try {
    await discover();
    while (!done.signal.aborted) {
      await io.sleep(pacing.discoverMs, done.signal);
      if (!done.signal.aborted) await discover();
    }
  } catch (error) {
    fatal ??= error;
  } finally {
    finish();
    await Promise.allSettled([...readers.values()]);
    io.stop.removeEventListener('abort', finish);
  }
  if (fatal !== undefined) throw fatal;
  return stats;
}
