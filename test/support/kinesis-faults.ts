import type { KinesisClient, PutRecordsCommandOutput, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';

/** An SDK-shaped service error, as a real client would throw it. */
export function kinesisError(name: string): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

/**
 * Injects PutRecords faults in front of a real endpoint: `decide(call, index)` returns 'throttle'
 * to reject that entry (it is never sent, exactly as Kinesis drops a throttled entry), 'call' to
 * throttle the whole request, or 'ok'. Returns a counter of injected entry rejections.
 */
export function injectPutFaults(
  client: KinesisClient,
  decide: (call: number, index: number) => 'ok' | 'throttle' | 'call',
) {
  const injected = { entries: 0, calls: 0 };
  let call = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const n = call++;
      const input = args.input as { Records: unknown[] };
      const decisions = input.Records.map((_, i) => decide(n, i));
      if (decisions.includes('call')) {
        injected.calls += 1;
        throw kinesisError('ProvisionedThroughputExceededException');
      }
      const kept = input.Records.filter((_, i) => decisions[i] === 'ok');
      const sent = kept.length
        ? ((await next({ ...args, input: { ...input, Records: kept } })) as {
            output: PutRecordsCommandOutput;
          })
        : { output: { $metadata: {}, Records: [] } as unknown as PutRecordsCommandOutput };
      const results = [...(sent.output.Records ?? [])];
      const merged: PutRecordsResultEntry[] = decisions.map((d) => {
        if (d === 'ok') return results.shift()!;
        injected.entries += 1;
        return {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded (injected)',
        };
      });
      return {
        ...sent,
        output: {
          ...sent.output,
          Records: merged,
          FailedRecordCount: merged.filter((r) => r.ErrorCode).length,
        },
      } as never;
    },
    { step: 'initialize', name: 'injectPutFaults' },
  );
  return injected;
}

/** Makes each middleware's name unique. */
let middlewares = 0;

/** Makes the next `count` calls of `command` fail with `errorName`, before they are sent. */
export function failNext(client: KinesisClient, command: string, errorName: string, count: number) {
  let left = count;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command && left > 0) {
        left -= 1;
        throw kinesisError(errorName);
      }
      return next(args);
    },
    { step: 'initialize', name: `fail-${command}-${errorName}-${++middlewares}` },
  );
  return {
    get left() {
      return left;
    },
  };
}

/** Counts the calls of `command` a client makes. */
export function countCalls(client: KinesisClient, command: string) {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command) counter.count += 1;
      return next(args);
    },
    { step: 'initialize', name: `count-${command}-${++middlewares}` },
  );
  return counter;
}
