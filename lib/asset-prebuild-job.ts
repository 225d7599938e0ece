/**
 * What a prebuild worker runs (lib/asset-prebuild.ts): the same builds the constructs would run,
 * with the same settings, so a prebuilt bundle is byte for byte the one they would make.
 */
import type { PrebuildJob, PrebuildResult } from './asset-prebuild';
import { dashboardPageBuild } from './constructs/dashboard-page';
import { HandlerBundles } from './constructs/handler-bundles';
import { handlerBundleSettings } from './constructs/wildrydes-function';

/** Copies each file into a buffer of its own, so that posting it copies no more than the file. */
const own = (files: Map<string, Uint8Array>) =>
  new Map([...files].map(([file, contents]) => [file, new Uint8Array(contents)]));

export function runPrebuildJob(job: PrebuildJob): PrebuildResult {
  try {
    if (job.kind === 'dashboard') return { ok: true, value: own(dashboardPageBuild()) };
    const settings = handlerBundleSettings();
    const bundles = HandlerBundles.buildAll(job.outdir, settings);
    return {
      ok: true,
      value: { settings, bundles: new Map([...bundles].map(([dir, files]) => [dir, own(files)])) },
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
