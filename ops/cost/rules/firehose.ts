import { GB } from '../workload';
import { addInvocations } from './lambda';
import {
  addReader,
  fmt,
  num,
  ofType,
  perMonth,
  price,
  props,
  target,
  type RuleContext,
  type StreamUse,
} from './context';

interface S3Destination {
  BufferingHints?: { IntervalInSeconds?: unknown };
  CompressionFormat?: string;
  ProcessingConfiguration?: {
    Enabled?: boolean;
    Processors?: { Type: string; Parameters?: { ParameterName: string; ParameterValue: unknown }[] }[];
  };
}

/** Ingestion in 5 KB steps per record; S3 objects per buffer interval, stored for half the workshop. */
function priceDelivery(ctx: RuleContext, id: string, stream: StreamUse | undefined, s3: S3Destination): void {
  const rate = stream?.traffic.recordsPerSecond ?? 0;
  const recordBytes = stream?.traffic.recordBytes ?? 0;
  const billedBytes = Math.ceil(recordBytes / 5120) * 5120;
  const gbPerHour = (rate * billedBytes * 3600) / GB;
  ctx.lines.push({
    category: 'Firehose',
    item: id,
    quantity: `${fmt(rate * 3600)} records/h from ${stream?.name ?? 'Direct PUT (none in the workload)'}, billed at 5 KB each: ${fmt(gbPerHour)} GB/h`,
    usdPerHour: gbPerHour * price(ctx, 'firehose.ingestGb'),
    resources: [id],
  });
  const interval = num(s3.BufferingHints?.IntervalInSeconds, 300);
  const objectsPerHour = rate > 0 ? 3600 / interval : 0;
  const storedGbPerHour =
    ((rate * recordBytes * 3600) / GB) * (s3.CompressionFormat === 'GZIP' ? ctx.workload.gzipRatio : 1);
  // Objects written during the workshop stay for the rest of it: on average half its length.
  const storageUsd = storedGbPerHour * (ctx.hours / 2) * perMonth(ctx, 's3.storageGbMonth');
  ctx.lines.push({
    category: 'S3',
    item: `${id} objects`,
    quantity: `${fmt(objectsPerHour)} PUTs/h (${interval} s buffer), ${fmt(storedGbPerHour * 1024)} MB/h stored`,
    usdPerHour: objectsPerHour * price(ctx, 's3.putRequest') + storageUsd,
    resources: [id],
  });
}

/** A record-transformation function runs once per its buffer interval while records flow. */
function countTransformations(ctx: RuleContext, id: string, rate: number, s3: S3Destination): void {
  if (s3.ProcessingConfiguration?.Enabled === false) return;
  for (const processor of s3.ProcessingConfiguration?.Processors ?? []) {
    if (processor.Type !== 'Lambda') continue;
    const param = (name: string) =>
      processor.Parameters?.find((x) => x.ParameterName === name)?.ParameterValue;
    const fnId = target(param('LambdaArn'));
    if (!fnId) continue;
    const perHour = rate > 0 ? 3600 / num(param('BufferIntervalInSeconds'), 60) : 0;
    addInvocations(ctx, fnId, perHour, { aggregation: false, source: `${id} (record transformation)` });
  }
}

/**
 * Firehose delivery streams into S3: reading a Kinesis stream (priced by its traffic), or Direct
 * PUT (PutRecordBatch from the agent's deliveryStream flows, which the workload does not model).
 */
export function priceDeliveryStreams(ctx: RuleContext): void {
  for (const [id, r] of ofType(ctx, 'AWS::KinesisFirehose::DeliveryStream')) {
    const p = props(r);
    const streamId = target(
      (p.KinesisStreamSourceConfiguration as { KinesisStreamARN?: unknown } | undefined)?.KinesisStreamARN,
    );
    const stream = streamId ? ctx.streams.get(streamId) : undefined;
    addReader(ctx, streamId);
    const s3 = (p.ExtendedS3DestinationConfiguration ?? p.S3DestinationConfiguration ?? {}) as S3Destination;
    priceDelivery(ctx, id, stream, s3);
    countTransformations(ctx, id, stream?.traffic.recordsPerSecond ?? 0, s3);
  }
}
