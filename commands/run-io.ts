import type { RetryPolicy } from '#core/retry';

/**
 * What a record-making command (producer, datagen) takes from the process that runs it: where
 * its lines go, its clock, and the two Ctrl-C signals.
 */
export interface RunIO {
  readonly out: (text: string) => void;
  readonly now: () => number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted on the first Ctrl-C: stop making records, send what is pending. */
  readonly stop: AbortSignal;
  /** Aborted on a second Ctrl-C: give up sending. */
  readonly abandon: AbortSignal;
  readonly retryPolicy?: RetryPolicy;
}
