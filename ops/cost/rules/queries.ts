import {
  ATHENA_MINIMUM_BYTES,
  DASHBOARD_BYTES_PER_LOAD,
  DASHBOARD_REQUESTS_PER_LOAD,
  GB,
  TB,
} from '../workload';
import { fmt, ofType, price, props, type RuleContext } from './context';

/** The dashboard's CloudFront distribution: requests and bytes per page load. */
export function priceDistributions(ctx: RuleContext): void {
  for (const [id] of ofType(ctx, 'AWS::CloudFront::Distribution')) {
    const loads = ctx.workload.dashboardViewers * ctx.workload.dashboardLoadsPerHour;
    ctx.lines.push({
      category: 'CloudFront',
      item: id,
      quantity: `${fmt(loads)} page loads/h × ${DASHBOARD_REQUESTS_PER_LOAD} requests, ${DASHBOARD_BYTES_PER_LOAD / 1024} KB`,
      usdPerHour:
        loads * DASHBOARD_REQUESTS_PER_LOAD * price(ctx, 'cloudfront.httpsRequest') +
        ((loads * DASHBOARD_BYTES_PER_LOAD) / GB) * price(ctx, 'cloudfront.dataOutGb'),
      resources: [id],
    });
  }
}

/** Athena workgroups: the workload's queries, each at the 10 MB minimum a query is billed. */
export function priceWorkGroups(ctx: RuleContext): void {
  for (const [id, r] of ofType(ctx, 'AWS::Athena::WorkGroup')) {
    const name = typeof props(r).Name === 'string' ? (props(r).Name as string) : id;
    ctx.lines.push({
      category: 'Athena',
      item: name,
      quantity: `${ctx.workload.athenaQueriesPerHour} queries/h at the 10 MB minimum`,
      usdPerHour:
        ((ctx.workload.athenaQueriesPerHour * ATHENA_MINIMUM_BYTES) / TB) * price(ctx, 'athena.scannedTb'),
      resources: [id],
    });
  }
}
