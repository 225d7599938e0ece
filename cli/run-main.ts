import { realSleep } from '#core/retry';
import { UsageError } from './args';

/**
 * Runs a CLI's main function: usage errors and runtime errors become one line on stderr and a
 * non-zero exit (2 for usage, 1 otherwise), never a stack trace.
 */
export function runMain(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const usage = error instanceof UsageError;
      process.stderr.write(
        `${name}: ${error instanceof Error ? error.message : String(error)}${usage ? ` (see ${name} --help)` : ''}\n`,
      );
      process.exitCode = usage ? 2 : 1;
    },
  );
}

/** First Ctrl-C (or SIGTERM) aborts `stop`; a second aborts `abandon`. */
export function interruptSignals(onFirst?: () => void): { stop: AbortSignal; abandon: AbortSignal } {
  const stop = new AbortController();
  const abandon = new AbortController();
  const handler = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      onFirst?.();
    } else abandon.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return { stop: stop.signal, abandon: abandon.signal };
}

/** setTimeout as a promise that resolves early when `signal` aborts. */
export const sleep = realSleep;
