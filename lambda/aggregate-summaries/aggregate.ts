import type { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { failedRecord } from '#core/failure-record';
import { DEFAULT_RETRY_POLICY, putRecordsReliably, type PutEntry, type RetryPolicy } from '#core/put-records';
import type { UnicornSummary } from '#core/summary';
import { restoreWindowState, tallyRecords, windowSummaries } from '#core/window';
import type { FailureQueue } from '../shared/failure-queue';

export interface AggregationDeps {
  readonly kinesis: KinesisClient;
  readonly summaryStreamName: string;
  readonly failures: Pick<FailureQueue, 'send'>;
  readonly log: Pick<Logger, 'info' | 'warn'>;
  readonly count: (metric: 'MalformedRecords' | 'SummariesPut', value: number) => void;
  readonly retryPolicy?: RetryPolicy;
}

const encoder = new TextEncoder();

export function summaryEntry(summary: UnicornSummary): PutEntry {
  return { data: encoder.encode(JSON.stringify(summary)), partitionKey: summary.Name };
}

/**
 * One invocation of the tumbling-window aggregation: folds the batch into the per-unicorn
 * state Lambda carries between invocations and, when the window closes (or Lambda ends it
 * early), puts one summary per unicorn on the summary stream.
 *
 * If a summary cannot be put after retries the invocation fails; Lambda then repeats it with
 * the same state, which yields the same summaries with the same SummaryId, and the persistence
 * step stores each part once.
 */
export function createAggregationHandler(deps: AggregationDeps) {
  return async (event: KinesisStreamTumblingWindowEvent): Promise<KinesisStreamStateResponse> => {
    const state = restoreWindowState(event.state);
    const malformed = tallyRecords(
      state,
      event.Records.map((record) => ({ eventID: record.eventID, data: record.kinesis.data, source: record })),
    );
    if (malformed.length > 0) {
      deps.log.warn('Set aside malformed records', {
        count: malformed.length,
        records: malformed.slice(0, 10).map((m) => ({ eventID: m.record.eventID, reason: m.reason })),
      });
      await deps.failures.send(malformed.map((m) => failedRecord(m.record.source, m.reason)));
      deps.count('MalformedRecords', malformed.length);
    }

    if (!event.isFinalInvokeForWindow && !event.isWindowTerminatedEarly) {
      return { state, batchItemFailures: [] };
    }

    const summaries = windowSummaries(state, event.window.start);
    if (summaries.length > 0) {
      const outcome = await putRecordsReliably(
        deps.kinesis,
        deps.summaryStreamName,
        summaries.map(summaryEntry),
        deps.retryPolicy ?? DEFAULT_RETRY_POLICY,
      );
      if (outcome.failed.length > 0) {
        throw new Error(
          `${outcome.failed.length} of ${summaries.length} summaries were not accepted by ${deps.summaryStreamName}: ${outcome.failed[0].error}`,
        );
      }
      deps.count('SummariesPut', outcome.sent);
    }
    deps.log.info('Window closed', {
      window: event.window,
      terminatedEarly: event.isWindowTerminatedEarly,
      unicorns: summaries.length,
      segment: state.seg,
    });
    return { state: {}, batchItemFailures: [] };
  };
}
