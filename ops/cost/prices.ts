import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseWith } from '#core/schema';

/** The price table in `ops/prices/`: list prices with their sources, validated when read. */

export interface PriceEntry {
  /** Price in USD for `per` units. */
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
}

export interface PriceTable {
  readonly region: string;
  readonly currency: string;
  /** When the prices were taken (YYYY-MM-DD). */
  readonly date: string;
  readonly description: string;
  readonly hoursPerMonth: number;
  readonly prices: Readonly<Record<string, PriceEntry>>;
}

/** A problem the user can act on: a missing price, a malformed table, an impossible workload. */
export class CostError extends Error {}

/** Every price the estimator may need; a table without one of these is rejected up front. */
export const REQUIRED_PRICES = [
  'kinesis.shardHour',
  'kinesis.putPayloadUnit',
  'kinesis.onDemandStreamHour',
  'kinesis.onDemandIngestGb',
  'kinesis.onDemandRetrievalGb',
  'lambda.arm64GbSecond',
  'lambda.x86GbSecond',
  'lambda.request',
  'dynamodb.onDemandWrite',
  'dynamodb.onDemandRead',
  'dynamodb.provisionedWcuHour',
  'dynamodb.provisionedRcuHour',
  'firehose.ingestGb',
  's3.storageGbMonth',
  's3.putRequest',
  'cloudwatch.alarmMonth',
  'cloudwatch.dashboardMonth',
  'cloudwatch.logsIngestGb',
  'ec2.publicIpv4Hour',
  'cloudfront.httpsRequest',
  'cloudfront.dataOutGb',
  'athena.scannedTb',
  'flink.kpuHour',
  'flink.runningStorageGbMonth',
] as const;

const priceEntrySchema = z.object(
  {
    usd: z.number().nonnegative(),
    per: z.number().positive(),
    unit: z.string(),
    source: z.string().min(1),
  },
  { error: 'must be an object' },
);

const priceTableSchema = z
  .object({
    region: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
    currency: z
      .string({ error: 'must be a non-empty string' })
      .min(1, { error: 'must be a non-empty string' }),
    date: z
      .string({ error: 'must be YYYY-MM-DD' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be YYYY-MM-DD' }),
    description: z
      .string({ error: 'must be a non-empty string' })
      .min(1, { error: 'must be a non-empty string' }),
    hoursPerMonth: z
      .number({ error: 'must be a positive number' })
      .positive({ error: 'must be a positive number' }),
    prices: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  })
  .superRefine((table, ctx) => {
    for (const [key, entry] of Object.entries(table.prices)) {
      if (!priceEntrySchema.safeParse(entry).success)
        ctx.addIssue({
          code: 'custom',
          path: ['prices', key],
          message: 'needs usd (≥ 0), per (> 0), unit and source',
          input: entry,
        });
    }
    const missing = REQUIRED_PRICES.filter((key) => !table.prices[key]);
    if (missing.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['prices'],
        message: `misses ${missing.join(', ')}`,
        params: { withoutInput: true },
      });
  });

export function parsePriceTable(text: string, source: string): PriceTable {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CostError(`${source}: not JSON (${(error as Error).message})`);
  }
  return parseWith(priceTableSchema, value, source, CostError) as PriceTable;
}

export function loadPriceTable(file: string): PriceTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CostError(`Cannot read price table ${file}: ${(error as Error).message}`);
  }
  return parsePriceTable(text, file);
}

/** USD per unit of `key`, or a CostError naming the missing price. */
export function unitPrice(prices: PriceTable, key: string): number {
  const entry = prices.prices[key];
  if (!entry) throw new CostError(`No price "${key}" in the price table (${prices.region}, ${prices.date})`);
  return entry.usd / entry.per;
}

/** USD per hour of a price given per month. */
export const hourlyOfMonthly = (prices: PriceTable, key: string): number =>
  unitPrice(prices, key) / prices.hoursPerMonth;
