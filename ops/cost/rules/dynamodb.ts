import { ENV, SENSOR_ENV, SENSOR_SETTINGS } from '#core/settings';
import { roleTraffic, type StreamRole } from '../workload';
import { fmt, num, ofType, price, props, target, type RuleContext } from './context';

/** Each table's user: the handler environment variable that names it. */
function tableUsers(ctx: RuleContext): Map<string, string> {
  const use = new Map<string, string>();
  for (const [, r] of ofType(ctx, 'AWS::Lambda::Function')) {
    const variables =
      (props(r).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    for (const [key, value] of Object.entries(variables)) {
      const tableId = target(value);
      if (tableId && ctx.resources[tableId]?.Type === 'AWS::DynamoDB::Table') use.set(tableId, key);
    }
  }
  return use;
}

/** Reads and writes per second the handler that uses a table makes, at this workload. */
function tableRequests(ctx: RuleContext, variable: string | undefined) {
  const summaries = roleTraffic('summaryStream' satisfies StreamRole, ctx.workload).recordsPerSecond;
  const sensorRate = ctx.workload.sensorRecordsPerSecond;
  switch (variable) {
    case ENV.summaryTableName:
      // Read-merge-write: one strongly consistent read and one write per summary.
      return { reads: summaries, writes: summaries, why: '1 read + 1 write per summary' };
    case SENSOR_ENV.dedupTableName:
      return { reads: sensorRate, writes: sensorRate, why: '1 read + 1 write per reading' };
    case SENSOR_ENV.aggregateTableName:
      return {
        reads: 0,
        writes:
          Math.min(ctx.workload.sensors, sensorRate * SENSOR_SETTINGS.windowSeconds) /
          SENSOR_SETTINGS.windowSeconds,
        why: `1 write per sensor per ${SENSOR_SETTINGS.windowSeconds} s window`,
      };
    default:
      return { reads: 0, writes: 0, why: 'not used by any handler' };
  }
}

/** Tables: requests from the handlers that use them, on-demand or provisioned as the template says. */
export function priceTables(ctx: RuleContext): void {
  const users = tableUsers(ctx);
  for (const [id, r] of ofType(ctx, 'AWS::DynamoDB::Table')) {
    const p = props(r);
    const { reads, writes, why } = tableRequests(ctx, users.get(id));
    const name = typeof p.TableName === 'string' ? p.TableName : id;
    if (p.BillingMode === 'PAY_PER_REQUEST') {
      ctx.lines.push({
        category: 'DynamoDB',
        item: `${name} (on-demand)`,
        quantity: `${fmt(reads * 3600)} reads + ${fmt(writes * 3600)} writes/h (${why})`,
        usdPerHour:
          reads * 3600 * price(ctx, 'dynamodb.onDemandRead') +
          writes * 3600 * price(ctx, 'dynamodb.onDemandWrite'),
        resources: [id],
      });
      continue;
    }
    const throughput = (p.ProvisionedThroughput ?? {}) as {
      ReadCapacityUnits?: unknown;
      WriteCapacityUnits?: unknown;
    };
    const rcu = num(throughput.ReadCapacityUnits, 0);
    const wcu = num(throughput.WriteCapacityUnits, 0);
    ctx.lines.push({
      category: 'DynamoDB',
      item: `${name} (provisioned)`,
      quantity: `${rcu} RCU + ${wcu} WCU`,
      usdPerHour:
        rcu * price(ctx, 'dynamodb.provisionedRcuHour') + wcu * price(ctx, 'dynamodb.provisionedWcuHour'),
      resources: [id],
    });
  }
}
