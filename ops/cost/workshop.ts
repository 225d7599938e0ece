import type { CfnTemplate } from '../../system/cloud-assembly';
import { estimateDeployment, type DeploymentEstimate } from './estimate';
import { CostError, type PriceTable } from './prices';
import { seedComparison, type SeedComparison } from './seed';
import type { Workload } from './workload';

/** One attendee's deployment: the stacks of their Stage (or the single deployment). */
export interface AttendeeTemplates {
  readonly id: string;
  readonly region?: string;
  readonly stacks: readonly { readonly stackName: string; readonly template: CfnTemplate }[];
}

export interface WorkshopEstimate {
  readonly hours: number;
  readonly workload: Workload;
  readonly attendees: { id: string; region?: string; stacks: string[]; estimate: DeploymentEstimate }[];
  /** Mean over the attendees. */
  readonly usdPerAttendeeHour: number;
  readonly usdPerAttendeeWorkshop: number;
  readonly usdTotal: number;
  readonly seed: SeedComparison;
}

/**
 * Every attendee's deployment priced, and the seed architecture for comparison: from
 * `seedTemplates` (one deployment with every lab, `seed-templates.ts`) when given, else from
 * the first attendee's deployment.
 */
export function estimateWorkshop(
  groups: readonly AttendeeTemplates[],
  prices: PriceTable,
  workload: Workload,
  hours: number,
  seedTemplates?: readonly CfnTemplate[],
): WorkshopEstimate {
  if (groups.length === 0) throw new CostError('No stacks to estimate: the assembly is empty');
  const attendees = groups.map((g) => ({
    id: g.id,
    ...(g.region ? { region: g.region } : {}),
    stacks: g.stacks.map((s) => s.stackName),
    estimate: estimateDeployment(
      g.stacks.map((s) => s.template),
      prices,
      workload,
      hours,
    ),
  }));
  const total = attendees.reduce((sum, a) => sum + a.estimate.usdPerHour, 0);
  const mean = total / attendees.length;
  const seedEstimate = seedTemplates
    ? estimateDeployment(seedTemplates, prices, workload, hours)
    : attendees[0].estimate;
  return {
    hours,
    workload,
    attendees,
    usdPerAttendeeHour: mean,
    usdPerAttendeeWorkshop: mean * hours,
    usdTotal: total * hours,
    seed: seedComparison(seedEstimate, prices),
  };
}
