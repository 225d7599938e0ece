import { POLLS_PER_SECOND, GB } from '../workload';
import { addReader, fmt, num, ofType, price, props, target, type RuleContext } from './context';

/** Adds invocations of a function, keeping what they come from. */
export function addInvocations(
  ctx: RuleContext,
  fnId: string,
  perHour: number,
  use: { readonly aggregation: boolean; readonly source: string },
): void {
  const previous = ctx.invocations.get(fnId);
  ctx.invocations.set(fnId, {
    perHour: (previous?.perHour ?? 0) + perHour,
    aggregation: (previous?.aggregation ?? false) || use.aggregation,
    source: use.source,
  });
}

/**
 * Functions fed by Kinesis event source mappings: a batch per poll (or per batching window)
 * on each shard that carries records, plus one final invocation per tumbling window and shard.
 */
export function countStreamInvocations(ctx: RuleContext): void {
  for (const [, r] of ofType(ctx, 'AWS::Lambda::EventSourceMapping')) {
    const p = props(r);
    const streamId = target(p.EventSourceArn);
    const fnId = target(p.FunctionName);
    const stream = streamId ? ctx.streams.get(streamId) : undefined;
    if (!stream || !fnId) continue;
    addReader(ctx, streamId);
    const { recordsPerSecond: rate, keys } = stream.traffic;
    const activeShards = Math.min(stream.shards, keys);
    const batchingWindow = num(p.MaximumBatchingWindowInSeconds, 0);
    const tumbling = num(p.TumblingWindowInSeconds, 0);
    const perShard = rate > 0 && activeShards > 0 ? rate / activeShards : 0;
    const batchesPerSecond =
      perShard > 0
        ? activeShards * Math.min(perShard, batchingWindow > 0 ? 1 / batchingWindow : POLLS_PER_SECOND)
        : 0;
    // Lambda adds one final invocation per window and shard to hand over the state.
    const finals = tumbling > 0 && perShard > 0 ? activeShards / tumbling : 0;
    const previous = ctx.invocations.get(fnId);
    addInvocations(ctx, fnId, (batchesPerSecond + finals) * 3600, {
      aggregation: tumbling > 0,
      source: `${stream.name}${previous ? `, ${previous.source}` : ''}`,
    });
  }
}

/** Functions that run: requests and GB-seconds by architecture, and the logs they write. */
export function priceFunctions(ctx: RuleContext): void {
  const { workload } = ctx;
  for (const [id, r] of ofType(ctx, 'AWS::Lambda::Function')) {
    const use = ctx.invocations.get(id);
    if (!use) {
      ctx.idleFunctions.push(id);
      continue;
    }
    const p = props(r);
    const memoryMb = num(p.MemorySize, 128);
    const arm = Array.isArray(p.Architectures) && p.Architectures.includes('arm64');
    const gbSeconds = use.perHour * (workload.lambdaMsPerInvocation / 1000) * (memoryMb / 1024);
    ctx.lines.push({
      category: 'Lambda',
      item: id,
      quantity: `${fmt(use.perHour)} invocations/h × ${workload.lambdaMsPerInvocation} ms × ${memoryMb} MB ${arm ? 'arm64' : 'x86_64'}, from ${use.source}`,
      usdPerHour:
        use.perHour * price(ctx, 'lambda.request') +
        gbSeconds * price(ctx, arm ? 'lambda.arm64GbSecond' : 'lambda.x86GbSecond'),
      resources: [id],
      aggregation: use.aggregation,
    });
    const logGb = (use.perHour * workload.logBytesPerInvocation) / GB;
    ctx.lines.push({
      category: 'CloudWatch Logs',
      item: `${id} logs`,
      quantity: `${fmt(use.perHour)} × ${workload.logBytesPerInvocation} B`,
      usdPerHour: logGb * price(ctx, 'cloudwatch.logsIngestGb'),
      resources: [id],
      aggregation: use.aggregation,
    });
  }
}
