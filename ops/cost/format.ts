import { LAB_INFO } from '#core/labs';
import { dominantCategories, type DeploymentEstimate } from './estimate';
import type { PriceTable } from './prices';
import { fmt, plural } from './rules/context';
import { STUDIO_EXTRA_KPUS } from './seed';
import { summaryRecordBytes, telemetryRecordBytes, type Workload } from './workload';
import type { WorkshopEstimate } from './workshop';

/** `$0.04` for the headline; small amounts keep two significant digits. */
export function dollars(usd: number): string {
  return `$${usd.toFixed(2)}`;
}
const precise = (usd: number) => `$${usd.toFixed(4)}`;
const percent = (share: number) => `${Math.round(share * 100)}%`;

export function workloadSummary(w: Workload): string[] {
  return [
    `${w.unicorns} unicorns × ${w.recordsPerSecondPerUnicorn} record/s = ${fmt(w.unicorns * w.recordsPerSecondPerUnicorn)} records/s of ${telemetryRecordBytes()} B on the telemetry stream; one ${summaryRecordBytes()} B summary per unicorn-minute`,
    w.sensorRecordsPerSecond > 0
      ? `sensor generator at ${fmt(w.sensorRecordsPerSecond)} readings/s from ${w.sensors} sensors, ${Math.round(w.sensorAlertShare * 100)}% of them alerts`
      : 'sensor generator off (the sensor lab: -sensor-rate 100, datagen’s default)',
    `${w.dashboardViewers} dashboard viewer(s), ${w.dashboardLoadsPerHour} page load(s)/h; ${w.athenaQueriesPerHour} Athena queries/h`,
    `every Lambda invocation ${w.lambdaMsPerInvocation} ms with ${w.logBytesPerInvocation} B of logs; web server (when deployed) ${fmt(w.weblogRequestsPerSecond)} requests/s`,
  ];
}

/** The headline, the prices used and the workload assumed. */
function headline(estimate: WorkshopEstimate, prices: PriceTable, priceFile: string): string[] {
  const out = [
    dollars(estimate.usdPerAttendeeHour) + ' per attendee-hour',
    `${dollars(estimate.usdPerAttendeeWorkshop)} per attendee for a ${fmt(estimate.hours)}-hour workshop; ${plural(estimate.attendees.length, 'attendee')}: ${dollars(estimate.usdTotal)}`,
    '',
    `Prices: ${prices.region} list prices of ${prices.date} (${priceFile}); no free tier, discounts or tax.`,
  ];
  const elsewhere = [
    ...new Set(estimate.attendees.map((a) => a.region).filter((r) => r && r !== prices.region)),
  ];
  if (elsewhere.length > 0) {
    out.push(`Attendees in ${elsewhere.join(', ')} pay those regions' prices, which differ somewhat.`);
  }
  out.push('Workload per attendee (assumed):');
  for (const line of workloadSummary(estimate.workload)) out.push(`  - ${line}`);
  return out;
}

/** Every priced line of one deployment, largest first, with the total and what costs nothing. */
function lineTable(estimate: DeploymentEstimate): string[] {
  const out: string[] = [];
  const rows = estimate.lines.filter((l) => l.usdPerHour > 0).sort((a, b) => b.usdPerHour - a.usdPerHour);
  const idle = estimate.lines.filter((l) => l.usdPerHour === 0);
  const width = Math.max(...rows.map((r) => r.category.length));
  const itemWidth = Math.min(44, Math.max(...rows.map((r) => r.item.length)));
  for (const row of rows) {
    out.push(
      `  ${row.category.padEnd(width)}  ${row.item.slice(0, itemWidth).padEnd(itemWidth)}  ${precise(row.usdPerHour).padStart(8)}  ${row.quantity}`,
    );
  }
  out.push(
    `  ${'Total'.padEnd(width)}  ${''.padEnd(itemWidth)}  ${precise(estimate.usdPerHour).padStart(8)}`,
  );
  if (idle.length > 0) {
    out.push(
      `  No traffic at this workload, so $0: ${idle.map((l) => `${l.category} ${l.item}`).join('; ')}.`,
    );
  }
  return out;
}

/** Each lab's share of one deployment (nothing for templates without labs). */
function labTable(estimate: DeploymentEstimate): string[] {
  if (estimate.labs.length === 0) return [];
  const width = Math.max(...estimate.labs.map((l) => LAB_INFO[l.lab].title.length));
  return [
    '',
    'By lab:',
    ...estimate.labs.map(
      ({ lab, usdPerHour, share }) =>
        `  ${lab.padEnd(12)}  ${LAB_INFO[lab].title.padEnd(width)}  ${precise(usdPerHour).padStart(8)}  ${percent(share).padStart(4)}`,
    ),
  ];
}

function attendeeTable(estimate: WorkshopEstimate): string[] {
  if (estimate.attendees.length <= 1) return [];
  return [
    '',
    'Per attendee:',
    ...estimate.attendees.map(
      (a) =>
        `  ${a.id.padEnd(20)} ${(a.region ?? '(default region)').padEnd(16)} ${precise(a.estimate.usdPerHour)}/h  ${dollars(a.estimate.usdPerHour * estimate.hours)} per workshop`,
    ),
  ];
}

/** The seed architecture's cost, and how this deployment compares. */
function seedLine(estimate: WorkshopEstimate, first: DeploymentEstimate): string {
  const seed = estimate.seed;
  const labs =
    seed.labs.length > 0 ? ` with ${plural(seed.labs.length, 'lab')} (${seed.labs.join(', ')})` : '';
  return `Seed architecture (the aggregation as SQL in a Managed Service for Apache Flink Studio notebook: ${seed.computeKpus} KPU + ${STUDIO_EXTRA_KPUS} Studio KPUs = ${seed.studioKpus} KPUs, ${dollars(seed.studioUsdPerHour)}/h, instead of the aggregation Lambda at ${precise(seed.replacedUsdPerHour)}/h): ${dollars(seed.usdPerHour)} per attendee-hour${labs}, ${(seed.usdPerHour / first.usdPerHour).toFixed(1)}× this deployment; ${dollars(seed.usdPerHour * estimate.hours)} per attendee for the workshop.`;
}

function notCounted(first: DeploymentEstimate): string[] {
  const out = [
    `No hourly charge at this workload: ${first.noHourlyCharge.map((n) => `${n.type.replace(/^AWS::/, '')} ×${n.count} (${n.why})`).join('; ')}.`,
  ];
  if (first.notPriced.length > 0) {
    out.push(
      `Not priced (no rule for these types): ${first.notPriced.map((n) => `${n.type} ×${n.count}`).join(', ')}.`,
    );
  }
  out.push(
    'Also not counted: AWS-managed KMS key requests (stream encryption), Powertools custom metrics, data transfer within the region.',
  );
  return out;
}

/** The estimate as text: the headline first, then where the money goes, the seed comparison and what is not priced. */
export function formatEstimate(estimate: WorkshopEstimate, prices: PriceTable, priceFile: string): string {
  const first = estimate.attendees[0];
  const top = dominantCategories(first.estimate).filter((c) => c.usdPerHour > 0);
  const out = [
    ...headline(estimate, prices, priceFile),
    '',
    `Per attendee-hour (${first.id}: ${first.stacks.join(', ')}):`,
    ...lineTable(first.estimate),
    ...labTable(first.estimate),
    '',
    `Dominated by ${top
      .slice(0, 3)
      .map((c) => `${c.category} (${percent(c.share)})`)
      .join(', ')}.`,
    ...attendeeTable(estimate),
    '',
    seedLine(estimate, first.estimate),
    '',
    ...notCounted(first.estimate),
  ];
  return `${out.join('\n')}\n`;
}
