import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { OutputsByStack } from '#core/outputs';

/**
 * The running local pipeline's endpoints, written to a small JSON file in the project folder
 * while `npm start` runs, so the producer, consumer, tests and dashboard find the emulators
 * without flags. A file left behind by a process that no longer runs is ignored.
 */
export interface LocalEndpointsFile {
  /** The local pipeline's process; the file counts only while it runs. */
  readonly pid: number;
  readonly region: string;
  /** The one AWS endpoint every client uses. */
  readonly endpoint: string;
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly s3: string;
  readonly sqs: string;
  readonly dashboard?: string;
  /** The tumbling window the run uses when it replaces the templates' (`--window-seconds`). */
  readonly windowSeconds?: number;
  /** The run's data folder (function logs under `logs/`). */
  readonly dataDir?: string;
  /** The cloud assembly the run runs. */
  readonly assemblyDir?: string;
  /** Each stack's outputs as the local run resolved them (stream and table names, ...). */
  readonly stacks: OutputsByStack;
}

/** Set to another path to move the file, or to `none` to ignore any local pipeline. */
export const ENDPOINTS_FILE_ENV = 'WILDRYDES_ENDPOINTS_FILE';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_ENDPOINTS_FILE = path.join(PROJECT_ROOT, '.local', 'endpoints.json');

export function endpointsFilePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env[ENDPOINTS_FILE_ENV];
  if (configured === 'none' || configured === '') return undefined;
  return configured ?? DEFAULT_ENDPOINTS_FILE;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The endpoints of a local pipeline that is running now, if there is one. */
export function readLocalEndpoints(env: NodeJS.ProcessEnv = process.env): LocalEndpointsFile | undefined {
  const file = endpointsFilePath(env);
  if (!file || !existsSync(file)) return undefined;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as LocalEndpointsFile;
    return typeof data.pid === 'number' && running(data.pid) && typeof data.kinesis === 'string'
      ? data
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeLocalEndpoints(file: string, data: LocalEndpointsFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeLocalEndpoints(file: string): void {
  rmSync(file, { force: true });
}
