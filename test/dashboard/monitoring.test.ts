/**
 * The Monitoring view in a real browser (Debian's Chromium, headless), served by the local
 * runtime from a freshly synthesized assembly: a producer flies a unicorn, and the view draws
 * the template's own CloudWatch dashboard, every widget of its synthesized DashboardBody (the
 * text, the alarm status tiles, the graphs) with the run's metrics. Then a malformed record
 * goes to a failure queue, the alarms' clock (the test's) moves on two minutes, and the
 * header and the tiles show that alarm in ALARM.
 */

import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD, unicornDashboard } from '../../bin/local-workloads';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { synthesizeAssembly } from '../support/assembly';
import { drawnPixels, expectCount, flyUnicorns, launchChromium, offlinePage } from '../support/browser';
import { manualClock } from '../support/manual-clock';
import { waitUntil } from '../support/wait';

const SCREENSHOT = join(__dirname, '..', '..', 'test-results', 'monitoring.png');

let assembly: ReturnType<typeof synthesizeAssembly>;
let pipeline: LocalPipeline;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const alarmClock = manualClock(Date.now());

beforeAll(async () => {
  assembly = synthesizeAssembly();
  pipeline = await startLocalPipeline({
    assemblyDir: assembly.dir,
    dataDir: mkdtempSync(join(tmpdir(), 'monitoring-')),
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
    windowSeconds: 5,
    batchingWindowSeconds: 0.2,
    pollMs: 100,
    alarmClock,
    workloads: [unicornDashboard(0, { expirySeconds: 5, pollSeconds: 0.5 })],
    log: () => undefined,
  });
  browser = await launchChromium();
  // Offline: no map tile ever loads.
  page = await offlinePage(browser, { width: 1400, height: 1000 }, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await pipeline?.stop();
  assembly?.remove();
});

/** Pixels drawn on a widget's chart canvas. */
const chartPixels = (title: string) => drawnPixels(page, `.widget[data-title="${title}"] canvas`);

it("draws the template's CloudWatch dashboard with the run's metrics, and an alarm at a glance", async () => {
  const flying = flyUnicorns(pipeline.kinesis, {
    stream: 'wildrydes',
    names: ['Shadowfax'],
    rate: 5,
    seed: 1,
  });
  // Records in, read by Lambda and Firehose: the stream's and the functions' metrics have data.
  await waitUntil(
    () => pipeline.status().consumers.some((c) => c.label === 'SummaryAggregation' && c.records >= 5),
    'records aggregated',
  );
  await flying.stop();

  const body = JSON.parse(pipeline.stacks[0].dashboards[0].body) as {
    widgets: { type: string; properties: { title?: string; markdown?: string } }[];
  };
  await page.goto(`${pipeline.urls[DASHBOARD]!}#monitoring`);
  await page.locator('#monitoring .widget').first().waitFor();

  // Every widget of the synthesized body, in its kind.
  const widgets = page.locator('#monitoring .widget');
  expect(await widgets.count()).toBe(body.widgets.length);
  const kinds = await widgets.evaluateAll((boxes) => boxes.map((b) => (b as HTMLElement).dataset.type));
  expect(kinds).toEqual(
    body.widgets.map((w) => ({ metric: 'graph', alarm: 'alarms', text: 'text' })[w.type]),
  );

  // Text: the markdown, drawn.
  expect(await page.locator('.widget[data-type="text"] h2').textContent()).toBe('Wild Rydes pipeline');
  // Alarms: one tile per alarm of the template, every one evaluated.
  const alarms = pipeline.stacks.flatMap((s) => s.alarms);
  await expectCount(page.locator('.widget[data-type="alarms"] .alarm-tile'), alarms.length);
  expect(await page.locator('.alarm-tile[data-state="OK"]').count()).toBe(alarms.length);
  expect(await page.locator('#alarm-summary').getAttribute('data-state')).toBe('OK');

  // Graphs with data: incoming records and the consumers' iterator age, drawn by uPlot.
  for (const title of ['Incoming records', 'Iterator age (ms)', 'Lambda duration (p99)']) {
    const points = Number(await page.locator(`.widget[data-title="${title}"]`).getAttribute('data-points'));
    expect([title, points > 0]).toEqual([title, true]);
    expect(await chartPixels(title)).toBeGreaterThan(100);
  }

  // Provoke the DeadLetters alarm: a malformed record on the failure queue, two minutes on.
  await pipeline.kinesis.send(
    new PutRecordCommand({ StreamName: 'wildrydes', PartitionKey: 'Poison', Data: Buffer.from('{"Name":') }),
  );
  const aggregation = pipeline.stacks[0].functions.find((f) => /^SummaryAggregation/.test(f.logicalId))!;
  const queue = aggregation.environment.FAILURE_QUEUE_URL.split('/').pop()!;
  await waitUntil(() => pipeline.emulators.sqs.messages(queue).length > 0, 'the malformed record set aside');
  for (let minute = 0; minute < 2; minute++) {
    const before = pipeline.alarms.lastEvaluated!;
    alarmClock.advance(60_000);
    await waitUntil(() => pipeline.alarms.lastEvaluated! > before, 'an evaluation');
  }
  await page.reload();
  await page.locator('#alarm-summary[data-state="ALARM"]').waitFor();
  expect(await page.locator('#alarm-summary').textContent()).toMatch(/^1 in alarm: .*DeadLetters/);
  expect(await page.locator('.alarm-tile[data-state="ALARM"] .alarm-name').allTextContents()).toEqual([
    expect.stringMatching(/DeadLetters$/),
  ]);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(pageErrors).toEqual([]);
});
