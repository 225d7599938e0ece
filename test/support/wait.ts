/**
 * Resolves once `condition` holds, checking every few milliseconds; fails after `timeoutMs`
 * with `what` in the message. For tests that watch live emulators, where something must
 * actually happen (a shard polled, an object written) and a fake clock cannot make it so.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
