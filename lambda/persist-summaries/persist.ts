import type { Logger } from '@aws-lambda-powertools/logger';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from 'aws-lambda';
import { failedRecord } from '#core/failure-record';
import { decodeUnicornSummary } from '#core/summary';
import type { FailureQueue } from '../shared/failure-queue';
import type { SummaryStore } from './summary-store';

export interface PersistenceDeps {
  readonly store: Pick<SummaryStore, 'save'>;
  readonly failures: Pick<FailureQueue, 'send'>;
  readonly log: Pick<Logger, 'warn'>;
  readonly count: (
    metric: 'MalformedRecords' | 'SummariesWritten' | 'SummariesUnchanged',
    value: number,
  ) => void;
}

/**
 * Writes each summary on the summary stream to the table. Records are handled in order, one at
 * a time; a record that fails (say, the table throttles) is reported as a batch item failure so
 * that Lambda retries from there, and writes are idempotent so the retried records that had
 * already succeeded change nothing. A record that is not a summary is set aside on the failure
 * queue, counted, and does not hold up the shard.
 */
export function createPersistenceHandler(deps: PersistenceDeps) {
  const processor = new BatchProcessor(EventType.KinesisDataStreams);

  const persistRecord = async (record: KinesisStreamRecord) => {
    const summary = decodeUnicornSummary(record.kinesis.data);
    if (!summary.ok) {
      deps.log.warn('Set aside malformed summary', { eventID: record.eventID, reason: summary.reason });
      await deps.failures.send([failedRecord(record, summary.reason)]);
      deps.count('MalformedRecords', 1);
      return;
    }
    const result = await deps.store.save(summary.value);
    deps.count(result === 'written' ? 'SummariesWritten' : 'SummariesUnchanged', 1);
  };

  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> =>
    processPartialResponse(event, persistRecord, processor, { context, processInParallel: false });
}
