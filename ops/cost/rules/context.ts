import type { Lab } from '#core/labs';
import type { ResourceRole } from '#core/names';
import type { CfnResource, CfnTemplate } from '../../../system/cloud-assembly';
import { hourlyOfMonthly, unitPrice, type PriceTable } from '../prices';
import type { Traffic, Workload } from '../workload';

/** A priced part of a deployment, per hour. */
export interface CostLine {
  /** What is paid for, for grouping: "Kinesis shard-hours", "Lambda", "CloudWatch alarms", … */
  readonly category: string;
  readonly item: string;
  /** The usage behind the price, per hour. */
  readonly quantity: string;
  readonly usdPerHour: number;
  /** Logical ids of the template resources the line comes from. */
  readonly resources: readonly string[];
  /** Part of the per-minute aggregation (what the seed ran in a Flink Studio notebook). */
  readonly aggregation?: boolean;
  /** The lab the resources belong to (`core/labs.ts`), as the stack marked them. */
  readonly lab?: Lab;
}

/** A Kinesis stream of the template, with the traffic the workload puts on it. */
export interface StreamUse {
  readonly name: string;
  readonly role?: ResourceRole;
  readonly traffic: Traffic;
  readonly shards: number;
  readonly onDemand: boolean;
}

/** How often a function runs, and why. */
export interface Invocations {
  readonly perHour: number;
  readonly aggregation: boolean;
  readonly source: string;
}

/**
 * What the pricing rules of one template share: its resources, the prices and workload, and
 * what earlier rules found (streams and their readers, function invocations). Rules run in
 * order (`rules/index.ts`) and push their lines.
 */
export interface RuleContext {
  readonly resources: Readonly<Record<string, CfnResource>>;
  readonly prices: PriceTable;
  readonly workload: Workload;
  readonly hours: number;
  readonly streams: Map<string, StreamUse>;
  /** Readers of each stream (event source mappings and delivery streams), by logical id. */
  readonly readers: Map<string, number>;
  readonly invocations: Map<string, Invocations>;
  readonly lines: CostLine[];
  /** Functions nothing invokes while the workshop runs (CDK's custom resource handlers). */
  readonly idleFunctions: string[];
}

export function ruleContext(
  template: CfnTemplate,
  prices: PriceTable,
  workload: Workload,
  hours: number,
): RuleContext {
  return {
    resources: template.Resources ?? {},
    prices,
    workload,
    hours,
    streams: new Map(),
    readers: new Map(),
    invocations: new Map(),
    lines: [],
    idleFunctions: [],
  };
}

/** The resources of one type, by logical id, in template order. */
export const ofType = (ctx: RuleContext, type: string): [string, CfnResource][] =>
  Object.entries(ctx.resources).filter(([, r]) => r.Type === type);

export const props = (r: CfnResource): Record<string, unknown> => r.Properties ?? {};
export const price = (ctx: RuleContext, key: string): number => unitPrice(ctx.prices, key);
export const perMonth = (ctx: RuleContext, key: string): number => hourlyOfMonthly(ctx.prices, key);

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
export function target(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

export const num = (value: unknown, fallback: number): number =>
  typeof value === 'number'
    ? value
    : typeof value === 'string' && value !== '' && !Number.isNaN(Number(value))
      ? Number(value)
      : fallback;

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const fmt = (n: number) =>
  Number.isInteger(n) ? String(n) : n < 10 ? n.toPrecision(3) : n.toFixed(1);

/** Adds one more reader to a stream. */
export function addReader(ctx: RuleContext, streamId: string | undefined): void {
  if (streamId) ctx.readers.set(streamId, (ctx.readers.get(streamId) ?? 0) + 1);
}
