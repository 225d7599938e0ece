import type { KinesisClient, Shard, _Record } from '@aws-sdk/client-kinesis';
import { decodeJson } from '#core/record-data';
import { isThrottling, type Sleep } from '#core/retry';
import { forEachShard, pollShard, ShardReader, type Pacing, type ShardStart } from '#core/shard-follower';

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
  readonly sleep: Sleep;
  readonly stop: AbortSignal;
  readonly pacing?: Partial<ConsumerPacing>;
}

/**
 * How often to call GetRecords. A shard serves 5 GetRecords calls per second to all of its
 * readers together, so a tail that keeps up polls once a second; one that is behind polls every
 * 250 ms (4 calls/s) to catch up; throttling backs off exponentially with jitter.
 */
export interface ConsumerPacing extends Pacing {
  /** How often to look for new shards (resharding) while reading. */
  readonly discoverMs: number;
}

export const DEFAULT_PACING: ConsumerPacing = {
  idleMs: 1_000,
  catchUpMs: 250,
  retry: { baseDelayMs: 500, maxDelayMs: 10_000 },
  discoverMs: 10_000,
};

export interface ConsumerStats {
  records: number;
  notJson: number;
  throttled: number;
  renewedIterators: number;
  shardsRead: number;
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

/** Where a shard starts: those there at the start at `--from`, those born later at their beginning. */
function shardStart(from: StartPosition, initial: boolean): ShardStart {
  if (!initial || from === 'trim-horizon') return { type: 'TRIM_HORIZON' };
  return from === 'latest' ? { type: 'LATEST' } : { type: 'AT_TIMESTAMP', timestamp: from };
}

/**
 * Tails every shard of a stream and prints each record. Follows resharding: a child shard is
 * read from its start once its parents are finished, so per-key order holds across the split
 * or merge. Stops on `stop` (Ctrl-C) or after `maxRecords`.
 */
export async function runConsumer(options: ConsumerOptions, io: ConsumerIO): Promise<ConsumerStats> {
  const pacing = { ...DEFAULT_PACING, ...io.pacing };
  const stats: ConsumerStats = { records: 0, notJson: 0, throttled: 0, renewedIterators: 0, shardsRead: 0 };
  const done = new AbortController();
  const finish = () => done.abort();
  io.stop.addEventListener('abort', finish, { once: true });
  const clock = { now: Date.now, sleep: io.sleep };
  let fatal: unknown;

  const print = (record: _Record, shardId: string) => {
    const { text, warning } = formatRecord(record, shardId, options.ndjson);
    if (warning) {
      stats.notJson += 1;
      io.warn(warning);
    }
    io.out(`${text}\n`);
    stats.records += 1;
    if (options.maxRecords !== undefined && stats.records >= options.maxRecords) finish();
  };

  const readShard = async (shard: Shard, initial: boolean) => {
    stats.shardsRead += 1;
    const shardId = shard.ShardId!;
    const reader = new ShardReader(io.kinesis, options.stream, shardId, {
      start: shardStart(options.from, initial),
    });
    await pollShard(reader, {
      pacing,
      clock,
      signal: done.signal,
      retryable: isThrottling,
      onRetry: () => (stats.throttled += 1),
      onBatch: ({ records }) => {
        for (const record of records) if (!done.signal.aborted) print(record, shardId);
      },
    }).finally(() => (stats.renewedIterators += reader.renewed));
  };

  await forEachShard(io.kinesis, options.stream, readShard, {
    signal: done.signal,
    clock,
    discoverMs: pacing.discoverMs,
    // At LATEST, a shard that was already closed when we started has nothing new to offer.
    isDone: (shard, initial) =>
      initial && options.from === 'latest' && shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
    onError: (error) => {
      fatal ??= error;
      finish();
    },
  });
  io.stop.removeEventListener('abort', finish);
  if (fatal !== undefined) throw fatal;
  return stats;
}
