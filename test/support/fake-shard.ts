import type { KinesisClient, _Record } from '@aws-sdk/client-kinesis';

/**
 * A one-shard Kinesis stream for readers (ListShards, GetShardIterator, GetRecords) whose
 * records carry the arrival times the test chooses, so a reader can be put any distance behind
 * the tip without waiting. GetRecords honours Limit and reports MillisBehindLatest as Kinesis
 * does: how far the last record returned is from the newest one in the shard.
 */
export function fakeShard(entries: readonly { data: Uint8Array; arrival: number; partitionKey?: string }[]) {
  const shardId = 'shardId-000000000000';
  const records: _Record[] = entries.map((e, i) => ({
    SequenceNumber: String(1_000_000 + i),
    ApproximateArrivalTimestamp: new Date(e.arrival),
    Data: e.data,
    PartitionKey: e.partitionKey ?? 'k',
  }));
  const reads: number[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const input = command.input;
      switch (command.constructor.name) {
        case 'ListShardsCommand':
          return { Shards: [{ ShardId: shardId }] };
        case 'GetShardIteratorCommand': {
          const after = input.StartingSequenceNumber as string | undefined;
          const from =
            input.ShardIteratorType === 'AFTER_SEQUENCE_NUMBER'
              ? records.findIndex((r) => r.SequenceNumber === after) + 1
              : 0;
          return { ShardIterator: String(from) };
        }
        case 'GetRecordsCommand': {
          const from = Number(input.ShardIterator);
          const batch = records.slice(from, from + ((input.Limit as number) ?? 10_000));
          reads.push(batch.length);
          const last = batch[batch.length - 1] ?? records[from - 1];
          const newest = records[records.length - 1];
          const behind =
            last && newest
              ? newest.ApproximateArrivalTimestamp!.getTime() - last.ApproximateArrivalTimestamp!.getTime()
              : 0;
          return {
            Records: batch,
            NextShardIterator: String(from + batch.length),
            MillisBehindLatest: behind,
          };
        }
        default:
          throw new Error(`fakeShard does not serve ${command.constructor.name}`);
      }
    },
  } as unknown as KinesisClient;
  return { client, shardId, records, reads };
}
