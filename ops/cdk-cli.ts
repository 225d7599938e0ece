import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AssemblyStack } from '../system/cloud-assembly';

/** The project root (cdk.json, the pinned CDK CLI in node_modules). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
const CDK = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');

/**
 * A path as the CDK CLI (which runs in the project root) must see it: relative to the root,
 * so that commands run from anywhere, and printed commands stay short when run from the root.
 */
export function fromProjectRoot(file: string): string {
  return path.relative(PROJECT_ROOT, path.resolve(file)) || '.';
}

/** Quotes an argument for a shell only when it needs it, so printed commands can be pasted. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./=:,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export const commandLineText = (command: string, args: readonly string[]) =>
  [command, ...args].map(shellQuote).join(' ');

/** What a command run in the project root ended with: its exit code and its error output. */
interface Ran {
  readonly code: number;
  readonly stderr: string;
}

/**
 * Runs `command` (through a shell when `shell`) in the project root with `env`. `inherit`: its
 * output goes to this terminal; otherwise only its error output is kept, for the message.
 */
function runInRoot(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; inherit?: boolean; shell?: boolean },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: PROJECT_ROOT,
      env: options.env,
      shell: options.shell,
      stdio: options.inherit ? 'inherit' : ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stderr }));
  });
}

/**
 * Runs the project's pinned CDK CLI with `args` in the project root. `inherit`: the CLI's own
 * progress goes to this terminal; otherwise only its error output is kept, for the message.
 */
export function runCdk(args: readonly string[], inherit: boolean): Promise<Ran> {
  return runInRoot(CDK, args, {
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    inherit,
  }).catch((error: Error) => {
    throw new Error(`Cannot run the CDK CLI (${error.message}): run npm ci first`);
  });
}

/** A synth that exited with an error, as one line: the app's own message when it gave one. */
function throwIfSynthFailed({ code, stderr }: Ran): void {
  if (code !== 0) throw new Error(`cdk synth failed: ${lastErrorLine(stderr)}`);
}

/**
 * The line that explains a failed CDK run, for a one-line error: the app's own message
 * (`wildrydes: …`, a setting or lab selection that cannot work) when it gave one, else the last
 * meaningful line (not npm's warnings, esbuild's progress, or the CLI's note that the app exited).
 */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) =>
        l !== '' &&
        !/^(npm warn|Bundling asset|⚡)|index\.js(\.map)?\s|: Subprocess exited with error \d+$/.test(l),
    );
  return lines.findLast((l) => l.startsWith('wildrydes: ')) ?? lines.at(-1) ?? 'no error output';
}

/** `cdk synth --quiet -o outDir` with `-c` context; a failure throws with the CLI's last error line. */
export async function synthesize(outDir: string, context: readonly string[]): Promise<void> {
  throwIfSynthFailed(
    await runCdk(['synth', '--quiet', '-o', outDir, ...context.flatMap((c) => ['-c', c])], false),
  );
}

/**
 * The settings the CDK CLI gives every app it synthesizes, on top of `cdk.json`'s context: bundle
 * every stack's assets, record construct paths and asset locations in the templates' metadata,
 * report the library version.
 */
const CLI_SYNTH_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
};

const readJson = (file: string): Record<string, unknown> =>
  existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};

/**
 * The context the CDK CLI hands the app for `cdk synth -c …`: `cdk.json`'s, then
 * `cdk.context.json`'s, then each `-c key=value` (a string, as the CLI keeps it), then the CLI's
 * own synth settings.
 */
export function appContext(context: readonly string[], root = PROJECT_ROOT): Record<string, unknown> {
  const settings = Object.fromEntries(
    context.map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as const),
  );
  return {
    ...((readJson(path.join(root, 'cdk.json')).context as Record<string, unknown> | undefined) ?? {}),
    ...readJson(path.join(root, 'cdk.context.json')),
    ...settings,
    ...CLI_SYNTH_CONTEXT,
  };
}

/**
 * The region the CDK CLI gives the app, found in its order: AWS_REGION, AMAZON_REGION,
 * AWS_DEFAULT_REGION, AMAZON_DEFAULT_REGION, the profile's region in the shared config (read by
 * the SDK), else us-east-1. (On EC2 the CLI would also ask the instance metadata; a local run
 * does not.)
 */
export async function cliRegion(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = env.AWS_REGION || env.AMAZON_REGION || env.AWS_DEFAULT_REGION || env.AMAZON_DEFAULT_REGION;
  if (named) return named;
  // Loaded only here: the SDK's own reading of the profile's region in ~/.aws/config.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { STSClient } = require('@aws-sdk/client-sts') as typeof import('@aws-sdk/client-sts');
  const client = new STSClient({});
  try {
    return await client.config.region();
  } catch {
    return 'us-east-1';
  } finally {
    client.destroy();
  }
}

/**
 * `cdk synth -o outDir` without the CDK CLI, whose own start takes about 3 s: the app command in
 * `cdk.json`, run with what the CLI gives it (the output folder, the context, the region). The
 * assembly is the CLI's, byte for byte (test/ops/cdk-cli.test.ts), except that no account is
 * looked up with the credentials: CDK_DEFAULT_ACCOUNT only when it is set. For `npm start`,
 * whose assembly is never deployed; a failure throws with the app's last error line.
 */
export async function synthesizeApp(outDir: string, context: readonly string[]): Promise<void> {
  const command = readJson(path.join(PROJECT_ROOT, 'cdk.json')).app as string;
  const env = {
    ...process.env,
    CDK_OUTDIR: path.resolve(outDir),
    CDK_CONTEXT_JSON: JSON.stringify(appContext(context)),
    CDK_DEFAULT_REGION: await cliRegion(),
  };
  throwIfSynthFailed(await runInRoot(command, [], { env, shell: true }));
}

/** Synthesizes the app with `-c` context into a temporary assembly and reads its stacks. */
export async function synthesizeStacks(context: readonly string[]): Promise<AssemblyStack[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wildrydes-ops-'));
  try {
    await synthesize(dir, context);
    // Loaded here: aws-cdk-lib's reader is slow to load, and `npm start` synthesizes without it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reader: typeof import('../system/cloud-assembly') = require('../system/cloud-assembly');
    return reader.readAssemblyStacks(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
