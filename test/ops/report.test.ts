import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { planWorkshop, readWorkshopFile } from '../../lib/workshop';
import {
  attendeeReports,
  OutputsFileError,
  parseOutputs,
  renderHtml,
  renderMarkdown,
  reportSummary,
} from '../../ops/report';
import type { OutputsByStack } from '#core/outputs';

const ROOT = path.resolve(__dirname, '..', '..');
const attendees = planWorkshop(readWorkshopFile(path.join(ROOT, 'examples', 'workshop.json')));
const outputsText = readFileSync(path.join(__dirname, 'fixtures', 'outputs.json'), 'utf8');
const outputs = parseOutputs(outputsText, 'outputs.json');
const without = (name: string): OutputsByStack =>
  Object.fromEntries(Object.entries(outputs).filter(([k]) => k !== name));

describe('outputs file', () => {
  it('reads what cdk deploy --outputs-file writes', () => {
    expect(Object.keys(outputs)).toEqual([
      'WildRydes-alice',
      'WildRydes-bob',
      'WildRydes-carol',
      'WildRydes-carol-Weblogs',
    ]);
  });

  it.each([
    ['{', /^o\.json: not JSON/],
    ['[]', /o\.json: expected an object of stacks, got \[\]/],
    ['{"S": 1}', /o\.json: S must be an object, got 1/],
    ['{"S": {"Region": 7}}', /o\.json: S\.Region must be a string, got 7/],
  ])('rejects %s', (text, message) => {
    expect(() => parseOutputs(text, 'o.json')).toThrow(OutputsFileError);
    expect(() => parseOutputs(text, 'o.json')).toThrow(message);
  });
});

describe('attendee reports', () => {
  const reports = attendeeReports(attendees, outputs);

  it('gives each attendee their dashboard, identity pool, region, streams and tables', () => {
    const alice = reports[0];
    expect(alice).toMatchObject({
      id: 'alice',
      account: '111111111111',
      stackName: 'WildRydes-alice',
      missing: [],
    });
    expect(Object.fromEntries(alice.fields.map((f) => [f.label, f.value]))).toMatchObject({
      Dashboard: 'https://d111111abcdef8.cloudfront.net/',
      Region: 'us-east-1',
      'Identity pool': 'us-east-1:6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b',
      'Telemetry stream': 'alice-wildrydes',
      'Summary stream': 'alice-wildrydes-summary',
      'Summary table': 'alice-UnicornSensorData',
      'Sensor stream': 'alice-sensor-data',
    });
  });

  it('gives the exact producer and consumer commands to paste', () => {
    expect(reports[0].commands.map((c) => c.command)).toEqual([
      'npx producer -name Shadowfax -stream alice-wildrydes -region us-east-1',
      'npx producer -name Bucephalus -stream alice-wildrydes -region us-east-1',
      'npx producer -name Rocinante -stream alice-wildrydes -region us-east-1',
      'npx consumer -stream alice-wildrydes-summary -region us-east-1',
      'npx datagen -stream alice-sensor-data -region us-east-1',
      'aws dynamodb scan --table-name alice-UnicornSensorData --max-items 5 --region us-east-1',
      'aws athena start-query-execution --work-group alice-wildrydes --region us-east-1 --query-string "SELECT name, count(*) AS records FROM alice_wildrydes.unicorn_status GROUP BY name"',
    ]);
    // Carol is alone in her account: the seed's own names, in her region.
    expect(reports[2].commands[0].command).toBe(
      'npx producer -name Shadowfax -stream wildrydes -region eu-west-1',
    );
    expect(reports[2].commands[3].command).toBe('npx consumer -stream wildrydes-summary -region eu-west-1');
  });

  it('adds the web-server commands where that stack was deployed', () => {
    expect(reports[0].weblogCommands).toEqual([]);
    expect(reports[2].weblogCommands.map((c) => c.command)).toEqual([
      'aws ssm start-session --target i-0123456789abcdef0 --region eu-west-1',
      'aws ssm start-session --target i-0123456789abcdef0 --region eu-west-1 --document-name AWS-StartPortForwardingSession --parameters portNumber=80,localPortNumber=8080',
      'npx consumer -stream weblogs -region eu-west-1',
    ]);
  });

  it('keeps an attendee without outputs, flagged, and one with missing outputs', () => {
    const partial = attendeeReports(attendees, {
      ...without('WildRydes-bob'),
      'WildRydes-carol': { ...outputs['WildRydes-carol'], DashboardUrl: '' },
    });
    expect(partial.map((r) => r.id)).toEqual(['alice', 'bob', 'carol']);
    expect(partial[1]).toMatchObject({ commands: [], region: 'us-east-1' });
    expect(partial[1].outputs).toBeUndefined();
    expect(partial[2]).toMatchObject({ missing: ['DashboardUrl'], commands: [] });
    expect(reportSummary(partial)).toBe('1 of 3 attendees ready; not ready: bob, carol.');
    expect(reportSummary(reports)).toBe('3 of 3 attendees ready.');
    const markdown = renderMarkdown('W', partial);
    expect(markdown).toContain('**Not deployed: the outputs file has no stack WildRydes-bob.**');
    expect(markdown).toContain('**Incomplete: WildRydes-carol has no DashboardUrl.**');
  });
});

describe('a deployment with fewer labs', () => {
  it('is ready with the streaming lab’s outputs, and lists only the commands of its labs', () => {
    const streamingOnly = Object.fromEntries(
      Object.entries(outputs['WildRydes-alice']).filter(
        ([key]) => !/^(Summary|DataLake|Athena|Glue|Sensor)/.test(key),
      ),
    );
    const [alice] = attendeeReports(attendees, { ...outputs, 'WildRydes-alice': streamingOnly });
    expect(alice.missing).toEqual([]);
    expect(alice.commands.map((c) => c.command.split(' ').slice(0, 2).join(' '))).toEqual([
      'npx producer',
      'npx producer',
      'npx producer',
    ]);
    expect(alice.fields.map((f) => f.label)).not.toContain('Summary stream');
  });
});

describe('rendering', () => {
  const reports = attendeeReports(attendees, outputs);

  it('writes Markdown: an overview table, then a section per attendee with commands', () => {
    const markdown = renderMarkdown('Wild Rydes streaming workshop', reports);
    expect(markdown.startsWith('# Wild Rydes streaming workshop\n\n3 of 3 attendees ready.\n')).toBe(true);
    expect(markdown).toContain(
      '| alice | 111111111111 | us-east-1 | https://d111111abcdef8.cloudfront.net/ | us-east-1:6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b |',
    );
    expect(markdown).toContain(
      '## carol\n\nStack `WildRydes-carol` in account 222222222222.\n\n| | |\n| --- | --- |\n| Dashboard | https://d333333abcdef8.cloudfront.net/ |',
    );
    expect(markdown).toContain('```sh\nnpx consumer -stream wildrydes-summary -region eu-west-1\n```');
    expect(renderMarkdown('Wild Rydes streaming workshop', reports)).toBe(markdown);
  });

  it('writes a self-contained HTML page with links to the dashboards', () => {
    const html = renderHtml('Wild Rydes streaming workshop', reports);
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(
      '<a href="https://d222222abcdef8.cloudfront.net/">https://d222222abcdef8.cloudfront.net/</a>',
    );
    expect(html).toContain('<section id="bob">');
    expect(html).toContain(
      '<pre><code>aws athena start-query-execution --work-group bob-wildrydes --region us-east-1 --query-string &quot;SELECT name, count(*) AS records FROM bob_wildrydes.unicorn_status GROUP BY name&quot;</code></pre>',
    );
    expect(html).not.toMatch(/<script|<link|src=/);
  });

  it('escapes everything it did not write itself', () => {
    const hostile = attendeeReports(attendees, {
      ...outputs,
      'WildRydes-alice': {
        ...outputs['WildRydes-alice'],
        DashboardUrl: 'javascript:alert(1)',
        StreamName: '<b>x</b>',
      },
    });
    const html = renderHtml('<script>alert("t")</script>', hostile);
    expect(html).toContain('<title>&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;</title>');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });
});
