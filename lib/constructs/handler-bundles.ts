import type { BuildOptions } from 'esbuild';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { takePrebuilt } from '../asset-prebuild';
import { buildKey, isCached, readCached, storeBuild, PACKAGES } from './build-cache';

/** The project root, where package.json, the lockfile and `lambda/` live. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Every handler: the folders under `lambda/` that hold a `handler.ts`. */
export function handlerDirs(): string[] {
  const lambdaDir = path.join(PROJECT_ROOT, 'lambda');
  return readdirSync(lambdaDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .filter((dir) => readdirSync(path.join(lambdaDir, dir)).includes('handler.ts'))
    .sort();
}

export interface HandlerBundleSettings {
  /** esbuild's `target`, e.g. `node24` for the nodejs24.x runtime. */
  readonly target: string;
  /** Packages left out of the bundle (the runtime provides them). */
  readonly external: readonly string[];
}

/**
 * The esbuild settings of a handler bundle: exactly what `NodejsFunction` passes to the esbuild
 * CLI for our bundling options (`--bundle --target --platform=node --format=cjs --minify
 * --sourcemap --sources-content=false`, run in the project root), so a bundle is byte for byte
 * the one `NodejsFunction` would make.
 */
export function handlerBuildOptions(settings: HandlerBundleSettings): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    target: settings.target,
    platform: 'node',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    // Line numbers are enough in stack traces; embedding the sources would double the bundle.
    sourcesContent: false,
    external: [...settings.external],
    logLevel: 'silent',
  };
}

/** Each handler's files (by handler folder), by path relative to its bundle folder. */
export type HandlerBuild = Map<string, Map<string, Uint8Array>>;

/**
 * What a handler build reads: the handlers, the domain code they import, the packages, the
 * TypeScript settings esbuild follows, this file (the build's options) and the one that picks
 * the functions' runtime (so, with the installed aws-cdk-lib, esbuild's target).
 */
const HANDLER_INPUTS = [
  'lambda',
  'core',
  ...PACKAGES,
  'tsconfig.json',
  'lib/constructs/handler-bundles.ts',
  'lib/constructs/wildrydes-function.ts',
];

/** Where a handler's bundle lands, relative to the build's outdir: one folder deep, as CDK bundles. */
const outName = (handlerDir: string) => `wildrydes-bundle-${handlerDir}`;

/** In a cached build: the settings it was made with, checked when it is read. */
const SETTINGS_FILE = 'settings.json';

/**
 * The build cache key of every handler's bundles written one folder under `outdir`, leaving out
 * `external` packages. Known without loading aws-cdk-lib: esbuild's target follows from its
 * inputs, and a cached build's settings are checked when it is read.
 */
export function handlerBuildKey(outdir: string, external: readonly string[]): string {
  const relativeRoot = path.relative(path.join(outdir, outName('x')), PROJECT_ROOT);
  return buildKey(HANDLER_INPUTS, { dirs: handlerDirs(), external, relativeRoot });
}

/** Whether the handlers' bundles for `outdir` (the AWS SDK bundled) are in the build cache. */
export function handlerBundlesCached(outdir: string): boolean {
  return isCached('handlers', handlerBuildKey(outdir, []));
}

/**
 * Every handler bundled by one esbuild run with an entry point each, instead of one esbuild
 * process per function. The run happens the first time a function's asset is bundled and
 * serves every other function of the synth (and every later synth in the same process whose
 * bundles sit at the same place relative to the sources).
 *
 * A source map's `sources` are relative to the bundle's folder, so a bundle depends on where
 * it is written: the build targets a folder next to CDK's own bundling folder (one level
 * under the assembly's asset folder), and the results are keyed by that relative position.
 */
export class HandlerBundles {
  /** Per build: each handler's files, by path relative to its bundle folder. */
  private static readonly builds = new Map<string, HandlerBuild>();

  /** Writes the bundle of `handlerDir` (`index.js`, `index.js.map`) into CDK's `outputDir`. */
  static writeBundle(handlerDir: string, outputDir: string, settings: HandlerBundleSettings): void {
    const outdir = path.dirname(outputDir);
    const key = JSON.stringify([path.relative(outdir, PROJECT_ROOT), settings]);
    const bundles =
      HandlerBundles.builds.get(key) ??
      HandlerBundles.cached(outdir, settings) ??
      HandlerBundles.prebuilt(outdir, settings) ??
      HandlerBundles.buildAll(outdir, settings);
    HandlerBundles.builds.set(key, bundles);
    const files = bundles.get(handlerDir);
    if (!files) throw new Error(`No handler ${handlerDir}: lambda/${handlerDir}/handler.ts does not exist`);
    for (const [file, contents] of files) {
      const target = path.join(outputDir, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, contents);
    }
  }

  /** The bundles a prebuild worker made for this folder, if it made them with these settings. */
  private static prebuilt(outdir: string, settings: HandlerBundleSettings): HandlerBuild | undefined {
    const prebuilt = takePrebuilt('handlers', outdir) as
      { settings: HandlerBundleSettings; bundles: HandlerBuild } | undefined;
    return prebuilt && JSON.stringify(prebuilt.settings) === JSON.stringify(settings)
      ? prebuilt.bundles
      : undefined;
  }

  /** The bundles in the build cache for this folder, if they were made with these settings. */
  private static cached(outdir: string, settings: HandlerBundleSettings): HandlerBuild | undefined {
    const files = readCached('handlers', handlerBuildKey(outdir, settings.external));
    const made = files?.get(SETTINGS_FILE);
    if (!files || !made || Buffer.from(made).toString() !== JSON.stringify(settings)) return undefined;
    return byHandler(files);
  }

  /**
   * Every handler bundled by one esbuild run, as if written one folder under `outdir`, and kept
   * in the build cache (./build-cache.ts) for the next synth.
   */
  static buildAll(outdir: string, settings: HandlerBundleSettings): HandlerBuild {
    const files = HandlerBundles.build(handlerDirs(), outdir, settings);
    files.set(SETTINGS_FILE, Buffer.from(JSON.stringify(settings)));
    storeBuild('handlers', handlerBuildKey(outdir, settings.external), files);
    return byHandler(files);
  }

  /** The esbuild run: every handler's files, by `<handler folder>/<file>`. */
  private static build(
    dirs: string[],
    outdir: string,
    settings: HandlerBundleSettings,
  ): Map<string, Uint8Array> {
    // Loaded here, not at the top: a synth that bundles nothing never starts esbuild.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const result = buildSync({
      ...handlerBuildOptions(settings),
      entryPoints: dirs.map((dir) => ({
        in: path.join(PROJECT_ROOT, 'lambda', dir, 'handler.ts'),
        out: `${outName(dir)}/index`,
      })),
      outdir,
      write: false,
    });
    const files = new Map<string, Uint8Array>();
    for (const dir of dirs) {
      const builtDir = path.join(outdir, outName(dir));
      for (const file of result.outputFiles) {
        const relative = path.relative(builtDir, file.path);
        if (!relative.startsWith('..'))
          files.set(`${dir}/${relative.split(path.sep).join('/')}`, file.contents);
      }
    }
    return files;
  }
}

/** A build's files, `<handler folder>/<file>`, grouped by handler. */
function byHandler(files: ReadonlyMap<string, Uint8Array>): HandlerBuild {
  const bundles: HandlerBuild = new Map();
  for (const [file, contents] of files) {
    const slash = file.indexOf('/');
    if (slash < 0) continue; // the build's settings
    const dir = file.slice(0, slash);
    if (!bundles.has(dir)) bundles.set(dir, new Map());
    bundles.get(dir)!.set(file.slice(slash + 1), contents);
  }
  return bundles;
}
