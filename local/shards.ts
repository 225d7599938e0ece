import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { realSleep } from '#core/retry';
import type { Clock } from '#core/shard-follower';

export type { Clock } from '#core/shard-follower';

export const realClock: Clock = { now: Date.now, sleep: realSleep };

/**
 * Durable positions of one reader (an event source mapping or a delivery stream): per shard,
 * the last sequence number fully handled and any state to carry on with. Written atomically
 * (temporary file, then rename) after every step, so a restart resumes exactly there.
 */
export class CheckpointStore<S = unknown> {
  private data: Record<string, { after?: string; state?: S; done?: boolean }>;

  constructor(private readonly file: string) {
    this.data = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  }

  get(shardId: string) {
    return this.data[shardId];
  }

  set(shardId: string, value: { after?: string; state?: S; done?: boolean }) {
    this.data[shardId] = value;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify(this.data));
    renameSync(temp, this.file);
  }
}
