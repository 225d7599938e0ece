/**
 * Headless Chromium for the browser tests: Debian's (`apt-get install chromium`), or another
 * Chromium or Chrome through CHROMIUM_PATH, and pages kept offline (only 127.0.0.1 is reached).
 */
import { existsSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchHeadless, offlinePage as headlessPage } from '../../bench/browser';
import { sleep } from '../../cli/run-main';

export { flyUnicorns } from '../../bench/browser';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches headless Chromium (see bench/browser.ts), saying how to install it when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return launchHeadless(CHROMIUM);
}

/**
 * A page of the given size whose uncaught errors are pushed to `errors`, offline: every request
 * to anything but 127.0.0.1 (map tiles, fonts) is aborted.
 */
export async function offlinePage(
  browser: Browser,
  viewport: { width: number; height: number },
  errors: string[],
): Promise<Page> {
  const page = await headlessPage(browser, viewport);
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

/** Waits until the locator matches exactly `count` elements, then asserts it (the count seen last). */
export async function expectCount(locator: Locator, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = await locator.count();
  while (seen !== count && Date.now() < deadline) {
    await sleep(100);
    seen = await locator.count();
  }
  expect(seen).toBe(count);
}

/** Pixels drawn (not fully transparent) on the first canvas matching `selector`; 0 without one. */
export function drawnPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate((s) => {
    const canvas = document.querySelector<HTMLCanvasElement>(s);
    if (!canvas) return 0;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn += 1;
    return drawn;
  }, selector);
}
