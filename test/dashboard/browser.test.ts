/**
 * The dashboard in a real browser (Debian's Chromium, headless) served by the local runtime
 * (`npm start`'s pipeline, from a freshly synthesized assembly, with its emulators): producers
 * put records, the page shows a marker and a list entry per unicorn, clicking one shows its
 * details, and a unicorn whose producer stopped leaves the map after the (shortened) expiry and
 * comes back when its producer resumes. Map tiles are blocked, as offline: the page draws its
 * simplified offline map instead, and each unicorn's trail over it.
 */

import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD, unicornDashboard } from '../../bin/local-workloads';
import { startDashboardServer } from '../../dashboard/server';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { synthesizeAssembly } from '../support/assembly';
import { drawnPixels, expectCount, flyUnicorns, launchChromium, offlinePage } from '../support/browser';

const STREAM = 'wildrydes';
const EXPIRY_SECONDS = 3;
const SCREENSHOT = join(__dirname, '..', '..', 'test-results', 'dashboard.png');

let assembly: ReturnType<typeof synthesizeAssembly>;
let pipeline: LocalPipeline;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const producers = new Set<ReturnType<typeof flyUnicorns>>();

/** A producer for one unicorn, two records a second, until the returned function is called. */
function produce(name: string, seed: number) {
  const producer = flyUnicorns(pipeline.kinesis, { stream: STREAM, names: [name], rate: 2, seed });
  producers.add(producer);
  return async () => {
    await producer.stop();
    producers.delete(producer);
  };
}

const marker = (name: string) => page.locator(`.leaflet-marker-pane .unicorn-marker[data-name="${name}"]`);
const listItem = (name: string) => page.locator(`#unicorns li[data-name="${name}"]`);
const field = (name: string) => page.locator(`#details [data-field="${name}"]`);
const trail = (name: string) => page.evaluate((n) => window.unicornDashboard!.trail(n), name);
/** Pixels drawn on the trails' canvas. */
const trailPixels = () => drawnPixels(page, '.leaflet-trails-pane canvas.unicorn-trails');

beforeAll(async () => {
  assembly = synthesizeAssembly();
  pipeline = await startLocalPipeline({
    assemblyDir: assembly.dir,
    dataDir: mkdtempSync(join(tmpdir(), 'dashboard-')),
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
    workloads: [unicornDashboard(0, { expirySeconds: EXPIRY_SECONDS, pollSeconds: 0.5 })],
    log: () => undefined,
  });
  browser = await launchChromium();
  // Offline: no map tile ever loads.
  page = await offlinePage(browser, { width: 1200, height: 750 }, pageErrors);
});

afterAll(async () => {
  await Promise.allSettled([...producers].map((p) => p.stop()));
  await browser?.close();
  await pipeline?.stop();
  assembly?.remove();
});

it('shows two unicorns, their details, and lets a silent one go and come back', async () => {
  const stopShadowfax = produce('Shadowfax', 1);
  const stopBucephalus = produce('Bucephalus', 2);

  await page.goto(pipeline.urls[DASHBOARD]!);
  await page.locator('#connection[data-state="live"]').waitFor();
  await expectCount(page.locator('.leaflet-marker-pane .unicorn-marker'), 2);
  await expectCount(page.locator('#unicorns li'), 2);
  expect(await page.locator('#unicorns li .name').allTextContents()).toEqual(['Bucephalus', 'Shadowfax']);
  expect(await page.locator('#stream').textContent()).toBe(STREAM);

  await marker('Shadowfax').click();
  await page.locator('#details:not([hidden])').waitFor();
  expect(await field('name').textContent()).toBe('Shadowfax');
  expect(await field('time').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
  expect(await field('position').textContent()).toMatch(/^\d+\.\d{5}° N, \d+\.\d{5}° W$/);
  expect(await field('distance').textContent()).toMatch(/^\d+\.\d m$/);
  expect(Number(await field('magic').textContent())).toBeGreaterThanOrEqual(100);
  expect(Number(await field('health').textContent())).toBeGreaterThanOrEqual(100);
  // The simulated unicorns fly 25.5 to 34.5 m/s; the page measures it from successive positions.
  await page.waitForFunction(() => /m\/s/.test(document.querySelector('[data-field="speed"]')!.textContent!));
  const speed = Number((await field('speed').textContent())!.match(/^([\d.]+) m\/s/)![1]);
  expect(speed).toBeGreaterThan(20);
  expect(speed).toBeLessThan(40);
  expect(await marker('Shadowfax').getAttribute('class')).toMatch(/\bselected\b/);

  // No tile loads, so the simplified offline map shows, and says what it is.
  expect(await page.locator('.leaflet-offline-map-pane svg path').count()).toBeGreaterThan(30);
  expect(await page.locator('.leaflet-offline-map-labels-pane .offline-map-label').count()).toBeGreaterThan(
    10,
  );
  await page.locator('.offline-map-notice:not([hidden])').waitFor();
  expect(await page.locator('.offline-map-notice').textContent()).toMatch(/simplified offline map/);
  // Each unicorn draws a trail behind it, ending at its marker (within a record or so).
  await page.waitForFunction(() => window.unicornDashboard!.trail('Shadowfax').length >= 6);
  const { points, shown } = await page.evaluate(() => ({
    points: window.unicornDashboard!.trail('Shadowfax'),
    shown: document.querySelector('#details [data-field="position"]')!.textContent!,
  }));
  const [, lat, lon] = shown.match(/^([\d.]+)° N, ([\d.]+)° W$/)!;
  expect(points.at(-1)![0]).toBeCloseTo(Number(lat), 3);
  expect(points.at(-1)![1]).toBeCloseTo(-Number(lon), 3);
  expect((await trail('Bucephalus')).length).toBeGreaterThanOrEqual(2);
  expect(await trailPixels()).toBeGreaterThan(50);

  // Selected from the list this time; then its producer stops.
  await listItem('Bucephalus').locator('button').click();
  await page.waitForFunction(
    () => document.querySelector('[data-field="name"]')!.textContent === 'Bucephalus',
  );
  await stopBucephalus();
  const stoppedAt = Date.now();
  await marker('Bucephalus').waitFor({ state: 'detached', timeout: 10_000 });
  const goneAfter = (Date.now() - stoppedAt) / 1000;
  expect(goneAfter).toBeGreaterThan(EXPIRY_SECONDS - 1.5);
  await expectCount(page.locator('#unicorns li'), 1);
  expect(await trail('Bucephalus')).toEqual([]);
  expect(await listItem('Shadowfax').count()).toBe(1);
  expect(await marker('Shadowfax').count()).toBe(1);
  // Its details stay, saying it has left.
  expect(await page.locator('#details').getAttribute('data-state')).toBe('gone');
  expect(await page.locator('#details .gone').isVisible()).toBe(true);

  // Its producer resumes: it is back, still selected.
  const stopAgain = produce('Bucephalus', 3);
  await marker('Bucephalus').waitFor();
  await expectCount(page.locator('#unicorns li'), 2);
  expect(await page.locator('#details').getAttribute('data-state')).toBe('active');
  expect(await marker('Bucephalus').getAttribute('class')).toMatch(/\bselected\b/);

  // A hidden tab stops reading, and picks up again when visible.
  const setHidden = (hidden: boolean) =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'hidden', { value, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await setHidden(true);
  await page.locator('#connection[data-state="paused"]').waitFor();
  await setHidden(false);
  await page.locator('#connection[data-state="live"]').waitFor();
  await expectCount(page.locator('#unicorns li'), 2);

  // By now Shadowfax has flown a while: the screenshot shows its trail on the offline map.
  mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  await Promise.all([stopAgain(), stopShadowfax()]);
  expect(pageErrors).toEqual([]);
});

it('shows why it cannot read: a stream that does not exist', async () => {
  const missing = await startDashboardServer({
    // No identity pool: the page signs with placeholder keys, the endpoint's administrator.
    config: { region: 'us-east-1', streamName: 'no-such-stream', endpoint: pipeline.endpoint },
  });
  try {
    await page.goto(missing.url);
    await page.locator('#connection[data-state="error"]').waitFor();
    expect(await page.locator('#connection .detail').textContent()).toBe('Stream "no-such-stream" not found');
  } finally {
    await missing.stop();
  }
});

it("shows the tile server's map when its tiles load, without the offline notice", async () => {
  // A 1x1 white GIF stands for every tile.
  const tile = Buffer.from('R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs=', 'base64');
  const tiles = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'image/gif' }).end(tile));
  await new Promise<void>((resolve) => tiles.listen(0, '127.0.0.1', resolve));
  const { port } = tiles.address() as AddressInfo;
  const online = await startDashboardServer({
    config: {
      region: 'us-east-1',
      streamName: STREAM,
      endpoint: pipeline.endpoint,
      tileUrl: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`,
    },
  });
  try {
    await page.goto(online.url);
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-loaded').length > 0);
    expect(await page.locator('.offline-map-notice').isHidden()).toBe(true);
    // The offline map is still there, under the tiles, for any tile that fails later.
    expect(await page.locator('.leaflet-offline-map-pane svg path').count()).toBeGreaterThan(30);
  } finally {
    await online.stop();
    tiles.closeAllConnections();
    await new Promise((resolve) => tiles.close(resolve));
  }
});
