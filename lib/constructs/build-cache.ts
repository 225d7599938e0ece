import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';

/** The project root, where package.json and the lockfile live. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where builds are kept: with the packages, so `npm ci` (a fresh install) starts it empty. */
export const CACHE_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'wildrydes-builds');

/** Builds kept per kind: the current one and a few before it (switching branches back and forth). */
const KEEP = 4;

/**
 * The packages and how imports resolve: package.json (its `imports` aliases) and both of npm's
 * lockfiles (the one in the project, and the one npm keeps of what is installed).
 */
export const PACKAGES = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'];

function filesUnder(relative: string): string[] {
  const full = path.join(PROJECT_ROOT, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full)
    .sort()
    .flatMap((name) => filesUnder(path.join(relative, name)));
}

/**
 * A key for a build: every file under `inputs` (paths relative to the project root), by path
 * and contents, and `settings`. Any change to a source, a package or a setting is a new key.
 */
export function buildKey(inputs: readonly string[], settings: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(settings));
  for (const file of inputs.flatMap(filesUnder)) {
    const contents = readFileSync(path.join(PROJECT_ROOT, file));
    hash.update(`\0${file}\0${contents.length}\0`).update(contents);
  }
  return hash.digest('hex').slice(0, 32);
}

function readTree(dir: string, prefix = ''): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) for (const [f, c] of readTree(full, name)) files.set(f, c);
    else files.set(name, readFileSync(full));
  }
  return files;
}

/** Keeps the newest `KEEP` builds of `kind`. */
function prune(kind: string): void {
  const builds = readdirSync(CACHE_DIR)
    .filter((name) => name.startsWith(`${kind}-`) && !name.includes('.'))
    .map((name) => ({ name, time: statSync(path.join(CACHE_DIR, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of builds.slice(KEEP))
    rmSync(path.join(CACHE_DIR, old.name), { recursive: true, force: true });
}

/** Whether a build of `kind` with `key` is in the cache. */
export function isCached(kind: string, key: string): boolean {
  return existsSync(path.join(CACHE_DIR, `${kind}-${key}`));
}

/** The files of the cached build of `kind` with `key`; undefined when there is none. */
export function readCached(kind: string, key: string): Map<string, Uint8Array> | undefined {
  const dir = path.join(CACHE_DIR, `${kind}-${key}`);
  try {
    return existsSync(dir) ? readTree(dir) : undefined;
  } catch {
    return undefined; // removed meanwhile (pruned by another synth)
  }
}

/**
 * Keeps a build's files under its key. A build is stored whole or not at all (written aside,
 * then renamed into place), so a cached build is exactly what the build made; without a
 * writable cache folder nothing is kept.
 */
export function storeBuild(kind: string, key: string, files: ReadonlyMap<string, Uint8Array>): void {
  const dir = path.join(CACHE_DIR, `${kind}-${key}`);
  const aside = `${dir}.${process.pid}.${Date.now()}`;
  try {
    for (const [file, contents] of files) {
      const target = path.join(aside, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, contents);
    }
    if (existsSync(dir)) rmSync(aside, { recursive: true, force: true });
    else renameSync(aside, dir);
    prune(kind);
  } catch {
    rmSync(aside, { recursive: true, force: true });
  }
}

/** The files `build` makes, from the cache when a build with the same key ran before. */
export function cachedBuild(
  kind: string,
  key: string,
  build: () => Map<string, Uint8Array>,
): Map<string, Uint8Array> {
  const cached = readCached(kind, key);
  if (cached) return cached;
  const files = build();
  storeBuild(kind, key, files);
  return files;
}
