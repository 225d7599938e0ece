import { roleOf } from '../../../system/cloud-assembly';
import { GB, ON_DEMAND_SHARDS, roleTraffic } from '../workload';
import { fmt, num, ofType, plural, price, props, type RuleContext, type StreamUse } from './context';

/** Finds the template's streams and the traffic the workload puts on each, by its role. */
export function collectStreams(ctx: RuleContext): void {
  for (const [id, r] of ofType(ctx, 'AWS::Kinesis::Stream')) {
    const p = props(r);
    const name = typeof p.Name === 'string' ? p.Name : id;
    const onDemand = (p.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode === 'ON_DEMAND';
    const shards = onDemand ? ON_DEMAND_SHARDS : num(p.ShardCount, 1);
    const role = roleOf(r);
    ctx.streams.set(id, { name, role, traffic: roleTraffic(role, ctx.workload), shards, onDemand });
  }
}

/** On-demand streams: per stream-hour, data in (1 KB steps) and out to every reader. */
function priceOnDemand(ctx: RuleContext, id: string, stream: StreamUse): void {
  const { recordsPerSecond: rate, recordBytes } = stream.traffic;
  ctx.lines.push({
    category: 'Kinesis on-demand streams',
    item: stream.name,
    quantity: '1 stream-hour',
    usdPerHour: price(ctx, 'kinesis.onDemandStreamHour'),
    resources: [id],
  });
  const inGb = (rate * Math.ceil(recordBytes / 1024) * 1024 * 3600) / GB;
  const viewers = stream.role === 'telemetryStream' ? ctx.workload.dashboardViewers : 0;
  const readers = (ctx.readers.get(id) ?? 0) + viewers;
  const outGb = (rate * recordBytes * 3600 * readers) / GB;
  ctx.lines.push({
    category: 'Kinesis on-demand data',
    item: stream.name,
    quantity: `${fmt(inGb * 1024)} MB in (1 KB steps), ${fmt(outGb * 1024)} MB out to ${plural(readers, 'reader')}`,
    usdPerHour:
      inGb * price(ctx, 'kinesis.onDemandIngestGb') + outGb * price(ctx, 'kinesis.onDemandRetrievalGb'),
    resources: [id],
  });
}

/** Provisioned streams: per shard-hour, and PUT payload units (25 KB steps) for what producers put. */
function priceProvisioned(ctx: RuleContext, id: string, stream: StreamUse): void {
  const { recordsPerSecond: rate, recordBytes } = stream.traffic;
  ctx.lines.push({
    category: 'Kinesis shard-hours',
    item: stream.name,
    quantity: plural(stream.shards, 'shard'),
    usdPerHour: stream.shards * price(ctx, 'kinesis.shardHour'),
    resources: [id],
  });
  const units = rate * Math.ceil(recordBytes / (25 * 1024)) * 3600;
  ctx.lines.push({
    category: 'Kinesis PUT payload units',
    item: stream.name,
    quantity: `${fmt(units)} units/h`,
    usdPerHour: units * price(ctx, 'kinesis.putPayloadUnit'),
    resources: [id],
  });
}

/** Prices the streams, once their readers are known. */
export function priceStreams(ctx: RuleContext): void {
  for (const [id, stream] of ctx.streams) {
    if (stream.onDemand) priceOnDemand(ctx, id, stream);
    else priceProvisioned(ctx, id, stream);
  }
}
