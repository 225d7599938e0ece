import type { KinesisClient, PutRecordsCommand, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';

export interface PutCall {
  readonly streamName: string | undefined;
  readonly records: { readonly data: string; readonly partitionKey: string }[];
}

/**
 * A KinesisClient stand-in for PutRecords. `decide` says, per entry of each call, whether it
 * is accepted, rejected with an error code, or (returning an Error) fails the whole call.
 */
export function fakeKinesis(
  decide: (call: number, entry: number, data: string) => 'ok' | string | Error = () => 'ok',
): { client: KinesisClient; calls: PutCall[]; accepted: string[] } {
  const calls: PutCall[] = [];
  const accepted: string[] = [];
  const client = {
    send: async (command: PutRecordsCommand) => {
      const input = command.input;
      const records = (input.Records ?? []).map((r) => ({
        data: Buffer.from(r.Data as Uint8Array).toString('utf8'),
        partitionKey: r.PartitionKey as string,
      }));
      const callIndex = calls.length;
      calls.push({ streamName: input.StreamName, records });
      const decisions = records.map((r, i) => decide(callIndex, i, r.data));
      const error = decisions.find((d): d is Error => d instanceof Error);
      if (error) throw error;
      const results: PutRecordsResultEntry[] = decisions.map((d, i) => {
        if (d === 'ok') {
          accepted.push(records[i].data);
          return { ShardId: 'shardId-000000000000', SequenceNumber: String(accepted.length) };
        }
        return { ErrorCode: d as string, ErrorMessage: `${d} for test` };
      });
      return { FailedRecordCount: results.filter((r) => r.ErrorCode).length, Records: results };
    },
  } as unknown as KinesisClient;
  return { client, calls, accepted };
}

/** An SDK-style service error. */
export function serviceError(name: string, status = 400, extra: object = {}): Error {
  return Object.assign(new Error(`${name} (test)`), {
    name,
    $metadata: { httpStatusCode: status },
    ...extra,
  });
}
