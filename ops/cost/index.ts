/**
 * What a Wild Rydes deployment costs per attendee-hour: the price table (`prices.ts`), the
 * workload assumed (`workload.ts`), pricing rules per resource type (`rules/`), the estimate of
 * a deployment and each lab's share (`estimate.ts`), the seed architecture (`seed.ts`), a
 * workshop's attendees (`workshop.ts`) and the text report (`format.ts`).
 */
export * from './estimate';
export * from './format';
export * from './prices';
export type { CostLine } from './rules';
export * from './seed';
export * from './workload';
export * from './workshop';
