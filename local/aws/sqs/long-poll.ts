import type { Context } from './input';
import type { Queue } from './queue';

/**
 * ReceiveMessage's waiting: with WaitTimeSeconds above 0 (long polling) it answers as soon as
 * a message can be received — one sent, or one whose delay or visibility timeout ends — or
 * empty when the wait is over. A client that goes away ends its wait without taking anything.
 * Before each look, messages received too often move to the dead-letter queue the queue's
 * redrive policy names, as SQS does.
 */
export async function receiveWaiting(
  ctx: Context,
  queue: Queue,
  max: number,
  visibilitySeconds: number,
  waitSeconds: number,
): Promise<ReturnType<Queue['receive']>> {
  const { clock } = ctx.queues;
  const { signal } = ctx.request;
  const deadline = clock.now() + waitSeconds * 1000;
  for (;;) {
    if (signal.aborted || ctx.queues.closed || ctx.queues.find(queue.name) !== queue) return [];
    redrive(ctx, queue);
    const received = queue.receive(max, visibilitySeconds);
    if (received.length > 0 || clock.now() >= deadline) return received;
    const wake = new AbortController();
    const stopWaiting = () => wake.abort();
    const unsubscribe = queue.onArrival(stopWaiting);
    signal.addEventListener('abort', stopWaiting, { once: true });
    try {
      const until = Math.min(deadline, queue.nextVisible() ?? Infinity);
      await clock.sleep(Math.max(0, until - clock.now()), wake.signal);
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', stopWaiting);
    }
  }
}

interface RedrivePolicy {
  readonly deadLetterTargetArn?: string;
  readonly maxReceiveCount?: number | string;
}

/** Moves messages received `maxReceiveCount` times or more to the dead-letter queue. */
function redrive(ctx: Context, queue: Queue) {
  const text = queue.record.attributes.RedrivePolicy;
  if (!text) return;
  const policy = JSON.parse(text) as RedrivePolicy;
  const target = ctx.queues.find(policy.deadLetterTargetArn?.split(':').pop() ?? '');
  const maxReceives = Number(policy.maxReceiveCount);
  if (!target || target === queue || !(maxReceives >= 1)) return;
  const now = ctx.queues.clock.now();
  const tired = [...queue.messages.values()].filter(
    (m) => m.visibleAt <= now && m.receiveCount >= maxReceives,
  );
  if (tired.length === 0) return;
  target.adopt(tired);
  queue.take(tired.map((m) => m.id));
}
