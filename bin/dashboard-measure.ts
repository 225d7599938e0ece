/**
 * How many unicorns the dashboard keeps up with: for each fleet size, a simulated fleet puts
 * one record per unicorn per second on a kinesalite stream while headless Chromium shows the
 * page; the page's own counters are sampled. The page keeps up when it shows the whole fleet,
 * no unicorn's latest record shown is older than a poll interval plus the one second between
 * records plus one second of slack, and its reads are not behind the tip of the stream.
 *
 *   npm run dashboard:measure -- --fleet 100,300,1000 --seconds 30
 */

import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchHeadless, flyUnicorns, offlinePage } from '../bench/browser';
import { commandLine, helpShown, positiveNumber, UsageError } from '../cli/args';
import { runMain, sleep } from '../cli/run-main';
import { DEFAULT_POLL_SECONDS } from '../dashboard/config';
import type { DashboardStats } from '../dashboard/src/main';
import { startDashboardServer } from '../dashboard/server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (options: object) => Server;

// The SDK's notice about future Node versions is noise here (see bin/producer.cjs).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const STREAM = 'wildrydes';
/** Poll interval, plus the second between a unicorn's records, plus a second of slack. */
const KEPT_UP_MS = DEFAULT_POLL_SECONDS * 1000 + 1_000 + 1_000;

interface Row {
  fleet: number;
  sentPerSecond: number;
  shown: number;
  recordsPerSecond: number;
  oldestMs: number;
  behindMs: number;
  slowestRenderMs: number;
  slowestBatchMs: number;
  slowestGetRecordsMs: number;
  keptUp: boolean;
}

async function measure(
  fleet: number,
  seconds: number,
  browserPath: string,
  screenshot?: string,
): Promise<Row> {
  const emulator = kinesalite({ createStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => emulator.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(emulator.address() as AddressInfo).port}`;
  const kinesis = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
  const server = await startDashboardServer({
    // Straight to the emulator, with placeholder keys: the measurement is of the page, not of IAM.
    config: { region: 'us-east-1', streamName: STREAM, endpoint },
  });
  const browser = await launchHeadless(browserPath);
  let flying: ReturnType<typeof flyUnicorns> | undefined;
  try {
    const page = await offlinePage(browser, { width: 1280, height: 800 });
    await page.goto(server.url);
    const names = Array.from({ length: fleet }, (_, i) => `Unicorn-${String(i + 1).padStart(4, '0')}`);
    flying = flyUnicorns(kinesis, { stream: STREAM, names, rate: 1, durationSeconds: seconds + 10 });
    // Let the fleet appear, then sample every two seconds.
    await sleep(10_000);
    const samples: DashboardStats[] = [];
    for (let t = 0; t < seconds; t += 2) {
      samples.push(await page.evaluate(() => window.unicornDashboard!.stats()));
      await sleep(2_000);
    }
    if (screenshot) await page.screenshot({ path: screenshot });
    const produced = await flying.stop();
    const worst = (pick: (s: DashboardStats) => number) => Math.max(...samples.map(pick));
    const row = {
      fleet,
      sentPerSecond: produced.sent / (produced.elapsedMs / 1000),
      shown: Math.min(...samples.map((s) => s.unicorns)),
      recordsPerSecond: samples.reduce((sum, s) => sum + s.recordsPerSecond, 0) / samples.length,
      oldestMs: worst((s) => s.oldestMs),
      behindMs: worst((s) => s.behindMs),
      slowestRenderMs: worst((s) => s.slowestRenderMs),
      slowestBatchMs: worst((s) => s.slowestBatchMs),
      slowestGetRecordsMs: worst((s) => s.lastGetRecordsMs),
    };
    return {
      ...row,
      keptUp: row.shown === fleet && row.oldestMs <= KEPT_UP_MS && row.behindMs === 0,
    };
  } finally {
    void flying?.stop().catch(() => undefined);
    await browser.close();
    await server.stop();
    kinesis.destroy();
    emulator.closeAllConnections();
    await new Promise((resolve) => emulator.close(resolve));
  }
}

runMain('measure', async () => {
  const args = commandLine(process.argv.slice(2), 'measure')
    .options({
      fleet: { type: 'string', default: '100,300,1000', describe: 'Fleet sizes to try, comma-separated' },
      seconds: { type: 'string', default: '30', describe: 'Seconds to sample each fleet' },
      browser: { type: 'string', default: '/usr/bin/chromium', describe: 'Chromium executable' },
      screenshot: {
        type: 'string',
        describe: 'Save a screenshot of the page with the last fleet here (PNG)',
      },
    })
    .parseSync();
  if (helpShown(args)) return 0;
  const fleets = String(args.fleet)
    .split(',')
    .map((n) => positiveNumber('fleet', { integer: true, max: 10_000 })(n.trim()));
  const seconds = positiveNumber('seconds', { integer: true, max: 600 })(args.seconds);
  if (fleets.length === 0) throw new UsageError('--fleet needs at least one size');

  const rows: Row[] = [];
  for (const fleet of fleets) {
    process.stderr.write(`measuring ${fleet} unicorns for ${seconds} s…\n`);
    const last = fleet === fleets.at(-1);
    rows.push(await measure(fleet, seconds, args.browser, last ? args.screenshot : undefined));
  }
  const ms = (n: number) => `${(n / 1000).toFixed(1)} s`;
  console.log(
    '| unicorns | put/s | shown | read/s | oldest last record | behind | GetRecords call | handling a response | frame | kept up |',
  );
  console.log(
    '| -------: | ----: | ----: | -----: | -----------------: | -----: | --------------: | ------------------: | ----: | :------ |',
  );
  for (const r of rows) {
    console.log(
      `| ${r.fleet} | ${r.sentPerSecond.toFixed(0)} | ${r.shown} | ${r.recordsPerSecond.toFixed(0)} | ${ms(r.oldestMs)} | ${ms(r.behindMs)} | ${r.slowestGetRecordsMs.toFixed(0)} ms | ≤ ${r.slowestBatchMs.toFixed(0)} ms | ≤ ${r.slowestRenderMs.toFixed(0)} ms | ${r.keptUp ? 'yes' : 'no'} |`,
    );
  }
  return 0;
});
