import { ALL_LABS, type Lab } from '#core/labs';
import type { DeploymentEstimate } from './estimate';
import { hourlyOfMonthly, unitPrice, type PriceTable } from './prices';

/**
 * The seed architecture: every lab, as the original workshop deploys them (`ALL_LABS`: the IoT
 * sensors and log shipping included), with the per-minute aggregation as SQL in a Managed
 * Service for Apache Flink Studio notebook instead of the aggregation Lambda. Studio bills the
 * notebook's KPUs (Parallelism / ParallelismPerKPU, at least one) plus two more per Studio
 * application (pricing page), and 50 GB of running application storage per KPU; the rest of
 * the pipeline is the same.
 */
export interface SeedComparison {
  /** The labs of the estimate the seed is built on: every lab, unless only a deployment was at hand. */
  readonly labs: readonly Lab[];
  readonly computeKpus: number;
  readonly studioKpus: number;
  readonly studioUsdPerHour: number;
  /** The aggregation Lambda (and its logs) the notebook replaces. */
  readonly replacedUsdPerHour: number;
  readonly usdPerHour: number;
}

export const SEED_LABS: readonly Lab[] = ALL_LABS;
export const STUDIO_EXTRA_KPUS = 2;
export const KPU_STORAGE_GB = 50;

/** The seed's cost per hour, from an estimate of the same labs with the aggregation Lambda. */
export function seedComparison(
  estimate: DeploymentEstimate,
  prices: PriceTable,
  computeKpus = 1,
): SeedComparison {
  const studioKpus = computeKpus + STUDIO_EXTRA_KPUS;
  const studioUsdPerHour =
    studioKpus * unitPrice(prices, 'flink.kpuHour') +
    computeKpus * KPU_STORAGE_GB * hourlyOfMonthly(prices, 'flink.runningStorageGbMonth');
  return {
    labs: estimate.labs.map((l) => l.lab),
    computeKpus,
    studioKpus,
    studioUsdPerHour,
    replacedUsdPerHour: estimate.aggregationUsdPerHour,
    usdPerHour: estimate.usdPerHour - estimate.aggregationUsdPerHour + studioUsdPerHour,
  };
}
