import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { putRecordsReliably } from '#core/put-records';
import { STREAM_RETENTION_HOURS } from '#core/settings';
import {
  inRange,
  lineData,
  maybeRetained,
  noticeLine,
  parseNotice,
  recordLine,
  recordText,
  type FailureNotice,
  type RecordLine,
  type RedriveRecord,
} from './notices';

/**
 * `npx redrive`: what a failure queue holds, the records behind each message fetched from the
 * stream while it still keeps them, written to a file to fix, and put back on the stream. A
 * message is deleted only once all its records are back; messages whose records cannot be
 * fetched stay on the queue.
 */

export interface QueuedFailure {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly notice?: FailureNotice;
  /** Why the message is not understood, or why its records cannot be had. */
  readonly problem?: string;
  readonly records?: readonly RedriveRecord[];
}

export interface RedriveClients {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly kinesis: Pick<KinesisClient, 'send'>;
}

/** Long enough to look, fix and put back; the messages reappear on the queue afterwards. */
export const VISIBILITY_SECONDS = 15 * 60;

/** Every message on the queue (up to `max`), hidden from other readers while this run looks at them. */
export async function receiveAll(sqs: RedriveClients['sqs'], queueUrl: string, max = 1000) {
  const messages: { messageId: string; receiptHandle: string; body: string }[] = [];
  const seen = new Set<string>();
  while (messages.length < max) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: VISIBILITY_SECONDS,
        WaitTimeSeconds: messages.length === 0 ? 1 : 0,
      }),
    );
    const batch = (out.Messages ?? []).filter((m) => !seen.has(m.MessageId!));
    if (batch.length === 0) break;
    for (const m of batch) {
      seen.add(m.MessageId!);
      messages.push({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body ?? '' });
    }
  }
  return messages;
}

/** Makes the messages visible again at once (a run that put nothing back). */
export async function release(
  sqs: RedriveClients['sqs'],
  queueUrl: string,
  failures: readonly QueuedFailure[],
) {
  for (const f of failures) {
    await sqs
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: f.receiptHandle,
          VisibilityTimeout: 0,
        }),
      )
      .catch(() => undefined);
  }
}

/**
 * The records of a notice's sequence range, read from its shard. Undefined with the reason
 * when the stream no longer has them (past its retention, or the stream is gone).
 */
export async function fetchRecords(
  kinesis: RedriveClients['kinesis'],
  notice: FailureNotice,
  now: number,
): Promise<{ records: RedriveRecord[] } | { problem: string }> {
  if (!maybeRetained(notice, now, STREAM_RETENTION_HOURS)) {
    return {
      problem: `not retained: the records arrived more than ${STREAM_RETENTION_HOURS} h ago, the stream no longer has them`,
    };
  }
  let iterator: string | undefined;
  try {
    iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: notice.streamName,
          ShardId: notice.shardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: notice.startSequenceNumber,
        }),
      )
    ).ShardIterator;
  } catch (error) {
    const e = error as Error;
    return {
      problem: `not retained or not found on ${notice.streamName} ${notice.shardId}: ${e.name}: ${e.message}`,
    };
  }
  const records: RedriveRecord[] = [];
  const end = BigInt(notice.endSequenceNumber);
  for (let reads = 0; iterator && reads < 100; reads++) {
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const batch = out.Records ?? [];
    for (const r of batch) {
      if (records.length === 0 && BigInt(r.SequenceNumber!) > BigInt(notice.startSequenceNumber)) {
        return {
          problem: `not retained: the stream's oldest record of ${notice.shardId} is after ${notice.startSequenceNumber}`,
        };
      }
      if (inRange(notice, r.SequenceNumber!)) {
        records.push({
          partitionKey: r.PartitionKey!,
          data: Buffer.from(r.Data!),
          sequenceNumber: r.SequenceNumber,
        });
      }
    }
    if (batch.length > 0 && BigInt(batch[batch.length - 1].SequenceNumber!) >= end) break;
    if (batch.length === 0 && (out.MillisBehindLatest ?? 0) === 0) break;
    iterator = out.NextShardIterator;
  }
  if (records.length === 0)
    return { problem: `not retained: no record of the range is left on ${notice.streamName}` };
  return { records };
}

/** The queue's messages, each with its notice and its records (carried in it, or fetched). */
export async function inspectQueue(
  clients: RedriveClients,
  queueUrl: string,
  now: number,
): Promise<QueuedFailure[]> {
  const messages = await receiveAll(clients.sqs, queueUrl);
  const failures: QueuedFailure[] = [];
  for (const m of messages) {
    const notice = parseNotice(m.body);
    if ('error' in notice) {
      failures.push({ messageId: m.messageId, receiptHandle: m.receiptHandle, problem: notice.error });
      continue;
    }
    if (notice.records) {
      failures.push({
        messageId: m.messageId,
        receiptHandle: m.receiptHandle,
        notice,
        records: notice.records,
      });
      continue;
    }
    const fetched = await fetchRecords(clients.kinesis, notice, now);
    failures.push({ messageId: m.messageId, receiptHandle: m.receiptHandle, notice, ...fetched });
  }
  return failures;
}

/** What is shown for the queue: a block per message, its records' data indented below it. */
export function describeFailures(failures: readonly QueuedFailure[], now: number, maxRecords = 5): string {
  if (failures.length === 0) return 'The queue is empty.\n';
  const lines: string[] = [];
  failures.forEach((f, i) => {
    lines.push(`${i + 1}. ${f.notice ? noticeLine(f.notice, now) : `message ${f.messageId}`}`);
    if (f.problem) lines.push(`   ✗ ${f.problem}`);
    for (const r of (f.records ?? []).slice(0, maxRecords)) {
      const text = recordText(r.data);
      lines.push(`   ${r.partitionKey}: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`);
    }
    if ((f.records?.length ?? 0) > maxRecords) lines.push(`   … ${f.records!.length - maxRecords} more`);
  });
  return `${lines.join('\n')}\n`;
}

/** The records file's lines for the failures whose records are at hand. */
export function recordLines(failures: readonly QueuedFailure[], stream?: string): RecordLine[] {
  return failures.flatMap((f) =>
    (f.records ?? []).map((r) => recordLine(f.messageId, stream ?? f.notice!.streamName, r)),
  );
}

export interface PutBackResult {
  readonly put: number;
  readonly deleted: number;
  /** Messages left on the queue, with why. */
  readonly kept: readonly { messageId: string; reason: string }[];
}

/**
 * Puts each message's records on their stream (each line's own, `--stream` having set it), and
 * deletes the message once every one of its records is accepted. Messages with nothing to put
 * back (records not retained, not in the file) stay.
 */
export async function putBack(
  clients: RedriveClients,
  queueUrl: string,
  failures: readonly QueuedFailure[],
  lines: readonly RecordLine[],
): Promise<PutBackResult> {
  let put = 0;
  let deleted = 0;
  const kept: { messageId: string; reason: string }[] = [];
  for (const f of failures) {
    const own = lines.filter((l) => l.messageId === f.messageId);
    if (own.length === 0) {
      kept.push({ messageId: f.messageId, reason: f.problem ?? 'no records to put back' });
      continue;
    }
    let failed = 0;
    for (const stream of new Set(own.map((l) => l.stream))) {
      const entries = own
        .filter((l) => l.stream === stream)
        .map((l) => ({ partitionKey: l.partitionKey, data: lineData(l) }));
      const outcome = await putRecordsReliably(clients.kinesis, stream, entries);
      put += outcome.sent;
      failed += outcome.failed.length;
    }
    if (failed > 0) {
      kept.push({ messageId: f.messageId, reason: `${failed} records were not accepted` });
      continue;
    }
    await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: f.receiptHandle }));
    deleted += 1;
  }
  return { put, deleted, kept };
}
