import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { realSleep, type Sleep } from '#core/retry';
import type { LocalFunction } from './assembly';
import type { Faults } from './faults';

/** A function error, as Lambda reports it to an event source: the invocation failed. */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
  }
}

const WORKER = path.join(__dirname, 'lambda-worker.cjs');

function bundleModule(fn: LocalFunction): { modulePath: string; exportName: string } {
  if (!fn.codeDir) throw new Error(`${fn.logicalId} has no local bundle in the cloud assembly`);
  const dot = fn.handler.lastIndexOf('.');
  const file = fn.handler.slice(0, dot);
  const exportName = fn.handler.slice(dot + 1);
  for (const ext of ['.js', '.cjs', '.mjs']) {
    const candidate = path.join(fn.codeDir, `${file}${ext}`);
    if (existsSync(candidate)) return { modulePath: candidate, exportName };
  }
  throw new Error(`${fn.logicalId}: handler file ${file}.js not found in ${fn.codeDir}`);
}

/** What the host reports, for the metrics Lambda publishes and those in the function's logs. */
export interface InvocationObserver {
  invoked(event: unknown, durationMs: number, failed: boolean): void;
  /** Each line the function writes to stdout. */
  logLine(line: string): void;
}

/** Hands complete lines of a stream to `each`. */
function lines(stream: NodeJS.ReadableStream, each: (line: string) => void) {
  let partial = '';
  stream.on('data', (chunk: Buffer | string) => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) each(line);
  });
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Runs a function from its own bundle in the cloud assembly, in a worker thread whose
 * environment is the function's (template variables plus what the Lambda runtime sets), with
 * its logs written to a file. A timed-out invocation ends the worker, as Lambda ends the
 * execution environment; the next invocation starts a fresh one (a cold start).
 */
export class LambdaHost {
  private worker?: Worker;
  private ready?: Promise<void>;
  private readonly pending = new Map<string, Pending>();
  private readonly log: WriteStream;
  invocations = 0;
  errors = 0;

  constructor(
    readonly fn: LocalFunction,
    private readonly environment: Record<string, string>,
    logFile: string,
    private readonly observer?: InvocationObserver,
    /** aws:lambda:invocation-error and aws:lambda:invocation-add-delay, targeted by function name. */
    private readonly faults?: Faults,
    /** How an injected delay waits; tests pass one that records it. */
    private readonly sleep: Sleep = realSleep,
  ) {
    bundleModule(fn); // fail at start-up, not at the first record
    this.log = createWriteStream(logFile, { flags: 'a' });
    // Function logs are best effort: a full or read-only data folder must not end the runtime.
    this.log.on('error', () => undefined);
  }

  private start(): Promise<void> {
    const { modulePath, exportName } = bundleModule(this.fn);
    const env: Record<string, string> = {
      ...this.environment,
      AWS_LAMBDA_FUNCTION_NAME: this.fn.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      LAMBDA_TASK_ROOT: this.fn.codeDir!,
      _HANDLER: this.fn.handler,
    };
    const worker = new Worker(WORKER, {
      env,
      workerData: {
        modulePath,
        exportName,
        sourceMaps: /--enable-source-maps/.test(env.NODE_OPTIONS ?? ''),
      },
      stdout: true,
      stderr: true,
    });
    worker.stdout.pipe(this.log, { end: false });
    worker.stderr.pipe(this.log, { end: false });
    if (this.observer) lines(worker.stdout, (line) => this.observer!.logLine(line));
    this.worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      worker.on(
        'message',
        (message: {
          init?: boolean;
          id?: string;
          ok?: boolean;
          result?: unknown;
          error?: { name: string; message: string };
        }) => {
          if (message.init === true) return resolve();
          if (message.init === false) {
            return reject(
              new FunctionError(this.fn.name, 'Runtime.ImportModuleError', message.error!.message),
            );
          }
          const pending = this.pending.get(message.id!);
          if (!pending) return;
          this.pending.delete(message.id!);
          clearTimeout(pending.timer);
          if (message.ok) pending.resolve(message.result);
          else pending.reject(new FunctionError(this.fn.name, message.error!.name, message.error!.message));
        },
      );
      worker.on('error', (error) => {
        reject(new FunctionError(this.fn.name, 'Runtime.Error', error.message));
        this.failAll(new FunctionError(this.fn.name, 'Runtime.Error', error.message));
      });
      worker.on('exit', () => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
        }
        this.failAll(new FunctionError(this.fn.name, 'Runtime.ExitError', 'the execution environment ended'));
      });
    });
    ready.catch(() => undefined);
    return ready;
  }

  private failAll(error: Error) {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }

  /** Invokes the function with `event`; rejects with a FunctionError when the function fails. */
  async invoke(event: unknown): Promise<unknown> {
    this.invocations += 1;
    const started = performance.now();
    try {
      const result = await this.runWithFaults(event);
      this.observer?.invoked(event, performance.now() - started, false);
      return result;
    } catch (error) {
      this.errors += 1;
      this.observer?.invoked(event, performance.now() - started, true);
      throw error;
    }
  }

  /** Runs the invocation as the injected faults on this function say (delayed, failed, or as is). */
  private async runWithFaults(event: unknown): Promise<unknown> {
    const fault = this.faults?.pick('lambda', this.fn.name);
    if (fault?.name === 'aws:lambda:invocation-add-delay') {
      await this.sleep(fault.startupDelayMilliseconds ?? 1000);
    }
    const injected =
      fault?.name === 'aws:lambda:invocation-error'
        ? new FunctionError(this.fn.name, 'InjectedFault', `${fault.name} failed this invocation`)
        : undefined;
    if (injected && fault?.preventExecution !== false) throw injected;
    const result = await this.run(event);
    if (injected) throw injected;
    return result;
  }

  private async run(event: unknown): Promise<unknown> {
    this.ready ??= this.start();
    await this.ready;
    const worker = this.worker!;
    const id = randomUUID();
    const timeoutMs = this.fn.timeoutSeconds * 1000;
    const context = {
      functionName: this.fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.fn.arn,
      memoryLimitInMB: String(this.fn.memoryMb),
      awsRequestId: id,
      logGroupName: `/aws/lambda/${this.fn.name}`,
      logStreamName: 'local',
      deadline: Date.now() + timeoutMs,
    };
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new FunctionError(
            this.fn.name,
            'Sandbox.Timedout',
            `Task timed out after ${this.fn.timeoutSeconds} seconds`,
          ),
        );
        void worker.terminate();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, event, context });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) await worker.terminate();
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
