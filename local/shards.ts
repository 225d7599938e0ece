import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { realSleep } from '#core/retry';
import type { Clock } from '#core/shard-follower';

export type { Clock } from '#core/shard-follower';

export const realClock: Clock = { now: Date.now, sleep: realSleep };

/** Errors that mean the data folder cannot take a write now, but may again later. */
const STORAGE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full: free some space',
  EDQUOT: 'the disk quota is used up: free some space',
  EROFS: 'the file system is read-only: make it writable',
  EACCES: 'it is not writable: give write permission',
  EPERM: 'it is not writable: give write permission',
  ENOTDIR: 'a file is in the way of its folder: move it',
  EEXIST: 'a file is in the way of its folder: move it',
  EISDIR: 'a folder is in the way: move it',
  EIO: 'the disk reports an I/O error: check it',
};

/** The one-line message for a storage error at `file`, or undefined for any other error. */
export function storageProblem(error: unknown, file: string): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const what = code ? STORAGE_ERRORS[code] : undefined;
  return what ? `cannot write ${file} (${code}): ${what}` : undefined;
}

/** How a store writes a file: injectable so tests can make the disk fail. */
export interface FileWrites {
  write(file: string, data: string): void;
}

export const atomicFileWrites: FileWrites = {
  write(file, data) {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.tmp`;
    writeFileSync(temp, data);
    renameSync(temp, file);
  },
};

/**
 * Durable positions of one reader (an event source mapping or a delivery stream): per shard,
 * the last sequence number fully handled and any state to carry on with. Written atomically
 * (temporary file, then rename) after every step, so a restart resumes exactly there.
 *
 * When the data folder cannot take the write (disk full, read-only), the positions are kept in
 * memory and `unsaved` says why in one line; readers pause their intake until `retry` succeeds,
 * so nothing they have taken in is lost and nothing is read that could not be recorded.
 */
export class CheckpointStore<S = unknown> {
  private data: Record<string, { after?: string; state?: S; done?: boolean }>;
  /** Why the last write failed, while the positions on disk are behind those in memory. */
  unsaved?: string;

  constructor(
    private readonly file: string,
    private readonly fs: FileWrites = atomicFileWrites,
  ) {
    this.data = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  }

  get(shardId: string) {
    return this.data[shardId];
  }

  set(shardId: string, value: { after?: string; state?: S; done?: boolean }) {
    this.setAll({ [shardId]: value });
  }

  /** Several entries in one atomic write: a crash keeps all of them or none. */
  setAll(values: Record<string, { after?: string; state?: S; done?: boolean }>) {
    Object.assign(this.data, values);
    this.retry();
  }

  /** Writes what is in memory; true once it is on disk. Storage errors are kept in `unsaved`. */
  retry(): boolean {
    try {
      this.fs.write(this.file, JSON.stringify(this.data));
      this.unsaved = undefined;
      return true;
    } catch (error) {
      const problem = storageProblem(error, this.file);
      if (!problem) throw error;
      this.unsaved = problem;
      return false;
    }
  }
}

/**
 * Waits while `store` cannot write: logs one line when intake pauses and one when it resumes,
 * trying again every `everyMs`. Returns at once when the store is up to date.
 */
export async function waitForStorage(
  store: Pick<CheckpointStore, 'unsaved' | 'retry'>,
  clock: Clock,
  signal: AbortSignal,
  log: (message: string) => void,
  who: string,
  everyMs = 5_000,
): Promise<void> {
  if (!store.unsaved) return;
  log(`${who}: intake paused, ${store.unsaved}; resuming by itself once it can write`);
  while (!signal.aborted && !store.retry()) await clock.sleep(everyMs, signal);
  if (!store.unsaved) log(`${who}: storage is writable again, intake resumed`);
}
