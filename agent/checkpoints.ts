/**
 * The checkpoint file: per flow, how far each tracked log content has been sent. Written
 * atomically (a temporary file, flushed to disk, renamed over the old one, directory synced),
 * so a crash at any moment leaves either the old or the new checkpoint, never a torn one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import type { SavedSource } from './tailer';

export interface Checkpoints {
  readonly version: 1;
  /** By flow id (`kinesis:<stream>:<filePattern>`). */
  readonly flows: Record<string, { readonly sources: readonly SavedSource[] }>;
}

export class CheckpointError extends Error {}

const isSource = (s: unknown): s is SavedSource => {
  const v = s as SavedSource;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.head === 'string' &&
    Number.isInteger(v.offset) &&
    v.offset >= 0 &&
    typeof v.seen === 'number' &&
    Array.isArray(v.files) &&
    v.files.every((f) => typeof f?.path === 'string' && typeof f?.ino === 'string')
  );
};

/**
 * Reads the checkpoints, or none if there is no file yet. A file that cannot be understood is
 * an error, not a fresh start: starting over would send every log again.
 */
export function loadCheckpoints(file: string): Checkpoints {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, flows: {} };
    throw new CheckpointError(`cannot read checkpoint file ${file}: ${(error as Error).message}`);
  }
  let data: Checkpoints;
  try {
    data = JSON.parse(text) as Checkpoints;
  } catch {
    throw new CheckpointError(
      `checkpoint file ${file} is not valid JSON; move it away to start over (every file is then read again)`,
    );
  }
  const valid =
    data?.version === 1 &&
    typeof data.flows === 'object' &&
    data.flows !== null &&
    Object.values(data.flows).every((f) => Array.isArray(f?.sources) && f.sources.every(isSource));
  if (!valid) {
    throw new CheckpointError(
      `checkpoint file ${file} is not one log-agent wrote (version 1); move it away to start over`,
    );
  }
  return data;
}

/** Replaces the checkpoint file with `checkpoints`, durably. */
export function saveCheckpoints(file: string, checkpoints: Checkpoints): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(checkpoints, null, 1)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  try {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Some filesystems cannot sync a directory; the rename itself is still atomic.
  }
}
