import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { storageProblem, type CheckpointStore } from './shards';

/**
 * Where the records a DirectPut delivery stream accepted wait until they are in S3: an
 * append-only file of entries, each numbered (its sequence number only grows, across restarts
 * and truncations), and a checkpoint holding the last number written to S3 and the object being
 * written (its first and last numbers and its time). A record is accepted only once its entry is
 * on disk, so a crash loses nothing; the object's key is derived from the numbers it covers, so
 * writing it again after a crash replaces the same object instead of adding a second one.
 *
 * Entry: u32 data length, f64 arrival time (ms), f64 sequence number, then the data. A torn
 * entry at the end (a write the crash interrupted, never acknowledged) is cut off when reading.
 */

export interface SpooledRecord {
  readonly seq: number;
  /** When the record was accepted (ms). */
  readonly arrival: number;
  readonly data: Uint8Array;
}

/** The object being written: it holds exactly the records `first`…`last`, written at `at`. */
export interface SpoolIntent {
  readonly first: number;
  readonly last: number;
  readonly at: number;
}

interface SpoolState {
  /** Names this spool's objects apart from those of an earlier spool of the same name. */
  readonly epoch: string;
  readonly intent?: SpoolIntent;
}

const HEADER_BYTES = 20;
/** Firehose's largest record (1,000 KiB); anything longer is not an entry. */
export const MAX_RECORD_BYTES = 1_024_000;
/** Rewrite the file without its delivered entries once they take this much room. */
const COMPACT_BYTES = 8 * 1024 * 1024;
const KEY = 'spool';

function encode(record: SpooledRecord): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(record.data.byteLength, 0);
  header.writeDoubleBE(record.arrival, 4);
  header.writeDoubleBE(record.seq, 12);
  return Buffer.concat([header, record.data]);
}

/** The entries of a spool file, and where the last whole one ends. */
export function decodeSpool(bytes: Buffer): { records: SpooledRecord[]; ends: number[]; validBytes: number } {
  const records: SpooledRecord[] = [];
  const ends: number[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const arrival = bytes.readDoubleBE(offset + 4);
    const seq = bytes.readDoubleBE(offset + 12);
    const previous = records[records.length - 1]?.seq;
    const sane =
      length <= MAX_RECORD_BYTES &&
      Number.isFinite(arrival) &&
      Number.isSafeInteger(seq) &&
      seq > 0 &&
      (previous === undefined || seq === previous + 1);
    const end = offset + HEADER_BYTES + length;
    if (!sane || end > bytes.length) break;
    records.push({ seq, arrival, data: bytes.subarray(offset + HEADER_BYTES, end) });
    ends.push(end);
    offset = end;
  }
  return { records, ends, validBytes: offset };
}

/** A UUID-shaped name derived from what it names, in place of Firehose's random one. */
export function derivedId(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join(':')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class DirectPutSpool {
  /** Undelivered entries in file order, with where each starts and ends in the file. */
  private entries: { seq: number; start: number; end: number }[] = [];
  private deliveredSeq: number;
  private fileBytes: number;
  private nextSeq: number;
  private handle?: FileHandle;
  private queue: Promise<unknown> = Promise.resolve();
  private state: SpoolState;
  private closed = false;

  /** The undelivered records found when the spool was opened, in order. */
  readonly recovered: readonly SpooledRecord[];

  constructor(
    private readonly file: string,
    private readonly checkpoints: CheckpointStore<SpoolState>,
    /** Rewrite the file without its delivered entries once they take this much room. */
    private readonly compactBytes = COMPACT_BYTES,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    const saved = checkpoints.get(KEY);
    const delivered = Number(saved?.after ?? 0);
    this.deliveredSeq = delivered;
    this.state = saved?.state ?? { epoch: randomUUID() };
    if (!saved) checkpoints.set(KEY, { after: '0', state: this.state });
    const bytes = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
    const { records, ends, validBytes } = decodeSpool(bytes);
    if (validBytes < bytes.length) truncateSync(file, validBytes);
    this.fileBytes = validBytes;
    this.recovered = records.filter((r) => r.seq > delivered);
    this.entries = records
      .map((r, i) => ({ seq: r.seq, start: i === 0 ? 0 : ends[i - 1], end: ends[i] }))
      .filter((e) => e.seq > delivered);
    this.nextSeq = Math.max(delivered, records[records.length - 1]?.seq ?? 0) + 1;
  }

  get epoch(): string {
    return this.state.epoch;
  }

  /** The object that was being written when the spool was last stopped, if any. */
  get intent(): SpoolIntent | undefined {
    return this.state.intent;
  }

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async fileHandle(): Promise<FileHandle> {
    this.handle ??= await open(this.file, 'a+');
    return this.handle;
  }

  /** Appends records and waits until they are on disk; they are accepted from then on. */
  append(records: readonly { data: Uint8Array; arrival: number }[]): Promise<SpooledRecord[]> {
    return this.serially(async () => {
      if (this.closed) throw new Error('the delivery stream is stopping');
      const spooled = records.map((r, i) => ({ ...r, seq: this.nextSeq + i }));
      const bytes = Buffer.concat(spooled.map(encode));
      const handle = await this.fileHandle();
      try {
        await handle.write(bytes);
        await handle.datasync();
      } catch (error) {
        // A full disk may have taken part of the entries: cut them off, so that the entries
        // accepted after the disk has room again are not stranded behind a torn one.
        await handle.truncate(this.fileBytes).catch(() => undefined);
        throw new Error(storageProblem(error, this.file) ?? (error as Error).message);
      }
      for (const record of spooled) {
        const start = this.fileBytes;
        this.fileBytes += HEADER_BYTES + record.data.byteLength;
        this.entries.push({ seq: record.seq, start, end: this.fileBytes });
      }
      this.nextSeq += spooled.length;
      return spooled;
    });
  }

  /** Records the object about to be written, so that a restart writes the same one again. */
  intend(intent: SpoolIntent): void {
    this.state = { ...this.state, intent };
    this.checkpoints.set(KEY, { after: String(this.deliveredSeq), state: this.state });
  }

  /** Everything up to `last` is in S3: forget it, and give the room back. */
  delivered(last: number): Promise<void> {
    this.state = { epoch: this.state.epoch };
    this.deliveredSeq = Math.max(this.deliveredSeq, last);
    this.checkpoints.set(KEY, { after: String(this.deliveredSeq), state: this.state });
    return this.serially(async () => {
      this.entries = this.entries.filter((e) => e.seq > this.deliveredSeq);
      if (this.entries.length === 0) {
        await (await this.fileHandle()).truncate(0);
        this.fileBytes = 0;
      } else if (this.entries[0].start >= this.compactBytes) {
        await this.compact(this.entries[0].start);
      }
    });
  }

  /** Rewrites the file from `start` on (temporary file, then rename), for a spool that never empties. */
  private async compact(start: number): Promise<void> {
    const handle = await this.fileHandle();
    const tail = Buffer.alloc(this.fileBytes - start);
    await handle.read(tail, 0, tail.length, start);
    const temp = `${this.file}.tmp`;
    const out = await open(temp, 'w');
    try {
      await out.write(tail);
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(temp, this.file);
    await handle.close();
    this.handle = undefined;
    this.entries = this.entries.map((e) => ({ seq: e.seq, start: e.start - start, end: e.end - start }));
    this.fileBytes = tail.length;
  }

  /** Refuses further records and closes the file once the writes in progress are done. */
  close(): Promise<void> {
    return this.serially(async () => {
      this.closed = true;
      await this.handle?.close();
      this.handle = undefined;
    });
  }
}
