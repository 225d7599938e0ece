/**
 * Headless Chromium showing the dashboard offline, and a fleet of unicorns flying into its
 * stream with the real clock: what the dashboard measurement (bin/dashboard-measure.ts) and the
 * browser tests (test/support/browser.ts) both run.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { chromium, type Browser, type Page } from 'playwright-core';
import { sleep } from '../cli/run-main';
import { runProducer, type ProducerOptions, type ProducerStats } from '../commands/producer';

/** Launches headless Chromium without the background traffic a first run would make. */
export function launchHeadless(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** A page of the given size kept offline: every request to anything but 127.0.0.1 is aborted. */
export async function offlinePage(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
  return page;
}

/**
 * A producer flying unicorns into a stream with the real clock, quietly, until `stop` is called
 * (or `durationSeconds` have passed); `stop` resolves with what it sent.
 */
export function flyUnicorns(
  kinesis: KinesisClient,
  options: Pick<ProducerOptions, 'stream' | 'names' | 'rate' | 'seed' | 'durationSeconds'>,
): { done: Promise<ProducerStats>; stop: () => Promise<ProducerStats> } {
  const stop = new AbortController();
  const done = runProducer(
    { ...options, quiet: true },
    {
      kinesis,
      out: () => {},
      now: Date.now,
      sleep,
      stop: stop.signal,
      abandon: new AbortController().signal,
    },
  );
  return {
    done,
    stop: () => {
      stop.abort();
      return done;
    },
  };
}
