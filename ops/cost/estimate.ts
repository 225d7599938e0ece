import { LABS, type Lab } from '#core/labs';
import { labOf, type CfnTemplate } from '../../system/cloud-assembly';
import { CostError, type PriceTable } from './prices';
import { NO_HOURLY_CHARGE, PRICING_RULES, ruleContext, TYPES_WITH_RULES, type CostLine } from './rules';
import type { Workload } from './workload';

/**
 * Cost of a Wild Rydes deployment per hour, read from its synthesized CloudFormation templates
 * (stream modes and shard counts, function memory and architecture, event source batching
 * windows, Firehose buffering, table billing modes, alarms, dashboards, instances) and priced
 * with the table in `ops/prices/`. Usage-based charges follow an explicit workload assumption
 * that the output states. Nothing is priced per resource count alone: every line comes from a
 * resource in a template and the property that drives its price (`rules/`).
 */

/** One lab's part of the hourly cost. */
export interface LabShare {
  readonly lab: Lab;
  readonly usdPerHour: number;
  /** Of the deployment's hourly cost. */
  readonly share: number;
}

export interface DeploymentEstimate {
  readonly lines: CostLine[];
  readonly usdPerHour: number;
  /** The aggregation's share: the tumbling-window function and its logs. */
  readonly aggregationUsdPerHour: number;
  /** Each deployed lab's part, in lab order; empty for templates whose resources carry no lab. */
  readonly labs: LabShare[];
  /** Resources with no hourly charge at this workload, by type, with a count. */
  readonly noHourlyCharge: { type: string; count: number; why: string }[];
  /** Resource types the estimator has no rule for: shown, never silently dropped. */
  readonly notPriced: { type: string; count: number }[];
}

/** Prices one template with every rule; each line carries the lab of the resource it prices. */
function priceTemplate(
  template: CfnTemplate,
  prices: PriceTable,
  workload: Workload,
  hours: number,
): { lines: CostLine[]; idleFunctions: string[] } {
  const ctx = ruleContext(template, prices, workload, hours);
  for (const rule of PRICING_RULES) rule.apply(ctx);
  const lines = ctx.lines.map((line): CostLine => {
    const lab = labOf(ctx.resources[line.resources[0]]);
    return lab ? { ...line, lab } : line;
  });
  return { lines, idleFunctions: ctx.idleFunctions };
}

/** Resource types by count: what costs nothing by the hour, and what no rule prices. */
function unpricedTypes(
  counts: ReadonlyMap<string, number>,
  idleFunctions: number,
): Pick<DeploymentEstimate, 'noHourlyCharge' | 'notPriced'> {
  const noHourlyCharge: DeploymentEstimate['noHourlyCharge'] = [];
  const notPriced: DeploymentEstimate['notPriced'] = [];
  for (const [type, count] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (NO_HOURLY_CHARGE[type]) noHourlyCharge.push({ type, count, why: NO_HOURLY_CHARGE[type] });
    else if (type.startsWith('Custom::'))
      noHourlyCharge.push({ type, count, why: 'runs only while deploying' });
    else if (!TYPES_WITH_RULES.has(type)) notPriced.push({ type, count });
  }
  if (idleFunctions > 0) {
    noHourlyCharge.push({
      type: 'AWS::Lambda::Function (CDK custom resource handlers)',
      count: idleFunctions,
      why: 'run only while deploying',
    });
  }
  return { noHourlyCharge, notPriced };
}

const sum = (xs: readonly CostLine[]) => xs.reduce((total, line) => total + line.usdPerHour, 0);

/** Each lab's part of the lines, in lab order. */
export function labShares(lines: readonly CostLine[]): LabShare[] {
  const total = sum(lines);
  return LABS.filter((lab) => lines.some((l) => l.lab === lab)).map((lab) => {
    const usdPerHour = sum(lines.filter((l) => l.lab === lab));
    return { lab, usdPerHour, share: total > 0 ? usdPerHour / total : 0 };
  });
}

/** Prices every resource of one deployment's templates (its main stack and optional weblogs stack). */
export function estimateDeployment(
  templates: readonly CfnTemplate[],
  prices: PriceTable,
  workload: Workload,
  hours: number,
): DeploymentEstimate {
  if (!(hours > 0))
    throw new CostError(`The workshop length must be a positive number of hours, got ${hours}`);
  const lines: CostLine[] = [];
  const counts = new Map<string, number>();
  let idleFunctions = 0;
  for (const template of templates) {
    for (const r of Object.values(template.Resources ?? {}))
      counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
    const priced = priceTemplate(template, prices, workload, hours);
    lines.push(...priced.lines);
    idleFunctions += priced.idleFunctions.length;
  }
  return {
    lines,
    usdPerHour: sum(lines),
    aggregationUsdPerHour: sum(lines.filter((l) => l.aggregation)),
    labs: labShares(lines),
    ...unpricedTypes(counts, idleFunctions),
  };
}

/** Categories by their share of the hourly cost, largest first. */
export function dominantCategories(
  estimate: DeploymentEstimate,
): { category: string; usdPerHour: number; share: number }[] {
  const byCategory = new Map<string, number>();
  for (const line of estimate.lines)
    byCategory.set(line.category, (byCategory.get(line.category) ?? 0) + line.usdPerHour);
  return [...byCategory.entries()]
    .map(([category, usdPerHour]) => ({
      category,
      usdPerHour,
      share: estimate.usdPerHour > 0 ? usdPerHour / estimate.usdPerHour : 0,
    }))
    .sort((a, b) => b.usdPerHour - a.usdPerHour || a.category.localeCompare(b.category));
}
