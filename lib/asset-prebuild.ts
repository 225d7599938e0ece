/**
 * The app's bundles (every Lambda handler, the dashboard page) built in worker threads from the
 * moment `cdk synth` starts the app, on the second core, while the CDK modules load and the
 * stacks are built on the first. The constructs take a bundle when they reach its asset, waiting
 * for it if need be; what was not prebuilt (another output folder, other settings, a failed
 * worker) they build themselves, as before.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

export type PrebuildJob =
  /** Every handler, bundled as if written one folder under `outdir`. */
  { readonly kind: 'handlers'; readonly outdir: string } | { readonly kind: 'dashboard' };

/** What a worker sends back: the job's result, or why there is none. */
export type PrebuildResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

interface Running {
  readonly job: PrebuildJob;
  readonly port: MessagePort;
  /** Set to 1 by the worker once its result is on the port. */
  readonly done: Int32Array;
}

const running = new Map<PrebuildJob['kind'], Running>();

/** How long a construct waits for a worker before building the bundle itself. */
const WAIT_MS = 120_000;

/**
 * The worker: loads TypeScript through tsx when the app runs without it in its flags (a worker
 * inherits them), runs the job, and always answers, so that the app never waits for nothing.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { job, port, done, tsx, runner } = workerData;
try {
  if (!require('node:module')._extensions['.ts']) require(tsx);
  port.postMessage(require(runner).runPrebuildJob(job));
} catch (error) {
  port.postMessage({ ok: false, error: String(error && error.message || error) });
}
Atomics.store(done, 0, 1);
Atomics.notify(done, 0);
`;

function start(job: PrebuildJob): void {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const localRequire = createRequire(__filename);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      job,
      port: port2,
      done,
      tsx: localRequire.resolve('tsx/cjs'),
      runner: path.join(__dirname, 'asset-prebuild-job'),
    },
    transferList: [port2],
  });
  worker.unref(); // a synth that never takes a bundle does not wait for its worker to end
  running.set(job.kind, { job, port: port1, done });
}

/** Which bundles are worth building ahead: those the build cache does not hold already. */
export interface PrebuildNeeds {
  handlers(outdir: string): boolean;
  dashboard(): boolean;
}

/**
 * Starts building every bundle a synth into `CDK_OUTDIR` needs and the build cache does not
 * hold, unless the synth bundles nothing (the CDK CLI's `aws:cdk:bundling-stacks` is empty, as
 * for `cdk ls`).
 */
export function prebuildAssets(needs: PrebuildNeeds, env: NodeJS.ProcessEnv = process.env): void {
  const outdir = env.CDK_OUTDIR;
  if (!outdir) return;
  let context: Record<string, unknown> = {};
  try {
    context = JSON.parse(env.CDK_CONTEXT_JSON ?? '{}') as Record<string, unknown>;
  } catch {
    return;
  }
  const stacks = context['aws:cdk:bundling-stacks'];
  if (Array.isArray(stacks) && stacks.length === 0) return;
  if (needs.handlers(path.resolve(outdir))) start({ kind: 'handlers', outdir: path.resolve(outdir) });
  if (needs.dashboard()) start({ kind: 'dashboard' });
}

/**
 * The result of the prebuild of `kind` when it was for `outdir` (handlers), waiting for it if
 * need be; undefined when there is none or it failed (the caller builds it itself). Each
 * result is taken once.
 */
export function takePrebuilt(kind: 'handlers', outdir: string): unknown;
export function takePrebuilt(kind: 'dashboard'): unknown;
export function takePrebuilt(kind: PrebuildJob['kind'], outdir?: string): unknown {
  const run = running.get(kind);
  if (!run) return undefined;
  if (run.job.kind === 'handlers' && run.job.outdir !== outdir) return undefined;
  running.delete(kind);
  Atomics.wait(run.done, 0, 0, WAIT_MS);
  const result = receiveMessageOnPort(run.port)?.message as PrebuildResult | undefined;
  run.port.close();
  return result?.ok ? result.value : undefined;
}
