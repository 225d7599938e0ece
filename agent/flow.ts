/**
 * One flow: the files of a pattern, tailed into one stream. Lines are read into a buffer,
 * converted, and sent with PutRecords when the buffer is full or old enough; entries Kinesis
 * rejects are retried with back-off, never dropped. A line's bytes count as done only once
 * Kinesis has accepted its record (or the line was deliberately skipped), and the checkpoint
 * only ever moves to the end of the longest run of done lines, so a restart neither loses nor
 * repeats a line.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { errorMessage, putRecordsReliably, type PutEntry, type RetryPolicy } from '#core/put-records';
import { PUT_RECORDS_LIMITS } from '#core/settings';
import type { FlowConfig } from './config';
import { buildConverter, type Converter } from './convert';
import { Tailer, type Line, type SavedSource, type Source, type TailEvent } from './tailer';

/** Lines read ahead of what Kinesis has accepted, in buffers: enough to keep sending, bounded in memory. */
const BUFFERS_AHEAD = 4;
/** Longest partition key this agent makes (an MD5 in hex is 32 characters; RANDOM ones are shorter). */
const MAX_KEY_BYTES = 32;

export interface FlowStats {
  linesRead: number;
  recordsSent: number;
  bytesSent: number;
  /** Entry re-sends after throttling or an error (an entry retried twice counts twice). */
  retried: number;
  /** Send attempts that ended with records still not accepted (they stay queued). */
  failedSends: number;
  malformedSkipped: number;
  malformedSentRaw: number;
  truncatedLines: number;
  rotations: number;
  truncations: number;
  copies: number;
  lastError?: string;
}

export interface FlowIO {
  readonly kinesis: KinesisClient;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: (line: string) => void;
  /** Per-request retries; defaults to the flow's retryInitialBackoffMillis/retryMaxBackoffMillis. */
  readonly retryPolicy?: RetryPolicy;
}

/** A line on its way: done once its record is accepted (or it needs none). */
interface Pending {
  readonly source: Source;
  readonly end: number;
  done: boolean;
}

interface Entry extends PutEntry {
  readonly pending: Pending;
  readonly readAt: number;
}

const encoder = new TextEncoder();

export class Flow {
  readonly tailer: Tailer;
  readonly stats: FlowStats = {
    linesRead: 0,
    recordsSent: 0,
    bytesSent: 0,
    retried: 0,
    failedSends: 0,
    malformedSkipped: 0,
    malformedSentRaw: 0,
    truncatedLines: 0,
    rotations: 0,
    truncations: 0,
    copies: 0,
  };
  private readonly converter: Converter;
  /** Every line read and not yet committed, in read order. */
  private pending: Pending[] = [];
  /** Records not yet accepted, in read order. */
  private unsent: Entry[] = [];
  private unsentBytes = 0;
  private lastPoll = -Infinity;
  /** Lines the last poll read. */
  private lastRead = 0;
  private backoffMs = 0;
  private nextSendAt = -Infinity;
  private readonly terminator: Uint8Array;
  private readonly recordLimit = PUT_RECORDS_LIMITS.maxRecordBytes - MAX_KEY_BYTES;

  constructor(
    readonly config: FlowConfig,
    private readonly io: FlowIO,
  ) {
    this.converter = buildConverter(config.dataProcessingOptions);
    this.terminator = encoder.encode(config.truncatedRecordTerminator);
    this.tailer = new Tailer({
      directory: config.directory,
      fileGlob: config.fileGlob,
      initialPosition: config.initialPosition,
      maxLineBytes: this.recordLimit - this.terminator.length,
      now: io.now,
      onEvent: (event) => this.onEvent(event),
    });
  }

  private onEvent(event: TailEvent) {
    const log = (text: string) => this.io.log(`${this.config.kinesisStream}: ${text}`);
    switch (event.kind) {
      // Files with nothing left to read (old rotations) are followed quietly.
      case 'new':
        if (event.offset < event.size || event.size === 0) log(`following ${event.path}`);
        break;
      case 'resume':
        if (event.offset < event.size) log(`resuming ${event.path} at byte ${event.offset}`);
        break;
      case 'rename':
        this.stats.rotations += 1;
        log(`${event.from} was renamed to ${event.to}; reading on`);
        break;
      case 'truncate':
        this.stats.truncations += 1;
        log(`${event.path} was truncated; reading it from the start`);
        break;
      case 'copy':
        this.stats.copies += 1;
        log(`${event.path} is a copy of ${event.of}; continuing at byte ${event.offset}`);
        break;
      case 'gone':
        if (event.unread > 0) log(`${event.path} was removed; sending its last ${event.unread} bytes`);
        break;
      case 'lost':
        log(
          `warning: ${event.path} was truncated before its last ${event.bytes} bytes were read, and no copy of them was found`,
        );
        break;
      case 'unreadable':
        log(`cannot read ${event.path}: ${event.reason}`);
        break;
      case 'no-directory':
        log(`waiting for ${event.path} to exist`);
        break;
    }
  }

  /** Starts from the checkpointed sources (undefined: nothing was checkpointed). */
  start(saved: readonly SavedSource[] | undefined) {
    this.tailer.start(saved);
    const { files } = this.tailer.backlog();
    this.io.log(
      `${this.config.kinesisStream}: ${files} file${files === 1 ? '' : 's'} matching ${path.join(this.config.directory, this.config.fileGlob)}` +
        `${saved ? ', resuming from the checkpoint' : this.config.initialPosition === 'END_OF_FILE' ? ', starting at their end' : ''}`,
    );
  }

  private partitionKey(data: Uint8Array): string {
    if (this.config.partitionKeyOption === 'DETERMINISTIC')
      return createHash('md5').update(data).digest('hex');
    return String(this.io.random() * 1_000_000);
  }

  /** The record for one line, or undefined when the line is skipped. */
  private record(line: Line): Uint8Array | undefined {
    if (line.truncated) this.stats.truncatedLines += 1;
    const raw = line.truncated
      ? Buffer.concat([line.data!, this.terminator])
      : Buffer.concat([line.data!, Buffer.from('\n')]);
    if (this.config.dataProcessingOptions.length === 0) return raw;
    const converted = line.truncated ? undefined : this.converter.convert(line.data!.toString('utf8'));
    if (converted?.ok) {
      const data = encoder.encode(`${converted.value}\n`);
      if (data.byteLength <= this.recordLimit) return data;
    }
    if (this.converter.onMalformed === 'SEND_RAW') {
      this.stats.malformedSentRaw += 1;
      return raw;
    }
    this.stats.malformedSkipped += 1;
    return undefined;
  }

  /** Whether the files are due a look (every minTimeBetweenFilePollsMillis). */
  pollDue(): boolean {
    return this.io.now() - this.lastPoll >= this.config.minTimeBetweenFilePollsMillis;
  }

  /** Looks at the files and reads what is new into the buffer, as far as the buffer allows. */
  poll(): number {
    this.lastPoll = this.io.now();
    this.tailer.scan();
    const room = this.config.maxBufferSizeRecords * BUFFERS_AHEAD - this.pending.length;
    const roomBytes = this.config.maxBufferSizeBytes * BUFFERS_AHEAD - this.unsentBytes;
    if (room <= 0 || roomBytes <= 0) return (this.lastRead = 0);
    const lines = this.tailer.read(room, roomBytes);
    this.lastRead = lines.length;
    const now = this.io.now();
    for (const line of lines) {
      const pending: Pending = { source: line.source, end: line.end, done: true };
      this.pending.push(pending);
      if (!line.data) continue;
      this.stats.linesRead += 1;
      const data = this.record(line);
      if (!data) continue;
      pending.done = false;
      const entry: Entry = { data, partitionKey: this.partitionKey(data), pending, readAt: now };
      this.unsent.push(entry);
      this.unsentBytes += data.byteLength;
    }
    return lines.length;
  }

  /** Records read and not yet accepted by Kinesis. */
  get unsentRecords(): number {
    return this.unsent.length;
  }

  private due(force: boolean): boolean {
    if (this.unsent.length === 0 || this.io.now() < this.nextSendAt) return false;
    return (
      force ||
      this.unsent.length >= this.config.maxBufferSizeRecords ||
      this.unsentBytes >= this.config.maxBufferSizeBytes ||
      this.io.now() - this.unsent[0].readAt >= this.config.maxBufferAgeMillis
    );
  }

  /** When the next send may be attempted after a failure (for a caller that waits). */
  get retryAt(): number {
    return this.nextSendAt;
  }

  private backOff(error: string) {
    this.stats.failedSends += 1;
    this.stats.lastError = error;
    this.backoffMs = Math.min(
      this.config.retryMaxBackoffMillis,
      Math.max(this.config.retryInitialBackoffMillis, this.backoffMs * 2),
    );
    // Half the delay plus a random part of the other half, so several agents do not retry in step.
    this.nextSendAt = this.io.now() + this.backoffMs / 2 + (this.io.random() * this.backoffMs) / 2;
  }

  /**
   * Sends one buffer if one is due (full, old enough, or `force`), and moves the checkpoint
   * over what was accepted. Returns whether the checkpoint moved.
   */
  async send(force = false): Promise<boolean> {
    if (!this.due(force)) return this.commit();
    const batch: Entry[] = [];
    let bytes = 0;
    for (const entry of this.unsent) {
      const size = entry.data.byteLength + Buffer.byteLength(entry.partitionKey);
      if (batch.length >= this.config.maxBufferSizeRecords) break;
      if (batch.length > 0 && bytes + size > this.config.maxBufferSizeBytes) break;
      batch.push(entry);
      bytes += size;
    }
    const policy = this.io.retryPolicy ?? {
      maxAttempts: 3,
      baseDelayMs: this.config.retryInitialBackoffMillis,
      maxDelayMs: this.config.retryMaxBackoffMillis,
    };
    let rejected = new Set<PutEntry>(batch);
    try {
      const outcome = await putRecordsReliably(this.io.kinesis, this.config.kinesisStream, batch, policy);
      this.stats.retried += outcome.retried;
      rejected = new Set(outcome.failed.map((f) => f.entry));
      if (outcome.failed.length > 0) this.backOff(outcome.failed[0].error);
      else this.backoffMs = 0;
    } catch (error) {
      this.backOff(errorMessage(error));
    }
    const accepted = batch.filter((entry) => !rejected.has(entry));
    for (const entry of accepted) {
      entry.pending.done = true;
      this.stats.recordsSent += 1;
      this.stats.bytesSent += entry.data.byteLength;
      this.unsentBytes -= entry.data.byteLength;
    }
    if (accepted.length > 0) {
      const sent = new Set<Entry>(accepted);
      this.unsent = this.unsent.filter((entry) => !sent.has(entry));
    }
    return this.commit();
  }

  /** Moves each source's checkpoint to the end of the run of done lines at the front. */
  private commit(): boolean {
    let moved = 0;
    while (moved < this.pending.length && this.pending[moved].done) {
      const line = this.pending[moved];
      line.source.committed = line.end;
      moved += 1;
    }
    if (moved > 0) this.pending = this.pending.slice(moved);
    return moved > 0;
  }

  /** Everything read has been sent, and the last poll found no new line. */
  get idle(): boolean {
    return this.pending.length === 0 && this.lastRead === 0;
  }

  snapshot(): SavedSource[] {
    return this.tailer.snapshot();
  }

  close() {
    this.tailer.close();
  }
}
