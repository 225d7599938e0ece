import { labOf } from '../../../system/cloud-assembly';
import { ofType, perMonth, plural, price, props, type RuleContext } from './context';

/** Alarms by the month: one line per lab they watch (one line when the template has no labs). */
export function priceAlarms(ctx: RuleContext): void {
  const byLab = new Map<string | undefined, string[]>();
  for (const [id, r] of ofType(ctx, 'AWS::CloudWatch::Alarm')) {
    const lab = labOf(r);
    byLab.set(lab, [...(byLab.get(lab) ?? []), id]);
  }
  for (const [lab, ids] of byLab) {
    ctx.lines.push({
      category: 'CloudWatch alarms',
      item: `${plural(ids.length, 'alarm')}${lab && byLab.size > 1 ? ` (${lab})` : ''}`,
      quantity: `${ids.length} × $${price(ctx, 'cloudwatch.alarmMonth').toFixed(2)}/month`,
      usdPerHour: ids.length * perMonth(ctx, 'cloudwatch.alarmMonth'),
      resources: ids,
    });
  }
}

/** Custom CloudWatch dashboards by the month. */
export function priceDashboards(ctx: RuleContext): void {
  for (const [id, r] of ofType(ctx, 'AWS::CloudWatch::Dashboard')) {
    ctx.lines.push({
      category: 'CloudWatch dashboards',
      item: typeof props(r).DashboardName === 'string' ? (props(r).DashboardName as string) : id,
      quantity: `$${price(ctx, 'cloudwatch.dashboardMonth').toFixed(2)}/month`,
      usdPerHour: perMonth(ctx, 'cloudwatch.dashboardMonth'),
      resources: [id],
    });
  }
}
