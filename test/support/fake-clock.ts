import type { RetryPolicy } from '#core/retry';
import type { RunIO } from '../../commands/run-io';

/** A clock that only moves when something sleeps on it: loops with pacing run instantly. */
export function fakeClock(start = Date.UTC(2017, 5, 5, 9, 17, 0)) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (!signal?.aborted) now += Math.max(0, ms);
      await Promise.resolve();
    },
    advance: (ms: number) => (now += ms),
  };
}

/**
 * What a command's run (producer, datagen) takes besides its clients: the fake clock, no
 * output, Ctrl-C never pressed, and `retryPolicy`.
 */
export function fakeRunIO(clock: ReturnType<typeof fakeClock>, retryPolicy: RetryPolicy): RunIO {
  return {
    out: () => undefined,
    now: clock.now,
    sleep: clock.sleep,
    stop: new AbortController().signal,
    abandon: new AbortController().signal,
    retryPolicy,
  };
}
