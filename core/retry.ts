import { defaultDelayDecider, isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * The one retry policy of every loop that talks to AWS (producers, readers, the local event
 * sources, the log agent): which errors are worth repeating, and how long to wait before the
 * next attempt — the AWS SDK's own full-jitter exponential back-off (`defaultDelayDecider` of
 * `@smithy/core/retry`), capped per use. Waiting is the caller's (an injected clock), so loops
 * stop at once when asked and tests need no real time.
 */

export interface RetryPolicy {
  /** Attempts per request, the first included (Infinity: until stopped). */
  readonly maxAttempts: number;
  /** The back-off's base: retry n waits a random time up to baseDelayMs × 2ⁿ … */
  readonly baseDelayMs: number;
  /** … and never more than this. */
  readonly maxDelayMs: number;
}

/**
 * A connection refused, reset or cut: also when only the message says so (the SDK wraps an
 * error from another realm, such as a test sandbox's, into a plain one that keeps the text).
 */
const NETWORK_FAILURE =
  /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)\b|socket hang up/;

/** Throttling, a 5xx, a dropped connection, or an exceeded shard limit. */
export function isRetryableError(error: unknown): boolean {
  const e = error as Parameters<typeof isTransientError>[0];
  if (!e || typeof e !== 'object') return false;
  const name = (e as { name?: string }).name;
  return (
    isThrottlingError(e) ||
    isTransientError(e) ||
    NETWORK_FAILURE.test(String((e as { message?: unknown }).message ?? '')) ||
    isServerError(e) ||
    name === 'ProvisionedThroughputExceededException' ||
    name === 'KMSThrottlingException' ||
    name === 'LimitExceededException'
  );
}

/** Throttling only: the caller went too fast, nothing is broken. */
export function isThrottling(error: unknown): boolean {
  const e = error as Parameters<typeof isThrottlingError>[0];
  if (!e || typeof e !== 'object') return false;
  const name = (e as { name?: string }).name;
  return (
    isThrottlingError(e) ||
    name === 'ProvisionedThroughputExceededException' ||
    name === 'LimitExceededException' ||
    name === 'KMSThrottlingException'
  );
}

/** How long to wait before retry number `retry` (1 for the first retry). */
export function retryDelay(policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, retry: number): number {
  return Math.min(policy.maxDelayMs, defaultDelayDecider(policy.baseDelayMs, Math.max(1, retry)));
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** setTimeout as a promise that resolves early when `signal` aborts. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly sleep?: Sleep;
  readonly signal?: AbortSignal;
  /** Which errors to retry. @default isRetryableError */
  readonly retryable?: (error: unknown) => boolean;
  /** Called before each wait, with the error, the retry number and the wait. */
  readonly onRetry?: (error: unknown, retry: number, delayMs: number) => void;
}

/**
 * Calls `attempt` until it resolves, a non-retryable error is thrown, the attempts run out or
 * `signal` aborts (then the last error is thrown).
 */
export async function retrying<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, signal } = options;
  const sleep = options.sleep ?? realSleep;
  const retryable = options.retryable ?? isRetryableError;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= policy.maxAttempts || !retryable(error) || signal?.aborted) throw error;
      const delay = retryDelay(policy, tries);
      options.onRetry?.(error, tries, delay);
      await sleep(delay, signal);
      if (signal?.aborted) throw error;
    }
  }
}
