/**
 * Builds the Unicorn Dashboard: `src/main.ts` bundled for browsers with esbuild (the AWS SDK
 * clients and Leaflet included) as `app.js`, next to the static page, its stylesheet and
 * Leaflet's stylesheet and images. No `config.json`: whoever serves the page provides it.
 *
 *   npx tsx dashboard/build.ts <out-dir>
 */

import { buildSync } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const DASHBOARD_DIR = __dirname;
const PROJECT_DIR = dirname(DASHBOARD_DIR);
const STATIC_DIR = join(DASHBOARD_DIR, 'static');
const LEAFLET_DIST = join(dirname(require.resolve('leaflet/package.json')), 'dist');
const UPLOT_DIST = join(dirname(require.resolve('uplot/package.json')), 'dist');

/** Browsers the bundle is written for: AbortSignal.any needs Chrome 116, Firefox 124, Safari 17.4. */
export const BROWSER_TARGETS = ['chrome116', 'firefox124', 'safari17.4'];

/** The page's files, by path relative to the site root. */
export function dashboardFiles(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const outDir = join(PROJECT_DIR, '.dashboard-build'); // nominal: nothing is written
  const result = buildSync({
    absWorkingDir: PROJECT_DIR,
    entryPoints: [join(DASHBOARD_DIR, 'src', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: BROWSER_TARGETS,
    minify: true,
    sourcemap: 'linked',
    write: false,
    logLevel: 'silent',
  });
  for (const file of result.outputFiles) files.set(relative(outDir, file.path), file.contents);
  for (const name of readdirSync(STATIC_DIR)) files.set(name, readFileSync(join(STATIC_DIR, name)));
  files.set('leaflet/leaflet.css', readFileSync(join(LEAFLET_DIST, 'leaflet.css')));
  files.set('uplot/uPlot.min.css', readFileSync(join(UPLOT_DIST, 'uPlot.min.css')));
  for (const name of readdirSync(join(LEAFLET_DIST, 'images'))) {
    files.set(`leaflet/images/${name}`, readFileSync(join(LEAFLET_DIST, 'images', name)));
  }
  return files;
}

/** Writes the built page into `outDir` (created if missing). */
export function buildDashboardSync(outDir: string): void {
  for (const [path, contents] of dashboardFiles()) {
    const target = join(outDir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, contents);
  }
}

export async function buildDashboard(outDir: string): Promise<void> {
  buildDashboardSync(outDir);
}

if (require.main === module) {
  const outDir = process.argv[2];
  if (!outDir) {
    process.stderr.write('usage: tsx dashboard/build.ts <out-dir>\n');
    process.exitCode = 2;
  } else {
    try {
      buildDashboardSync(outDir);
      process.stdout.write(`Dashboard built into ${outDir}\n`);
    } catch (error) {
      process.stderr.write(`dashboard build failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}
