import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { commandLine, helpShown, workshopFileOption } from '../cli/args';
import { runMain } from '../cli/run-main';
import { planWorkshop, readWorkshopFile } from '../lib/workshop';
import { provisionFiles } from '../ops/provision';
import { attendeeReports, parseOutputs, renderHtml, renderMarkdown, reportSummary } from '../ops/report';

const USAGE = `Writes the facilitator report (Markdown and HTML) from the outputs \`cdk deploy --outputs-file\`
collected for a workshop: per attendee the dashboard, identity pool, region, stream and table
names, and the producer and consumer commands to paste.

Usage: npm run report -- -workshop FILE -outputs FILE [-out DIR]`;

runMain('report', async () => {
  const args = commandLine(process.argv.slice(2), 'report')
    .usage(USAGE)
    .options({
      ...workshopFileOption,
      outputs: {
        type: 'string',
        requiresArg: true,
        demandOption: true,
        describe: 'Outputs file of cdk deploy',
      },
      out: {
        type: 'string',
        requiresArg: true,
        default: '.local/workshop',
        describe: 'Where the reports go',
      },
      region: {
        type: 'string',
        requiresArg: true,
        describe: 'Region for attendees without one (default: AWS_REGION)',
      },
    })
    .parseSync();
  if (helpShown(args)) return 0;

  const spec = readWorkshopFile(args.workshop);
  const region = args.region ?? process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION;
  const attendees = planWorkshop(spec, {
    CDK_DEFAULT_ACCOUNT: process.env.CDK_DEFAULT_ACCOUNT,
    CDK_DEFAULT_REGION: region,
  });
  let text: string;
  try {
    text = readFileSync(args.outputs, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read outputs file ${args.outputs}: ${(error as Error).message}`);
  }
  const reports = attendeeReports(attendees, parseOutputs(text, args.outputs));
  const files = provisionFiles(args.out);
  mkdirSync(path.resolve(args.out), { recursive: true });
  const title = spec.name ?? 'Wild Rydes workshop';
  writeFileSync(files.markdown, renderMarkdown(title, reports));
  writeFileSync(files.html, renderHtml(title, reports));
  process.stdout.write(`${reportSummary(reports)} Report: ${files.markdown} and ${files.html}\n`);
  return reports.every((r) => r.commands.length > 0) ? 0 : 1;
});
