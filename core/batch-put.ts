import { isRetryableError, retrying, type RetryPolicy, type Sleep } from './retry';

/**
 * Sending records in batches to an API that answers per entry (Kinesis PutRecords, Firehose
 * PutRecordBatch): split into requests within the API's limits, keeping the order; send again
 * only the entries the service rejected, with the retry policy's back-off; hand back what still
 * fails with its last error, never drop it. The producer, the data generator, the log agent and
 * the handlers all send through this one routine; `put-records.ts` and `put-record-batch.ts`
 * describe the two APIs.
 */

export interface BatchLimits {
  readonly maxRecords: number;
  readonly maxRequestBytes: number;
  /** The largest entry, as `size` counts it. */
  readonly maxRecordBytes: number;
}

export interface EntryError {
  readonly code: string;
  readonly message: string;
}

/** One API that takes batches. */
export interface BatchTarget<E> {
  /** What it is, for messages (`Kinesis`, `Firehose`). */
  readonly service: string;
  readonly limits: BatchLimits;
  /** Bytes an entry counts against the limits. */
  size(entry: E): number;
  /** Throws a one-line error for an entry the API can never take. */
  validate?(entry: E): void;
  /** One request: per entry, in order, undefined (accepted) or the service's error. */
  putOnce(entries: readonly E[]): Promise<(EntryError | undefined)[]>;
  /** Whether an entry's rejection is worth sending again. @default always */
  retryableEntry?(error: EntryError): boolean;
}

/** What a delivery did, for metrics. */
export interface BatchCounts {
  /** Entries in requests, retries included. */
  attempted: number;
  /** Entries the service answered with an error, retries included. */
  rejected: number;
  /** Requests that failed as a whole. */
  requestErrors: number;
  /** Bytes of the entries accepted. */
  bytesAccepted: number;
}

export interface BatchOutcome<E> {
  readonly sent: number;
  /** Entry re-sends (an entry retried twice counts twice). */
  readonly retried: number;
  /** Entries not accepted, with the last error for each. */
  readonly failed: { readonly entry: E; readonly error: string }[];
  readonly counts: BatchCounts;
}

export interface BatchOptions {
  readonly policy: RetryPolicy;
  readonly sleep?: Sleep;
  readonly signal?: AbortSignal;
  /** Before each re-send, with the number of entries sent again and why (a request error, or their rejection). */
  readonly onRetry?: (count: number, error: unknown) => void;
  /**
   * After a request error no retry can cure (a missing stream, denied access): `throw` it, or
   * `return` every remaining entry as failed with that error.
   * @default 'throw'
   */
  readonly onFatal?: 'throw' | 'return';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return String(error);
}

/** Splits entries into requests within the target's limits, keeping their order. */
export function chunkFor<E>(target: BatchTarget<E>, entries: readonly E[]): E[][] {
  const { limits } = target;
  const chunks: E[][] = [];
  let chunk: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    target.validate?.(entry);
    const size = target.size(entry);
    if (size > limits.maxRecordBytes) {
      throw new Error(
        `Record of ${size} bytes exceeds the ${limits.maxRecordBytes}-byte ${target.service} record limit`,
      );
    }
    if (chunk.length === limits.maxRecords || (chunk.length > 0 && bytes + size > limits.maxRequestBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Entries to send again; not an error anyone sees. */
class Rejected extends Error {}

const describe = (error: EntryError) => `${error.code}: ${error.message}`.trim();

/** One request's entries, re-sent until accepted, given up, or out of attempts. */
async function sendChunk<E>(
  target: BatchTarget<E>,
  entries: E[],
  options: BatchOptions,
  tally: { sent: number; retried: number; counts: BatchCounts; failed: { entry: E; error: string }[] },
): Promise<void> {
  let pending = entries;
  let errors: string[] = [];
  const attempt = async () => {
    tally.counts.attempted += pending.length;
    let results: (EntryError | undefined)[];
    try {
      results = await target.putOnce(pending);
    } catch (error) {
      tally.counts.requestErrors += 1;
      throw error;
    }
    const again: E[] = [];
    errors = [];
    pending.forEach((entry, i) => {
      const result = results[i];
      if (!result) {
        tally.sent += 1;
        tally.counts.bytesAccepted += target.size(entry);
        return;
      }
      tally.counts.rejected += 1;
      if (target.retryableEntry?.(result) === false) tally.failed.push({ entry, error: describe(result) });
      else {
        again.push(entry);
        errors.push(describe(result));
      }
    });
    pending = again;
    if (pending.length > 0) throw new Rejected(`${pending.length} records were not accepted`);
  };
  try {
    await retrying(attempt, {
      policy: options.policy,
      sleep: options.sleep,
      signal: options.signal,
      retryable: (error) => error instanceof Rejected || isRetryableError(error),
      onRetry: (error) => {
        tally.retried += pending.length;
        options.onRetry?.(pending.length, error);
      },
    });
  } catch (error) {
    if (!(error instanceof Rejected) && !isRetryableError(error)) throw error;
    const reason = error instanceof Rejected ? undefined : errorMessage(error);
    pending.forEach((entry, i) =>
      tally.failed.push({ entry, error: reason ?? errors[i] ?? 'unknown error' }),
    );
  }
}

/** Sends every entry, in order, within the target's limits; see the module comment. */
export async function putReliably<E>(
  target: BatchTarget<E>,
  entries: readonly E[],
  options: BatchOptions,
): Promise<BatchOutcome<E>> {
  const tally = {
    sent: 0,
    retried: 0,
    failed: [] as { entry: E; error: string }[],
    counts: { attempted: 0, rejected: 0, requestErrors: 0, bytesAccepted: 0 },
  };
  const chunks = chunkFor(target, entries);
  for (const [index, chunk] of chunks.entries()) {
    try {
      await sendChunk(target, chunk, options, tally);
    } catch (error) {
      if (options.onFatal !== 'return') throw error;
      const reason = errorMessage(error);
      for (const entry of chunks.slice(index).flat()) tally.failed.push({ entry, error: reason });
      break;
    }
  }
  return tally;
}
