import type { BuildOptions } from 'esbuild';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { takePrebuilt } from '../asset-prebuild';

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

/** Where a handler's bundle lands, relative to the build's outdir: one folder deep, as CDK bundles. */
const outName = (handlerDir: string) => `wildrydes-bundle-${handlerDir}`;

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
    let bundles = HandlerBundles.builds.get(key) ?? HandlerBundles.prebuilt(outdir, settings);
    if (!bundles) bundles = HandlerBundles.buildAll(outdir, settings);
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

  /** Every handler bundled by one esbuild run, as if written one folder under `outdir`. */
  static buildAll(outdir: string, settings: HandlerBundleSettings): HandlerBuild {
    // Loaded here, not at the top: a synth that bundles nothing never starts esbuild.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    const dirs = handlerDirs();
    const result = buildSync({
      ...handlerBuildOptions(settings),
      entryPoints: dirs.map((dir) => ({
        in: path.join(PROJECT_ROOT, 'lambda', dir, 'handler.ts'),
        out: `${outName(dir)}/index`,
      })),
      outdir,
      write: false,
    });
    return new Map(
      dirs.map((dir) => {
        const builtDir = path.join(outdir, outName(dir));
        const files = result.outputFiles
          .map((file) => [path.relative(builtDir, file.path), file.contents] as const)
          .filter(([file]) => !file.startsWith('..'));
        return [dir, new Map(files)];
      }),
    );
  }
}
