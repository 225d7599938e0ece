/**
 * The local run's status figure "records in": every record the telemetry stream received, read
 * from the metrics Kinesis publishes for the calls the endpoint saw (AWS/Kinesis IncomingRecords,
 * successful records only), not only what the built-in fleet sent.
 */
import { FLEET_RECORDS, streamRecordsIn, unicornFleet } from '../../bin/local-workloads';
import type { LocalStack } from '../../local/assembly';
import { kinesisCallMetrics, type KinesisCall } from '../../local/metrics/aws-metrics';
import { MetricStore } from '../../local/metrics/store';
import type { WorkloadContext } from '../../local/workload';

const data = (text: string) => Buffer.from(text).toString('base64');

/** A PutRecords call as the endpoint observes it: `failed` of the records refused. */
function putRecords(
  streamName: string,
  records: number,
  failed = 0,
  now = Date.UTC(2026, 10, 30, 9),
): KinesisCall {
  return {
    operation: 'PutRecords',
    streamName,
    input: {
      StreamName: streamName,
      Records: Array.from({ length: records }, (_, i) => ({
        Data: data(`{"n":${i}}`),
        PartitionKey: `k${i}`,
      })),
    },
    output: {
      FailedRecordCount: failed,
      Records: Array.from({ length: records }, (_, i) =>
        i < failed
          ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
          : { SequenceNumber: String(i), ShardId: 'shardId-000000000000' },
      ),
    },
    status: 200,
    latencyMs: 5,
    now,
  };
}

function observe(store: MetricStore, call: KinesisCall) {
  for (const { id, point } of kinesisCallMetrics(call)) store.put(id, point);
}

function context(store: MetricStore): WorkloadContext {
  return {
    stacks: [{ outputs: { StreamName: 'wildrydes' } } as unknown as LocalStack],
    metrics: store,
  } as unknown as WorkloadContext;
}

describe('records in', () => {
  it("counts every record the stream accepted, whoever sent it, over the whole run, and no other stream's", () => {
    const store = new MetricStore();
    observe(store, putRecords('wildrydes', 8)); // the fleet
    observe(store, putRecords('wildrydes', 5, 2, Date.UTC(2026, 10, 30, 11, 30))); // npx producer, 2 throttled
    observe(store, {
      operation: 'PutRecord',
      streamName: 'wildrydes',
      input: { StreamName: 'wildrydes', Data: data('{}'), PartitionKey: 'Starlight' },
      output: { SequenceNumber: '9', ShardId: 'shardId-000000000000' },
      status: 200,
      latencyMs: 3,
      now: Date.UTC(2026, 11, 2),
    });
    observe(store, putRecords('wildrydes-summary', 4));
    expect(streamRecordsIn(store, 'wildrydes')).toBe(8 + 3 + 1);
    expect(streamRecordsIn(store, 'wildrydes-summary')).toBe(4);
    expect(streamRecordsIn(store, 'sensor-data')).toBe(0);
  });

  it('is the figure the fleet workload reports, even with no unicorns of its own', async () => {
    const store = new MetricStore();
    const running = await unicornFleet(0).start(context(store));
    expect(running?.status?.()).toEqual({ [FLEET_RECORDS]: 0 });
    observe(store, putRecords('wildrydes', 6));
    expect(running?.status?.()).toEqual({ [FLEET_RECORDS]: 6 });
    await running?.stop();
  });
});
