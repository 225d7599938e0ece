import { UNICORN_NAMES } from '#core/movement';
import { z } from 'zod';
import type { OutputKey, OutputsByStack, StackOutputs } from '#core/outputs';
import { parseWith } from '#core/schema';
import type { AttendeePlan } from '../lib/workshop';

/**
 * The facilitator report: for each attendee, what their deployment is called and where, and
 * the exact commands to paste, built from the stack outputs `cdk deploy --outputs-file`
 * collected. Markdown for the facilitator's notes, a self-contained HTML page to hand out.
 */

export class OutputsFileError extends Error {}

/** `cdk deploy --outputs-file` content: each stack's outputs (strings), keyed by stack name. */
const outputsFileSchema = z.record(
  z.string(),
  z.record(z.string(), z.string({ error: 'must be a string' }), { error: 'must be an object' }),
  { error: 'expected an object of stacks' },
);

/** Validates an outputs file's text; `source` names it in messages. */
export function parseOutputs(text: string, source: string): OutputsByStack {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new OutputsFileError(`${source}: not JSON (${(error as Error).message})`);
  }
  return parseWith(outputsFileSchema, value, source, OutputsFileError);
}

/** The outputs the report shows, in order, with their labels. */
export const REPORT_FIELDS: readonly (readonly [OutputKey, string])[] = [
  ['DashboardUrl', 'Dashboard'],
  ['Region', 'Region'],
  ['IdentityPoolId', 'Identity pool'],
  ['StreamName', 'Telemetry stream'],
  ['SummaryStreamName', 'Summary stream'],
  ['SummaryTableName', 'Summary table'],
  ['SensorStreamName', 'Sensor stream'],
  ['SensorAggregateTableName', 'Sensor aggregate table'],
  ['DataLakeBucketName', 'Data lake bucket'],
  ['AthenaWorkGroup', 'Athena workgroup'],
  ['GlueTable', 'Glue table'],
  ['ProducerGroupName', 'Producer IAM group'],
];

/**
 * The outputs every deployment has (the streaming lab's); without them the attendee's section
 * says what is missing. The other labs' outputs are there when their lab is, and so are their
 * fields and commands.
 */
const REQUIRED: readonly OutputKey[] = ['DashboardUrl', 'Region', 'IdentityPoolId', 'StreamName'];

export interface ReportCommand {
  readonly label: string;
  readonly command: string;
}

/** What `npm run verify` found for an attendee: whether every path works, its ✓/✗ lines. */
export interface Verification {
  readonly passed: boolean;
  readonly lines: readonly string[];
}

export interface AttendeeReport {
  readonly id: string;
  readonly account?: string;
  readonly stackName: string;
  /** undefined: the outputs file has no entry for the attendee's stack (not deployed). */
  readonly outputs?: StackOutputs;
  /** Required outputs absent from the stack's entry. */
  readonly missing: readonly string[];
  readonly region?: string;
  readonly fields: readonly { label: string; value: string }[];
  readonly commands: readonly ReportCommand[];
  /** The optional web-server stack's commands, when it was deployed. */
  readonly weblogCommands: readonly ReportCommand[];
  /** The end-to-end check's result, when it ran. */
  readonly verification?: Verification;
}

/** The workshop's three unicorns, one producer each. */
export const REPORT_UNICORNS = UNICORN_NAMES.slice(0, 3);

function commandsFor(outputs: StackOutputs, region: string): ReportCommand[] {
  const at = `-region ${region}`;
  const commands: ReportCommand[] = REPORT_UNICORNS.map((name) => ({
    label: `Producer for ${name} (one terminal each)`,
    command: `npx producer -name ${name} -stream ${outputs.StreamName} ${at}`,
  }));
  if (outputs.SummaryStreamName) {
    commands.push({
      label: 'Consumer: the per-minute summaries',
      command: `npx consumer -stream ${outputs.SummaryStreamName} ${at}`,
    });
  }
  if (outputs.SensorStreamName) {
    commands.push({
      label: 'Sensor data generator',
      command: `npx datagen -stream ${outputs.SensorStreamName} ${at}`,
    });
  }
  if (outputs.SummaryTableName) {
    commands.push({
      label: 'Summaries in DynamoDB',
      command: `aws dynamodb scan --table-name ${outputs.SummaryTableName} --max-items 5 --region ${region}`,
    });
  }
  if (outputs.AthenaWorkGroup && outputs.GlueTable) {
    commands.push({
      label: 'Athena over the data lake',
      command: `aws athena start-query-execution --work-group ${outputs.AthenaWorkGroup} --region ${region} --query-string "SELECT name, count(*) AS records FROM ${outputs.GlueTable} GROUP BY name"`,
    });
  }
  return commands;
}

/** One section per attendee, in workshop order; attendees without outputs are kept and flagged. */
export function attendeeReports(
  attendees: readonly AttendeePlan[],
  outputs: OutputsByStack,
  verifications: Readonly<Record<string, Verification>> = {},
): AttendeeReport[] {
  return attendees.map((attendee) => {
    const own = outputs[attendee.stackName];
    const weblogs = outputs[attendee.weblogStackName];
    const missing = own ? REQUIRED.filter((key) => !own[key]) : [...REQUIRED];
    const region = own?.Region ?? attendee.region;
    const fields = own
      ? REPORT_FIELDS.flatMap(([key, label]) => (own[key] ? [{ label, value: own[key] }] : []))
      : [];
    const weblogCommands: ReportCommand[] = [];
    if (weblogs?.SessionCommand)
      weblogCommands.push({ label: 'Shell on the web server', command: weblogs.SessionCommand });
    if (weblogs?.BrowseCommand) {
      weblogCommands.push({
        label: 'Browse the site at http://localhost:8080/',
        command: weblogs.BrowseCommand,
      });
    }
    if (weblogs?.WeblogStreamName && region) {
      weblogCommands.push({
        label: 'Access logs arriving',
        command: `npx consumer -stream ${weblogs.WeblogStreamName} -region ${region}`,
      });
    }
    return {
      id: attendee.id,
      ...(attendee.account ? { account: attendee.account } : {}),
      stackName: attendee.stackName,
      ...(own ? { outputs: own } : {}),
      missing,
      ...(region ? { region } : {}),
      fields,
      commands: own && missing.length === 0 && region ? commandsFor(own, region) : [],
      weblogCommands,
      ...(verifications[attendee.id] ? { verification: verifications[attendee.id] } : {}),
    };
  });
}

function problem(report: AttendeeReport): string | undefined {
  if (!report.outputs) return `Not deployed: the outputs file has no stack ${report.stackName}.`;
  if (report.missing.length > 0)
    return `Incomplete: ${report.stackName} has no ${report.missing.join(', ')}.`;
  if (report.verification && !report.verification.passed) return 'Verification failed: see below.';
  return undefined;
}

/** The report's one-line summary: how many attendees are ready, and who is not. */
export function reportSummary(reports: readonly AttendeeReport[]): string {
  const notReady = reports.filter((r) => problem(r) !== undefined).map((r) => r.id);
  const ready = reports.length - notReady.length;
  return notReady.length === 0
    ? `${ready} of ${reports.length} attendees ready.`
    : `${ready} of ${reports.length} attendees ready; not ready: ${notReady.join(', ')}.`;
}

const mdCell = (text: string) => text.replace(/\|/g, '\\|');
const isHttps = (url: string) => /^https:\/\/[^\s"'<>|]+$/.test(url);

export function renderMarkdown(title: string, reports: readonly AttendeeReport[]): string {
  const lines = [`# ${title}`, '', reportSummary(reports), ''];
  lines.push(
    '| Attendee | Account | Region | Dashboard | Identity pool |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const r of reports) {
    lines.push(
      `| ${r.id} | ${r.account ?? '(facilitator)'} | ${r.region ?? ''} | ${mdCell(r.outputs?.DashboardUrl ?? '—')} | ${mdCell(r.outputs?.IdentityPoolId ?? '—')} |`,
    );
  }
  for (const r of reports) {
    lines.push('', `## ${r.id}`, '');
    const issue = problem(r);
    if (issue) lines.push(`**${issue}**`, '');
    lines.push(`Stack \`${r.stackName}\`${r.account ? ` in account ${r.account}` : ''}.`, '');
    if (r.fields.length > 0) {
      lines.push('| | |', '| --- | --- |');
      for (const f of r.fields) {
        const value = f.label === 'Dashboard' && isHttps(f.value) ? f.value : `\`${mdCell(f.value)}\``;
        lines.push(`| ${f.label} | ${value} |`);
      }
      lines.push('');
    }
    if (r.verification) lines.push('Verification:', '', '```', ...r.verification.lines, '```', '');
    for (const c of [...r.commands, ...r.weblogCommands]) {
      lines.push(`${c.label}:`, '', '```sh', c.command, '```', '');
    }
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A link only for an https URL; anything else is shown as text. */
const link = (url: string) =>
  /^https:\/\/[^\s"'<>]+$/.test(url)
    ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`
    : escapeHtml(url);

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
pre{background:#f4f4f4;padding:.6rem;overflow-x:auto}section{border-top:2px solid #ddd;margin-top:2rem}.problem{color:#a00;font-weight:bold}.nowrap{white-space:nowrap}`;

export function renderHtml(title: string, reports: readonly AttendeeReport[]): string {
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(reportSummary(reports))}</p>`,
    '<table>',
    '<tr><th>Attendee</th><th>Account</th><th>Region</th><th>Dashboard</th><th>Identity pool</th></tr>',
  ];
  for (const r of reports) {
    out.push(
      `<tr><td><a href="#${escapeHtml(r.id)}">${escapeHtml(r.id)}</a></td><td class="nowrap">${escapeHtml(r.account ?? '(facilitator)')}</td><td class="nowrap">${escapeHtml(r.region ?? '')}</td><td>${r.outputs?.DashboardUrl ? link(r.outputs.DashboardUrl) : '—'}</td><td>${escapeHtml(r.outputs?.IdentityPoolId ?? '—')}</td></tr>`,
    );
  }
  out.push('</table>');
  for (const r of reports) {
    out.push(`<section id="${escapeHtml(r.id)}">`, `<h2>${escapeHtml(r.id)}</h2>`);
    const issue = problem(r);
    if (issue) out.push(`<p class="problem">${escapeHtml(issue)}</p>`);
    out.push(
      `<p>Stack <code>${escapeHtml(r.stackName)}</code>${r.account ? ` in account ${escapeHtml(r.account)}` : ''}.</p>`,
    );
    if (r.fields.length > 0) {
      out.push('<table>');
      for (const f of r.fields) {
        const value = f.label === 'Dashboard' ? link(f.value) : `<code>${escapeHtml(f.value)}</code>`;
        out.push(`<tr><th>${escapeHtml(f.label)}</th><td>${value}</td></tr>`);
      }
      out.push('</table>');
    }
    if (r.verification) {
      out.push('<p>Verification:</p>', `<pre>${escapeHtml(r.verification.lines.join('\n'))}</pre>`);
    }
    for (const c of [...r.commands, ...r.weblogCommands]) {
      out.push(`<p>${escapeHtml(c.label)}:</p>`, `<pre><code>${escapeHtml(c.command)}</code></pre>`);
    }
    out.push('</section>');
  }
  out.push('</body>', '</html>');
  return `${out.join('\n')}\n`;
}
