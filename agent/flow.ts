/**
 * One flow: the files of a pattern, tailed into one destination (a Kinesis data stream or a
 * Firehose delivery stream, behind the Sink interface). Lines are assembled into records (one
 * per line, or per multi-line record), processed, and sent when the buffer is full or old
 * enough; entries the destination rejects are retried with back-off, never dropped. A line's
 * bytes count as done only once its record has been accepted (or the line was deliberately
 * skipped), and the checkpoint only ever moves to the end of the longest run of done lines, so
 * a restart neither loses nor repeats a line.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { RetryPolicy } from '#core/put-records';
import type { FlowConfig, MalformedLineAction } from './config';
import { buildConverter, type Conversion, type Ec2MetadataSource } from './convert';
import { deliver, type DeliveryCounts, type Sink } from './sinks';
import { Tailer, type Line, type SavedSource, type Source, type TailEvent } from './tailer';

/** Lines read ahead of what the destination has accepted, in buffers: enough to keep sending, bounded in memory. */
const BUFFERS_AHEAD = 4;
/** Longest partition key this agent makes (an MD5 in hex is 32 characters; RANDOM ones are shorter). */
const MAX_KEY_BYTES = 32;
/** Requests per send before the flow pauses (the retries of rejected entries back off in between). */
const ATTEMPTS_PER_SEND = 3;

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
  /** Records cut at the record size limit. */
  truncatedLines: number;
  rotations: number;
  truncations: number;
  copies: number;
  lastError?: string;
}

export interface FlowIO {
  readonly sink: Sink;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: (line: string) => void;
  /** Per-send retries; defaults to the flow's retryInitialBackoffMillis/retryMaxBackoffMillis. */
  readonly retryPolicy?: RetryPolicy;
  /** What ADDEC2METADATA adds. */
  readonly ec2Metadata?: Ec2MetadataSource;
  /** Told what each send did (for the agent's metrics). */
  readonly onDelivery?: (destination: string, counts: DeliveryCounts) => void;
}

/** A line on its way: done once its record is accepted (or it needs none). */
interface Pending {
  readonly source: Source;
  readonly end: number;
  done: boolean;
}

/** A record being assembled from lines. */
interface Assembly {
  readonly source: Source;
  readonly parts: Buffer[];
  bytes: number;
  readonly pendings: Pending[];
  truncated: boolean;
  /** The poll that last added to it. */
  lastPoll: number;
}

/** A record to send. */
interface Entry {
  data: Uint8Array;
  partitionKey?: string;
  readonly pendings: Pending[];
  readonly readAt: number;
}

const encoder = new TextEncoder();
const NEWLINE = Buffer.from('\n');

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
  private readonly convert: (record: string) => Conversion;
  private readonly onMalformed: MalformedLineAction;
  private readonly startPattern?: RegExp;
  private readonly footerPattern?: RegExp;
  /** Contents whose footer line has been read: the rest of them is not sent. */
  private readonly ended = new WeakSet<Source>();
  /** Every line read and not yet committed, in read order. */
  private pending: Pending[] = [];
  /** Multi-line records not complete yet, by the content they come from. */
  private readonly assemblies = new Map<Source, Assembly>();
  /** Records not yet accepted, in read order. */
  private unsent: Entry[] = [];
  private unsentBytes = 0;
  private lastPoll = -Infinity;
  private polls = 0;
  /** Lines the last poll read, and whether it stopped for want of room. */
  private lastRead = 0;
  private lastPollFull = false;
  private nextSendAt = -Infinity;
  private readonly terminator: Buffer;
  /** Largest record the destination takes (less room for a partition key). */
  readonly sendLimit: number;
  /** Records are cut to this size as they are read (maxRecordSizeBytes, at most sendLimit), as the Java agent cuts them. */
  readonly recordLimit: number;

  constructor(
    readonly config: FlowConfig,
    private readonly io: FlowIO,
  ) {
    this.sendLimit = io.sink.target.limits.maxRecordBytes - (io.sink.keyed ? MAX_KEY_BYTES : 0);
    this.recordLimit = Math.min(config.maxRecordSizeBytes, this.sendLimit);
    this.convert = buildConverter(config.dataProcessingOptions, { now: io.now, ec2Metadata: io.ec2Metadata });
    const logOption = config.dataProcessingOptions.find((o) => o.optionName === 'LOGTOJSON');
    this.onMalformed = logOption?.optionName === 'LOGTOJSON' ? logOption.malformedLines : 'SKIP';
    if (config.multiLineStartPattern) this.startPattern = new RegExp(config.multiLineStartPattern);
    if (config.fileFooterPattern) this.footerPattern = new RegExp(config.fileFooterPattern);
    this.terminator = Buffer.from(config.truncatedRecordTerminator);
    this.tailer = new Tailer({
      directory: config.directory,
      fileGlob: config.fileGlob,
      initialPosition: config.initialPosition,
      maxLineBytes: Math.max(1, this.recordLimit - this.terminator.length),
      skipHeaderLines: config.skipHeaderLines,
      now: io.now,
      onEvent: (event) => this.onEvent(event),
    });
  }

  private onEvent(event: TailEvent) {
    const log = (text: string) => this.io.log(`${this.config.streamName}: ${text}`);
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
      `${this.config.streamName}: ${files} file${files === 1 ? '' : 's'} matching ${path.join(this.config.directory, this.config.fileGlob)}` +
        `${saved ? ', resuming from the checkpoint' : this.config.initialPosition === 'END_OF_FILE' ? ', starting at their end' : ''}`,
    );
  }

  private partitionKey(data: Uint8Array): string | undefined {
    if (!this.io.sink.keyed) return undefined;
    if (this.config.partitionKeyOption === 'DETERMINISTIC')
      return createHash('md5').update(data).digest('hex');
    return String(this.io.random() * 1_000_000);
  }

  /**
   * What is sent for a complete record (cut ones too, as the Java agent converts them), or
   * undefined when it is skipped. A conversion that outgrows the destination's record limit
   * counts as malformed.
   */
  private process(raw: Buffer): Uint8Array | undefined {
    if (this.config.dataProcessingOptions.length === 0) return raw;
    const converted = this.convert(raw.toString('utf8'));
    if (converted.ok) {
      const data = encoder.encode(converted.value);
      if (data.byteLength <= this.sendLimit) return data;
    }
    const action = converted.ok ? this.onMalformed : converted.action;
    if (action === 'SEND_RAW') {
      this.stats.malformedSentRaw += 1;
      return raw;
    }
    this.stats.malformedSkipped += 1;
    return undefined;
  }

  /** Queues a complete record; with aggregation, it joins the last queued record if that has room. */
  private finish(assembly: Assembly) {
    if (assembly.truncated) this.stats.truncatedLines += 1;
    const data = this.process(Buffer.concat(assembly.parts));
    if (!data) {
      for (const pending of assembly.pendings) pending.done = true;
      return;
    }
    this.unsentBytes += data.byteLength;
    const last = this.unsent.at(-1);
    const room = Math.min(this.config.aggregatedRecordSizeBytes, this.sendLimit);
    if (room > 0 && last && last.data.byteLength + data.byteLength <= room) {
      last.data = Buffer.concat([last.data, data]);
      last.partitionKey = this.partitionKey(last.data);
      last.pendings.push(...assembly.pendings);
      return;
    }
    this.unsent.push({
      data,
      partitionKey: this.partitionKey(data),
      pendings: assembly.pendings,
      readAt: this.io.now(),
    });
  }

  /** Adds a line to a record; past the record size limit the record is cut and ends with the terminator. */
  private append(assembly: Assembly, line: Line, pending: Pending) {
    assembly.pendings.push(pending);
    assembly.lastPoll = this.polls;
    if (assembly.truncated) return;
    const data = line.data!;
    if (!line.truncated && assembly.bytes + data.length + NEWLINE.length <= this.recordLimit) {
      assembly.parts.push(data, NEWLINE);
      assembly.bytes += data.length + NEWLINE.length;
      return;
    }
    const room = Math.max(0, this.recordLimit - this.terminator.length - assembly.bytes);
    assembly.parts.push(data.subarray(0, room), this.terminator);
    assembly.truncated = true;
  }

  private assemble(line: Line, pending: Pending) {
    const text = line.data!.toString('utf8');
    if (this.footerPattern?.test(text)) {
      this.ended.add(line.source);
      this.closeAssembly(line.source);
      return;
    }
    pending.done = false;
    const open = this.assemblies.get(line.source);
    if (open && this.startPattern && !this.startPattern.test(text)) {
      this.append(open, line, pending);
      return;
    }
    if (open) this.closeAssembly(line.source);
    const assembly: Assembly = {
      source: line.source,
      parts: [],
      bytes: 0,
      pendings: [],
      truncated: false,
      lastPoll: 0,
    };
    this.append(assembly, line, pending);
    if (this.startPattern) this.assemblies.set(line.source, assembly);
    else this.finish(assembly);
  }

  private closeAssembly(source: Source) {
    const assembly = this.assemblies.get(source);
    if (!assembly) return;
    this.assemblies.delete(source);
    this.finish(assembly);
  }

  /**
   * Multi-line records whose content had nothing more in the last poll are complete: a
   * record ends where the next begins, or when its file has stopped growing for a poll.
   */
  private closeQuietAssemblies() {
    if (this.lastPollFull) return;
    for (const [source, assembly] of [...this.assemblies]) {
      if (assembly.lastPoll < this.polls) this.closeAssembly(source);
    }
  }

  /** Whether the files are due a look (every minTimeBetweenFilePollsMillis). */
  pollDue(): boolean {
    return this.io.now() - this.lastPoll >= this.config.minTimeBetweenFilePollsMillis;
  }

  /** Looks at the files and reads what is new into the buffer, as far as the buffer allows. */
  poll(): number {
    this.lastPoll = this.io.now();
    this.closeQuietAssemblies();
    this.polls += 1;
    this.tailer.scan();
    const room = this.config.maxBufferSizeRecords * BUFFERS_AHEAD - this.pending.length;
    const roomBytes = this.config.maxBufferSizeBytes * BUFFERS_AHEAD - this.unsentBytes;
    const lines = room > 0 && roomBytes > 0 ? this.tailer.read(room, roomBytes) : [];
    this.lastRead = lines.length;
    this.lastPollFull = room <= 0 || roomBytes <= 0 || lines.length >= room;
    for (const line of lines) {
      const pending: Pending = { source: line.source, end: line.end, done: true };
      this.pending.push(pending);
      if (!line.data) continue;
      this.stats.linesRead += 1;
      if (!this.ended.has(line.source)) this.assemble(line, pending);
    }
    return lines.length;
  }

  /** Records read and not yet accepted. */
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

  private batch(): Entry[] {
    const batch: Entry[] = [];
    let bytes = 0;
    for (const entry of this.unsent) {
      const size = this.io.sink.target.size(entry);
      if (batch.length >= this.config.maxBufferSizeRecords) break;
      if (batch.length > 0 && bytes + size > this.config.maxBufferSizeBytes) break;
      batch.push(entry);
      bytes += size;
    }
    return batch;
  }

  /**
   * Sends one buffer if one is due (full, old enough, or `force`), and moves the checkpoint
   * over what was accepted. Returns whether the checkpoint moved. Rejected entries are re-sent
   * with back-off within the send; what is still not accepted waits retryMaxBackoffMillis.
   */
  async send(force = false): Promise<boolean> {
    if (force) this.closeQuietAssemblies();
    if (!this.due(force)) return this.commit();
    const batch = this.batch();
    const policy = this.io.retryPolicy ?? {
      maxAttempts: ATTEMPTS_PER_SEND,
      baseDelayMs: this.config.retryInitialBackoffMillis,
      maxDelayMs: this.config.retryMaxBackoffMillis,
    };
    const outcome = await deliver(this.io.sink, batch, policy);
    this.stats.retried += outcome.retried;
    this.io.onDelivery?.(this.io.sink.destination, outcome.counts);
    const rejected = new Set<Entry>(outcome.failed.map((f) => f.entry));
    if (outcome.failed.length > 0) {
      this.stats.failedSends += 1;
      this.stats.lastError = outcome.failed[0].error;
      this.nextSendAt = this.io.now() + this.config.retryMaxBackoffMillis;
    }
    const accepted = batch.filter((entry) => !rejected.has(entry));
    for (const entry of accepted) {
      for (const pending of entry.pendings) pending.done = true;
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
