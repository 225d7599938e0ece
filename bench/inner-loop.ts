/**
 * The inner loop: `cdk synth` of the app beside a minimal two-resource app synthesized through
 * the same CLI in the same way (the floor any CDK app pays), and `npm start` until the pipeline
 * is ready, from a fresh clone and again with nothing changed.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CACHE_DIR } from '../lib/constructs/build-cache';
import { PROJECT_ROOT, timed } from './commands';
import { median, round } from './stats';

/** The reference: two resources in one stack, the App made as bin/wildrydes.ts makes it. */
const REFERENCE_APP = `import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';

const app = new App({ builtinCloudFormationValidation: false });
const stack = new Stack(app, 'Reference');
new Bucket(stack, 'Bucket');
new Queue(stack, 'Queue');
`;

/**
 * A folder holding the reference app, run by the same `app` command as the project's cdk.json
 * (with its entry point swapped) and with the project's packages.
 */
function referenceAppDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-reference-app-'));
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { app: string };
  writeFileSync(path.join(dir, 'app.ts'), REFERENCE_APP);
  writeFileSync(
    path.join(dir, 'cdk.json'),
    JSON.stringify({ app: cdkJson.app.replace('bin/wildrydes.ts', 'app.ts') }),
  );
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

export interface SynthComparison {
  readonly command: string;
  /** Wall seconds of the app's first run with no built bundles kept (as after `npm ci`). */
  readonly coldSeconds: number;
  /** Wall seconds of each later run of the app (bundles kept from the first). */
  readonly appSeconds: number[];
  /** Wall seconds of each run of the reference app, alternating with the app's. */
  readonly referenceSeconds: number[];
  readonly appMedian: number;
  readonly referenceMedian: number;
  /** appMedian / referenceMedian. */
  readonly ratio: number;
  /** coldSeconds / referenceMedian. */
  readonly coldRatio: number;
  readonly notAvailable?: string;
}

const CDK = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');

/** Removes the bundles kept by earlier synths (lib/constructs/build-cache.ts), as `npm ci` would. */
export function clearBuildCache(): void {
  rmSync(CACHE_DIR, { recursive: true, force: true });
}

/**
 * `cdk synth --quiet` of the default app and of the reference app, alternating so that both see
 * the same machine, each into a fresh output folder: the app once with no bundles kept, then
 * `runs` times as a developer runs it again and again.
 */
export async function compareSynth(runs = 3): Promise<SynthComparison> {
  const reference = referenceAppDir();
  const app: number[] = [];
  const ref: number[] = [];
  const command = 'cdk synth --quiet';
  clearBuildCache();
  try {
    for (let i = 0; i <= runs; i++) {
      for (const [cwd, into] of [
        [reference, ref],
        [PROJECT_ROOT, app],
      ] as const) {
        const out = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
        const run = await timed(CDK, ['synth', '--quiet', '-o', out], 300_000, cwd);
        rmSync(out, { recursive: true, force: true });
        if (run.code !== 0) {
          const where = cwd === reference ? 'the reference app' : 'the app';
          const reason = run.output.trim().split('\n').at(-1) ?? `exit ${run.code}`;
          return { ...empty(command), notAvailable: `${where} did not synthesize: ${reason}` };
        }
        into.push(run.seconds);
      }
    }
  } finally {
    rmSync(reference, { recursive: true, force: true });
  }
  const [coldSeconds, ...warm] = app;
  const appMedian = median(warm);
  const referenceMedian = median(ref);
  return {
    command,
    coldSeconds,
    appSeconds: warm,
    referenceSeconds: ref,
    appMedian,
    referenceMedian,
    ratio: round(appMedian / referenceMedian, 2),
    coldRatio: round(coldSeconds / referenceMedian, 2),
  };
}

const empty = (command: string): SynthComparison => ({
  command,
  coldSeconds: 0,
  coldRatio: 0,
  appSeconds: [],
  referenceSeconds: [],
  appMedian: 0,
  referenceMedian: 0,
  ratio: 0,
});

/**
 * A fresh clone of the working tree, as `git clone` and `npm ci` would leave it: every file git
 * tracks or would track, no `.local`, no `cdk.out`, the packages of this checkout.
 */
function freshClone(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-clone-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    try {
      copyFileSync(path.join(PROJECT_ROOT, file), target);
    } catch {
      // A file deleted but not yet committed: not in a clone either.
    }
  }
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/**
 * `npm start` in `cwd` until it prints that the pipeline is running: wall seconds from the
 * command to that line. Then Ctrl-C (SIGINT to its process group), and its exit awaited.
 */
function timeStart(cwd: string, timeoutMs = 180_000): Promise<number> {
  const begin = performance.now();
  const child = spawn('npm', ['start', '--', '--port-base', '0'], {
    cwd,
    detached: true,
    env: { ...process.env, WILDRYDES_ENDPOINTS_FILE: 'none', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const interrupt = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  return new Promise<number>((resolve, reject) => {
    let readySeconds: number | undefined;
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      interrupt('SIGKILL');
      reject(new Error(`npm start was not ready after ${timeoutMs / 1000} s: ${output.trim().slice(-300)}`));
    }, timeoutMs);
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      if (readySeconds !== undefined || !/pipeline is running/.test(output)) return;
      readySeconds = round((performance.now() - begin) / 1000, 1);
      clearTimeout(timer);
      interrupt('SIGINT');
      killer = setTimeout(() => interrupt('SIGKILL'), 30_000);
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', () => {
      clearTimeout(timer);
      clearTimeout(killer);
      if (readySeconds !== undefined) resolve(readySeconds);
      else reject(new Error(`npm start exited before it was ready: ${output.trim().slice(-300)}`));
    });
  });
}

export interface StartResult {
  /** From a fresh clone: the first synth included. */
  readonly freshSeconds: number;
  /** Right after, with nothing changed: the last assembly reused. */
  readonly unchangedSeconds: number;
}

/** `npm start` ready, in a fresh clone of this checkout, then again with nothing changed. */
export async function benchStart(): Promise<StartResult> {
  const clone = freshClone();
  clearBuildCache(); // the clone shares this checkout's packages: empty what `npm ci` would empty
  try {
    const freshSeconds = await timeStart(clone);
    const unchangedSeconds = await timeStart(clone);
    return { freshSeconds, unchangedSeconds };
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}
