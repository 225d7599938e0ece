/**
 * The Monitoring view in a real browser (Debian's Chromium, headless), served by the local
 * runtime from a freshly synthesized assembly: a producer flies a unicorn, and the view draws
 * the template's own CloudWatch dashboard, every widget of its synthesized DashboardBody (the
 * text, the alarm status tiles, the graphs) with the run's metrics. Then a malformed record
 * goes to a failure queue, the alarms' clock (the test's) moves on two minutes, and the
 * header and the tiles show that alarm in ALARM.
 */

import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DASHBOARD, unicornDashboard } from '../../bin/local-workloads';
import { runProducer } from '../../commands/producer';
import { sleep } from '../../cli/run-main';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { synthesizeAssembly } from '../support/assembly';
import { manualClock } from '../support/manual-clock';
import { waitUntil } from '../support/wait';

const SCREENSHOT = join(__dirname, '..', '..', 'test-results', 'monitoring.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let assembly: ReturnType<typeof synthesizeAssembly>;
let pipeline: LocalPipeline;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const alarmClock = manualClock(Date.now());

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
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
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
});

afterAll(async () => {
  await browser?.close();
  await pipeline?.stop();
  assembly?.remove();
});

/** Pixels drawn on a widget's chart canvas. */
const drawnPixels = (title: string) =>
  page.evaluate((t) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`.widget[data-title="${t}"] canvas`);
    if (!canvas) return 0;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
    return drawn;
  }, title);

it("draws the template's CloudWatch dashboard with the run's metrics, and an alarm at a glance", async () => {
  const stop = new AbortController();
  const flying = runProducer(
    { stream: 'wildrydes', names: ['Shadowfax'], rate: 5, seed: 1, quiet: true },
    {
      kinesis: pipeline.kinesis,
      out: () => {},
      now: Date.now,
      sleep,
      stop: stop.signal,
      abandon: new AbortController().signal,
    },
  );
  // Records in, read by Lambda and Firehose: the stream's and the functions' metrics have data.
  await waitUntil(
    () => pipeline.status().consumers.some((c) => c.label === 'SummaryAggregation' && c.records >= 5),
    'records aggregated',
  );
  stop.abort();
  await flying;

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
    expect(await drawnPixels(title)).toBeGreaterThan(100);
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

async function expectCount(locator: ReturnType<Page['locator']>, count: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = await locator.count();
  while (seen !== count && Date.now() < deadline) {
    await sleep(100);
    seen = await locator.count();
  }
  expect(seen).toBe(count);
}
