/**
 * A clock that moves only when the test says so: a sleeper wakes when `advance` passes its
 * time or its signal aborts. For code that waits on something else to happen meanwhile (a
 * long poll that ends when a message arrives), which `fakeClock`'s instant sleeps cannot show.
 */
export function manualClock(start = Date.UTC(2017, 5, 5, 9, 17, 0)) {
  let now = start;
  const sleepers = new Set<{ until: number; wake: () => void }>();
  return {
    now: () => now,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const sleeper = {
          until: now + Math.max(0, ms),
          wake: () => {
            sleepers.delete(sleeper);
            signal?.removeEventListener('abort', sleeper.wake);
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', sleeper.wake, { once: true });
        if (sleeper.until <= now) sleeper.wake();
      }),
    /** Moves time on and wakes the sleepers whose time has come. */
    advance: (ms: number) => {
      now += ms;
      for (const sleeper of [...sleepers]) if (sleeper.until <= now) sleeper.wake();
    },
    /** How many are asleep. */
    sleeping: () => sleepers.size,
  };
}
