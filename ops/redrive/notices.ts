import { z } from 'zod';

/**
 * What a failure queue message says, whichever of the two kinds it is: Lambda's on-failure
 * record for a Kinesis batch it gave up on (only where the records are: shard and sequence
 * range), or a record the function set aside as malformed (`core/failure-record.ts`), which
 * carries the record itself when it fits. Pure; `redrive.ts` fetches and puts back.
 */

/** Lambda's on-failure record for a Kinesis event source (Lambda developer guide, "on-failure destinations"). */
const lambdaNoticeSchema = z.object({
  requestContext: z.object({
    functionArn: z.string(),
    condition: z.string(),
    approximateInvokeCount: z.number().optional(),
  }),
  responseContext: z.object({ functionError: z.string().optional() }).optional(),
  timestamp: z.string(),
  KinesisBatchInfo: z.object({
    shardId: z.string(),
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    approximateArrivalOfFirstRecord: z.string().optional(),
    batchSize: z.number(),
    streamArn: z.string(),
  }),
});

const malformedSchema = z.object({
  kind: z.literal('malformed-record'),
  reason: z.string(),
  eventSourceARN: z.string(),
  eventID: z.string(),
  partitionKey: z.string(),
  approximateArrivalTimestamp: z.number(),
  data: z.string().optional(),
  preview: z.string(),
});

/** One record to put back: its partition key and data. */
export interface RedriveRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
  /** Where it was on the stream, when fetched from there. */
  readonly sequenceNumber?: string;
}

export interface FailureNotice {
  readonly kind: 'lambda-batch' | 'malformed-record';
  /** The function that gave up, as far as the message says (Lambda's notices name it). */
  readonly functionName?: string;
  readonly streamArn: string;
  readonly streamName: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly count: number;
  readonly reason: string;
  /** When the first record arrived on the stream (ms), for its age and its retention. */
  readonly arrivedAt?: number;
  /** When the failure happened (ms). */
  readonly failedAt?: number;
  /** The records themselves, when the message carries them. */
  readonly records?: readonly RedriveRecord[];
}

export const streamNameOf = (arn: string) => arn.split(':stream/')[1]?.split('/')[0] ?? arn;
const functionNameOf = (arn: string) => arn.split(':function:')[1]?.split(':')[0] ?? arn;

/** The notice a message body carries, or why it is not one. */
export function parseNotice(body: string): FailureNotice | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { error: 'not JSON: not a failure notice' };
  }
  const lambda = lambdaNoticeSchema.safeParse(value);
  if (lambda.success) {
    const { requestContext, responseContext, KinesisBatchInfo: batch, timestamp } = lambda.data;
    const first = batch.approximateArrivalOfFirstRecord
      ? Date.parse(batch.approximateArrivalOfFirstRecord)
      : NaN;
    return {
      kind: 'lambda-batch',
      functionName: functionNameOf(requestContext.functionArn),
      streamArn: batch.streamArn,
      streamName: streamNameOf(batch.streamArn),
      shardId: batch.shardId,
      startSequenceNumber: batch.startSequenceNumber,
      endSequenceNumber: batch.endSequenceNumber,
      count: batch.batchSize,
      reason: `${requestContext.condition}${responseContext?.functionError ? ` (${responseContext.functionError})` : ''}${requestContext.approximateInvokeCount ? ` after ${requestContext.approximateInvokeCount} invocations` : ''}`,
      ...(Number.isFinite(first) ? { arrivedAt: first } : {}),
      ...(Number.isFinite(Date.parse(timestamp)) ? { failedAt: Date.parse(timestamp) } : {}),
    };
  }
  const malformed = malformedSchema.safeParse(value);
  if (malformed.success) {
    const m = malformed.data;
    const [shardId, sequenceNumber] = m.eventID.split(':');
    return {
      kind: 'malformed-record',
      streamArn: m.eventSourceARN,
      streamName: streamNameOf(m.eventSourceARN),
      shardId,
      startSequenceNumber: sequenceNumber,
      endSequenceNumber: sequenceNumber,
      count: 1,
      reason: m.reason,
      // Lambda gives the arrival time in seconds.
      arrivedAt: Math.round(
        m.approximateArrivalTimestamp * (m.approximateArrivalTimestamp < 1e11 ? 1000 : 1),
      ),
      ...(m.data !== undefined
        ? { records: [{ partitionKey: m.partitionKey, data: Buffer.from(m.data, 'base64'), sequenceNumber }] }
        : {}),
    };
  }
  return { error: 'neither a Lambda on-failure record nor a malformed-record notice' };
}

/** `3 min`, `2 h 5 min`, `1 d 4 h`: how long ago. */
export function ageText(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Whether the records may still be on the stream: arrived within its retention. */
export function maybeRetained(notice: FailureNotice, now: number, retentionHours: number): boolean {
  return notice.arrivedAt === undefined || now - notice.arrivedAt < retentionHours * 3_600_000;
}

/** Whether `sequence` lies in the notice's range (Kinesis sequence numbers are decimal, up to 128 bits). */
export function inRange(notice: FailureNotice, sequence: string): boolean {
  const n = BigInt(sequence);
  return n >= BigInt(notice.startSequenceNumber) && n <= BigInt(notice.endSequenceNumber);
}

/** The first line shown for a message. */
export function noticeLine(notice: FailureNotice, now: number): string {
  const range =
    notice.startSequenceNumber === notice.endSequenceNumber
      ? notice.startSequenceNumber
      : `${notice.startSequenceNumber}…${notice.endSequenceNumber}`;
  const who = notice.functionName ?? 'malformed record set aside by the function';
  const age = notice.arrivedAt === undefined ? '' : `, ${ageText(now - notice.arrivedAt)} old`;
  return `${who}: ${notice.count} record${notice.count === 1 ? '' : 's'} of ${notice.streamName} ${notice.shardId} ${range} — ${notice.reason}${age}`;
}

/** A record as text to show: its data as UTF-8 when it is text, else base64. */
export function recordText(data: Buffer): string {
  const text = data.toString('utf8');
  const control = [...text].some((c) => c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c));
  return Buffer.from(text, 'utf8').equals(data) && !control ? text : `base64:${data.toString('base64')}`;
}

/**
 * The file `--out` writes and `--from` reads: JSON Lines, one record each with the message it
 * came from, its partition key, and its data as text (or `dataBase64`), to be edited by hand.
 */
export interface RecordLine {
  readonly messageId: string;
  readonly stream: string;
  readonly partitionKey: string;
  readonly data?: string;
  readonly dataBase64?: string;
}

export function recordLine(messageId: string, stream: string, record: RedriveRecord): RecordLine {
  const text = recordText(record.data);
  return text.startsWith('base64:')
    ? { messageId, stream, partitionKey: record.partitionKey, dataBase64: record.data.toString('base64') }
    : { messageId, stream, partitionKey: record.partitionKey, data: text };
}

const lineSchema = z.object({
  messageId: z.string(),
  stream: z.string(),
  partitionKey: z.string().min(1),
  data: z.string().optional(),
  dataBase64: z.string().optional(),
});

export class RecordsFileError extends Error {}

/** Reads a records file, with the line of any problem. */
export function parseRecordsFile(text: string, source: string): RecordLine[] {
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line !== '')
    .map(({ line, index }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new RecordsFileError(`${source}:${index + 1}: not JSON (${(error as Error).message})`);
      }
      const parsed = lineSchema.safeParse(value);
      if (!parsed.success || (parsed.data.data === undefined) === (parsed.data.dataBase64 === undefined)) {
        throw new RecordsFileError(
          `${source}:${index + 1}: needs messageId, stream, partitionKey and one of data or dataBase64`,
        );
      }
      return parsed.data;
    });
}

export const lineData = (line: RecordLine): Buffer =>
  line.data !== undefined ? Buffer.from(line.data, 'utf8') : Buffer.from(line.dataBase64!, 'base64');
