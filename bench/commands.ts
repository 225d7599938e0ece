/**
 * Figures that come from running the project's own commands: `cdk synth` for each app shape,
 * the whole `npm test`, and the cost estimator's headline.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { round } from './stats';
import { readAssemblyStacks } from '../system/cloud-assembly';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

interface Finished {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

/** Runs a command (in the project folder unless told), timing it and keeping its output (stdout and stderr). */
export function timed(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  cwd = PROJECT_ROOT,
): Promise<Finished> {
  const start = performance.now();
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, seconds: round((performance.now() - start) / 1000, 1) });
    }),
  );
}

const lastLines = (text: string, n: number) => text.trim().split('\n').slice(-n).join('\n');

export interface SynthCase {
  readonly name: string;
  /** `-c key=value` pairs. */
  readonly context: readonly string[];
  /** A file the case needs; the row says "not available" while it does not exist. */
  readonly needs?: string;
  /** Stacks the assembly must hold for the case to count (an ignored context key synthesizes the default app). */
  readonly minStacks?: number;
}

/** The app shapes whose synth time is measured; the first one's assembly is kept for the other benches. */
export const SYNTH_CASES: readonly SynthCase[] = [
  { name: 'default app', context: [] },
  // Every lab (IoT sensors and the log-shipping stack too): the shape the default app had before labs.
  { name: 'every lab', context: ['labs=all'], minStacks: 2 },
  {
    name: 'three-attendee workshop',
    context: ['workshop=examples/workshop.json'],
    needs: 'examples/workshop.json',
    minStacks: 3,
  },
];

export interface SynthRow {
  readonly name: string;
  readonly command: string;
  readonly seconds?: number;
  readonly stacks?: number;
  /** Why there is no figure. */
  readonly notAvailable?: string;
}

/** CloudFormation stacks in an assembly, those of nested stages (one per attendee) included. */
const stackCount = (assemblyDir: string): number => readAssemblyStacks(assemblyDir).length;

/**
 * `cdk synth --quiet -o DIR` for each case, timed end to end (the CLI, the app through tsx,
 * bundling every handler with esbuild, cdk-nag). Keeps the first case's assembly for the other
 * benches and returns its folder; the caller removes it.
 */
export async function benchSynth(
  cases: readonly SynthCase[] = SYNTH_CASES,
): Promise<{ rows: SynthRow[]; assemblyDir?: string }> {
  const rows: SynthRow[] = [];
  let assemblyDir: string | undefined;
  for (const c of cases) {
    const context = c.context.flatMap((kv) => ['-c', kv]);
    const command = ['cdk', 'synth', '--quiet', ...context].join(' ');
    if (c.needs && !existsSync(path.join(PROJECT_ROOT, c.needs))) {
      rows.push({ name: c.name, command, notAvailable: `${c.needs} does not exist` });
      continue;
    }
    const out = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
    const run = await timed(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '-o', out, ...context],
      300_000,
    );
    const stacks = run.code === 0 ? stackCount(out) : 0;
    if (run.code !== 0) {
      rows.push({ name: c.name, command, notAvailable: `synth failed: ${lastLines(run.output, 1)}` });
    } else if (c.minStacks !== undefined && stacks < c.minStacks) {
      rows.push({
        name: c.name,
        command,
        stacks,
        notAvailable: `the app made ${stacks} stack(s), expected at least ${c.minStacks}`,
      });
    } else {
      rows.push({ name: c.name, command, seconds: run.seconds, stacks });
    }
    if (run.code === 0 && assemblyDir === undefined) assemblyDir = out;
    else rmSync(out, { recursive: true, force: true });
  }
  return { rows, ...(assemblyDir ? { assemblyDir } : {}) };
}

export interface TestTimeResult {
  readonly seconds: number;
  readonly passed: boolean;
  /** Jest's summary lines (suites and tests), or the end of the output when it did not get that far. */
  readonly summary: string;
}

/** The whole `npm test` (type-check, lint, every Jest suite), once. */
export async function benchTestTime(): Promise<TestTimeResult> {
  const run = await timed('npm', ['test'], 900_000);
  const summary = run.output
    .split('\n')
    .filter((line) => /^(Test Suites|Tests):/.test(line.trim()))
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .join('; ');
  return { seconds: run.seconds, passed: run.code === 0, summary: summary || lastLines(run.output, 3) };
}

export interface CostResult {
  readonly command: string;
  readonly usdPerAttendeeHour?: number;
  /** The seed architecture (the aggregation in a Flink Studio notebook), same workload. */
  readonly seedUsdPerAttendeeHour?: number;
  /** The estimator's workload assumption and price table, in a few words. */
  readonly basis?: string;
  readonly notAvailable?: string;
}

interface CostEstimate {
  usdPerAttendeeHour?: number;
  seed?: { usdPerHour?: number };
  prices?: { region?: string; date?: string };
  workload?: { unicorns?: number; recordsPerSecondPerUnicorn?: number; dashboardViewers?: number };
}

/**
 * The cost estimator's headline (`npm run cost -- --json`), when the project has one; from the
 * default app's assembly when one is at hand, which spares it a synth of its own.
 */
export async function benchCost(assemblyDir?: string): Promise<CostResult> {
  const command = 'npm run cost -- --json';
  const scripts = (
    JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    }
  ).scripts;
  if (!scripts?.cost) return { command, notAvailable: 'no `npm run cost` script in package.json' };
  const run = await timed(
    'npm',
    ['run', '--silent', 'cost', '--', '--json', ...(assemblyDir ? ['--assembly', assemblyDir] : [])],
    120_000,
  );
  if (run.code !== 0) return { command, notAvailable: `it failed: ${lastLines(run.output, 1)}` };
  let estimate: CostEstimate;
  try {
    estimate = JSON.parse(run.output.slice(run.output.indexOf('{'))) as CostEstimate;
  } catch {
    return { command, notAvailable: 'its output is not JSON' };
  }
  if (typeof estimate.usdPerAttendeeHour !== 'number') {
    return { command, notAvailable: 'its JSON has no usdPerAttendeeHour' };
  }
  const w = estimate.workload ?? {};
  return {
    command,
    usdPerAttendeeHour: estimate.usdPerAttendeeHour,
    ...(typeof estimate.seed?.usdPerHour === 'number'
      ? { seedUsdPerAttendeeHour: estimate.seed.usdPerHour }
      : {}),
    basis:
      `${w.unicorns ?? '?'} unicorns at ${w.recordsPerSecondPerUnicorn ?? '?'} record/s and ` +
      `${w.dashboardViewers ?? '?'} dashboard viewer per attendee; ` +
      `${estimate.prices?.region ?? '?'} list prices of ${estimate.prices?.date ?? '?'}`,
  };
}
