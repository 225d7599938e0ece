/**
 * The cloud assembly `npm start` runs: synthesized as the project's CDK CLI synthesizes it (the
 * app run directly, without the CLI's start-up), or the last one again when nothing it is made
 * from has changed since.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../cli/endpoints-file';
import { synthesizeApp } from '../ops/cdk-cli';

/**
 * What a synth reads: the app's entry point, its constructs, handlers, domain code and the
 * dashboard it builds, the dependency lockfile, and the CDK and TypeScript settings.
 */
const SYNTH_INPUTS = [
  'bin/wildrydes.ts',
  'lib',
  'lambda',
  'core',
  'dashboard',
  'package.json',
  'package-lock.json',
  'cdk.json',
  'tsconfig.json',
];

/** Settings in the environment that a synth reads (the region lookup, as the CDK CLI's). */
const SYNTH_ENVIRONMENT = [
  'AWS_PROFILE',
  'AWS_REGION',
  'AMAZON_REGION',
  'AWS_DEFAULT_REGION',
  'AMAZON_DEFAULT_REGION',
  'CDK_DEFAULT_ACCOUNT',
  'CDK_DEFAULT_REGION',
];

function filesUnder(relative: string): string[] {
  const full = path.join(PROJECT_ROOT, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules')
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => filesUnder(path.join(relative, entry.name)));
}

/**
 * A fingerprint of everything a synth with this context depends on: every input file's path and
 * contents, the `-c` settings and the contents of any file a setting names (a workshop file),
 * and the environment the CDK CLI reads. Equal fingerprints, equal assemblies.
 */
export function synthInputsHash(context: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256');
  const add = (label: string, data: string | Buffer) =>
    hash.update(`${label}\0${data.length}\0`).update(data);
  for (const file of SYNTH_INPUTS.flatMap(filesUnder)) add(file, readFileSync(path.join(PROJECT_ROOT, file)));
  for (const setting of context) {
    add('-c', setting);
    const value = path.resolve(PROJECT_ROOT, setting.slice(setting.indexOf('=') + 1));
    if (existsSync(value) && statSync(value).isFile()) add(value, readFileSync(value));
  }
  for (const name of SYNTH_ENVIRONMENT) add(name, env[name] ?? '');
  return hash.digest('hex');
}

/** Every file under `dir`, by path relative to it (with `/`). */
function readTree(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), readFileSync(full));
  }
  return files;
}

/**
 * The Unicorn Dashboard's built page as the assembly deploys it (the dashboard asset: a folder
 * with `index.html` and `app.js`), so that a run of an unchanged assembly does not build it
 * again; undefined when the assembly has none.
 */
export function dashboardPage(assemblyDir: string): Map<string, Uint8Array> | undefined {
  if (!existsSync(assemblyDir) || !statSync(assemblyDir).isDirectory()) return undefined; // the runtime explains why
  const manifests = readdirSync(assemblyDir, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.assets.json'))
    .sort();
  for (const manifest of manifests) {
    const base = path.dirname(path.join(assemblyDir, manifest));
    const assets = JSON.parse(readFileSync(path.join(assemblyDir, manifest), 'utf8')) as {
      files?: Record<string, { source?: { path?: string; packaging?: string } }>;
    };
    for (const { source } of Object.values(assets.files ?? {})) {
      if (source?.packaging !== 'zip' || !source.path) continue;
      const dir = path.join(base, source.path);
      if (existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'app.js')))
        return readTree(dir);
    }
  }
  return undefined;
}

export interface LocalAssembly {
  readonly dir: string;
  /** True when the last synth's assembly was reused: nothing it is made from has changed. */
  readonly reused: boolean;
}

/**
 * The assembly in `outDir` for this context: the one already there when its inputs' fingerprint
 * (kept next to it) is unchanged, otherwise a new synth. The fingerprint is taken before the
 * synth and written only after it succeeded, so an edit made meanwhile or a failed synth leads
 * to a new synth next time.
 */
export async function localAssembly(
  outDir: string,
  context: readonly string[],
  events: { synthesizing?: () => void } = {},
): Promise<LocalAssembly> {
  const fingerprintFile = `${outDir}.inputs`;
  const fingerprint = synthInputsHash(context);
  const last = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, 'utf8').trim() : undefined;
  if (last === fingerprint && existsSync(path.join(outDir, 'manifest.json'))) {
    return { dir: outDir, reused: true };
  }
  rmSync(fingerprintFile, { force: true });
  events.synthesizing?.();
  await synthesizeApp(outDir, context);
  writeFileSync(fingerprintFile, `${fingerprint}\n`);
  return { dir: outDir, reused: false };
}
