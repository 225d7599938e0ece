/**
 * Follows the files of one file pattern through rotation, line by line.
 *
 * What is tracked is content, not a path: a `Source` is the bytes of one log as it was written,
 * with how far it has been read and how far it has been sent. A file is a member of the source
 * whose bytes it holds, recognised by its inode and by its first lines (the head):
 *
 * - rename rotation (`access_log` → `access_log.1`, new `access_log`): the inode moves to the
 *   new name and stays in its source; the new file is new content, read from its start.
 * - copytruncate (`access_log` copied to `access_log.1`, then emptied): the copy has the same
 *   head, so it joins the source and its unread lines are read from it; the emptied original
 *   is new content from byte 0.
 * - a file deleted or moved out of the pattern is read to its end through the descriptor that
 *   stays open, then closed once all of it has been sent.
 *
 * The tailer never reads ahead of what it is asked for, and it is driven by explicit `scan` and
 * `read` calls: no timers, so tests step it deterministically.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { InitialPosition } from './config';

/** How much of a file's beginning identifies its content (whole lines only). */
export const HEAD_BYTES = 1024;
const READ_CHUNK = 256 * 1024;
/** Content whose files are all gone is remembered this long in case one reappears (a copy seen late). */
const MAX_ORPHANS = 32;
/** Rotated files compressed by logrotate match `access_log*` too, but hold no lines. */
const COMPRESSED = /\.(gz|bz2|xz|zst|zip|lz4|Z)$/;
const NEWLINE = 0x0a;

/** What a checkpoint keeps of a source. */
export interface SavedSource {
  /** Base64 of the content's first whole lines (up to HEAD_BYTES). */
  readonly head: string;
  /** Every byte before this offset has been sent (or deliberately skipped). */
  readonly offset: number;
  readonly files: readonly { readonly path: string; readonly ino: string }[];
  /** When a file of it was last seen (epoch ms). */
  readonly seen: number;
}

interface Member {
  path: string;
  ino: string;
  fd: number;
  size: number;
  mtimeNs: bigint;
  /** No longer matches the pattern (deleted, or moved away): read through the open descriptor. */
  gone: boolean;
}

export class Source {
  /** Inodes this content was in when last saved, for matching files at start-up. */
  savedInodes: readonly string[] = [];
  members: Member[] = [];
  /** Inside a line longer than a record can hold, after its first part was sent. */
  skipping = false;
  /** The path it was last read from, for messages after its files are gone. */
  lastPath = '';
  /** Header lines still to skip at its start (undefined: not counted yet). */
  headerLeft: number | undefined;

  constructor(
    public head: Buffer,
    /** Sent (or deliberately skipped) up to here. */
    public committed: number,
    /** Handed out as lines up to here. */
    public read: number,
    public seen: number,
  ) {}

  /** The member with the most bytes: the one to read from. */
  get primary(): Member | undefined {
    return this.members.reduce<Member | undefined>((a, b) => (a && a.size >= b.size ? a : b), undefined);
  }

  get name(): string {
    return this.primary?.path ?? (this.lastPath || 'a file no longer there');
  }
}

/** One line, or a stretch of bytes that produces no record (a header line, the rest of an over-long line). */
export interface Line {
  readonly source: Source;
  /** Offset just past this line's newline; committing it moves the checkpoint here. */
  readonly end: number;
  /** The line without its newline; absent for skipped bytes. */
  readonly data?: Buffer;
  /** The line was cut at the record size limit. */
  readonly truncated?: boolean;
}

export type TailEvent =
  | { readonly kind: 'new'; readonly path: string; readonly offset: number; readonly size: number }
  | { readonly kind: 'resume'; readonly path: string; readonly offset: number; readonly size: number }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'truncate'; readonly path: string; readonly unread: number }
  | { readonly kind: 'copy'; readonly path: string; readonly of: string; readonly offset: number }
  | { readonly kind: 'gone'; readonly path: string; readonly unread: number }
  | { readonly kind: 'lost'; readonly path: string; readonly bytes: number }
  | { readonly kind: 'unreadable'; readonly path: string; readonly reason: string }
  | { readonly kind: 'no-directory'; readonly path: string };

export interface TailerOptions {
  readonly directory: string;
  readonly fileGlob: string;
  readonly initialPosition: InitialPosition;
  /** Longest line sent whole; longer ones are cut to this many bytes. */
  readonly maxLineBytes: number;
  /** Lines at the start of every content that are read but produce no record. @default 0 */
  readonly skipHeaderLines?: number;
  readonly now: () => number;
  readonly onEvent?: (event: TailEvent) => void;
}

/** Lines read so far in one `read`, and whether there is room for more. */
interface Batch {
  readonly lines: Line[];
  bytes: number;
  readonly full: () => boolean;
}

interface Listed {
  readonly path: string;
  readonly size: number;
  readonly mtimeNs: bigint;
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const n = length === 0 ? 0 : readSync(fd, buffer, 0, length, position);
  return buffer.subarray(0, n);
}

/**
 * A file's first whole lines, up to HEAD_BYTES: empty until its first line is complete (a few
 * bytes of a line being written would match other files), or HEAD_BYTES of a longer first line.
 */
function headOf(fd: number, size: number): Buffer {
  const start = readAt(fd, 0, Math.min(size, HEAD_BYTES));
  const newline = start.lastIndexOf(NEWLINE);
  return Buffer.from(newline < 0 && start.length === HEAD_BYTES ? start : start.subarray(0, newline + 1));
}

/** Whether two heads are of the same content: the shorter is a prefix of the longer. */
function sameContent(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return n > 0 && a.subarray(0, n).equals(b.subarray(0, n));
}

/** How many newlines the first `upTo` bytes of a file hold, counting no further than `limit`. */
function countNewlines(fd: number, upTo: number, limit: number): number {
  let count = 0;
  for (let position = 0; position < upTo && count < limit; position += READ_CHUNK) {
    const chunk = readAt(fd, position, Math.min(READ_CHUNK, upTo - position));
    if (chunk.length === 0) break;
    for (let i = chunk.indexOf(NEWLINE); i >= 0 && count < limit; i = chunk.indexOf(NEWLINE, i + 1))
      count += 1;
  }
  return count;
}

/** Where the last complete line of a file ends (its size, if it ends with a newline). */
function lastLineEnd(fd: number, size: number): number {
  const window = Math.min(size, READ_CHUNK);
  const tail = readAt(fd, size - window, window);
  const newline = tail.lastIndexOf(NEWLINE);
  return newline < 0 ? (window === size ? 0 : size) : size - window + newline + 1;
}

export class Tailer {
  private sources: Source[] = [];
  private readonly isMatch: (name: string) => boolean;
  /** Paths reported unreadable, so each is reported once. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: TailerOptions) {
    this.isMatch = picomatch(options.fileGlob);
  }

  private emit(event: TailEvent) {
    this.options.onEvent?.(event);
  }

  /** The files that match now, by inode. */
  private list(): Map<string, Listed> {
    const files = new Map<string, Listed>();
    let names: string[];
    try {
      names = readdirSync(this.options.directory);
      this.reported.delete(this.options.directory);
    } catch (error) {
      if (!this.reported.has(this.options.directory)) {
        this.reported.add(this.options.directory);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') this.emit({ kind: 'no-directory', path: this.options.directory });
        else this.emit({ kind: 'unreadable', path: this.options.directory, reason: String(code ?? error) });
      }
      return files;
    }
    for (const name of names.sort()) {
      if (!this.isMatch(name) || COMPRESSED.test(name)) continue;
      const file = path.join(this.options.directory, name);
      try {
        const stat = statSync(file, { bigint: true });
        if (!stat.isFile()) continue;
        const ino = String(stat.ino);
        if (!files.has(ino)) files.set(ino, { path: file, size: Number(stat.size), mtimeNs: stat.mtimeNs });
      } catch {
        // Removed between listing and stat: the next scan sees it gone.
      }
    }
    return files;
  }

  private open(file: Listed, ino: string): Member | undefined {
    try {
      const fd = openSync(file.path, 'r');
      const stat = fstatSync(fd, { bigint: true });
      if (String(stat.ino) !== ino) {
        closeSync(fd); // replaced between stat and open: the next scan picks up the new one
        return undefined;
      }
      this.reported.delete(file.path);
      return { path: file.path, ino, fd, size: Number(stat.size), mtimeNs: stat.mtimeNs, gone: false };
    } catch (error) {
      if (!this.reported.has(file.path)) {
        this.reported.add(file.path);
        const code = (error as NodeJS.ErrnoException).code;
        this.emit({
          kind: 'unreadable',
          path: file.path,
          reason: code === 'EACCES' ? 'permission denied' : String(code),
        });
      }
      return undefined;
    }
  }

  /** Files in mtime order, oldest first, so the rest of a rotated file comes before its successor. */
  private static byAge(files: Map<string, Listed>): [string, Listed][] {
    return [...files].sort(([, a], [, b]) => (a.mtimeNs < b.mtimeNs ? -1 : a.mtimeNs > b.mtimeNs ? 1 : 0));
  }

  /**
   * Matches the files there now to the checkpointed sources (`saved` undefined: first start,
   * nothing sent yet). A file of known content resumes at its checkpoint wherever it is now;
   * new content starts at byte 0, except on a first start at END_OF_FILE, where existing files
   * start after their last complete line.
   */
  start(saved: readonly SavedSource[] | undefined): void {
    const firstStart = saved === undefined;
    this.sources = (saved ?? []).map((s) => {
      const source = new Source(Buffer.from(s.head, 'base64'), s.offset, s.offset, s.seen);
      source.savedInodes = s.files.map((f) => f.ino);
      source.lastPath = s.files.find((f) => f.path !== '')?.path ?? '';
      return source;
    });
    for (const [ino, file] of Tailer.byAge(this.list())) {
      const member = this.open(file, ino);
      if (!member) continue;
      const head = headOf(member.fd, member.size);
      const known =
        this.sources.find(
          (s) => s.savedInodes.includes(ino) && (s.head.length === 0 || sameContent(s.head, head)),
        ) ?? this.sources.find((s) => sameContent(s.head, head));
      if (known) {
        known.members.push(member);
        known.seen = this.options.now();
        this.emit({ kind: 'resume', path: member.path, offset: known.committed, size: member.size });
      } else {
        const offset =
          firstStart && this.options.initialPosition === 'END_OF_FILE'
            ? lastLineEnd(member.fd, member.size)
            : 0;
        const source = new Source(head, offset, offset, this.options.now());
        source.members.push(member);
        this.sources.push(source);
        this.emit({ kind: 'new', path: member.path, offset, size: member.size });
      }
    }
    this.prune(Infinity);
  }

  /** Whether a member still starts with its source's head (it was not emptied and rewritten). */
  private headMatches(source: Source, member: Member, size: number): boolean {
    if (source.head.length === 0) return true;
    const n = Math.min(source.head.length, size);
    return n > 0 && readAt(member.fd, 0, n).equals(source.head.subarray(0, n));
  }

  /** Looks at the files again: renames, truncations, copies, deletions and new files. */
  scan(): void {
    const now = this.options.now();
    const listed = this.list();
    const claimed = new Set<string>();
    const emptied: { from: Source; size: number; path: string }[] = [];

    for (const source of [...this.sources]) {
      for (const member of [...source.members]) {
        const file = listed.get(member.ino);
        if (!file) {
          // Deleted or moved out of the pattern: what is left is read through the descriptor.
          member.size = Number(fstatSync(member.fd).size);
          if (!member.gone) {
            member.gone = true;
            this.emit({ kind: 'gone', path: member.path, unread: Math.max(0, member.size - source.read) });
          }
          continue;
        }
        claimed.add(member.ino);
        member.gone = false;
        if (file.path !== member.path) {
          this.emit({ kind: 'rename', from: member.path, to: file.path });
          member.path = file.path;
        }
        const changed = file.size !== member.size || file.mtimeNs !== member.mtimeNs;
        if (changed && (file.size < member.size || !this.headMatches(source, member, file.size))) {
          // Emptied (copytruncate) or rewritten in place: this file holds new content now.
          const previousSize = member.size;
          source.lastPath = member.path;
          source.members = source.members.filter((m) => m !== member);
          member.size = file.size;
          member.mtimeNs = file.mtimeNs;
          const fresh = new Source(headOf(member.fd, file.size), 0, 0, now);
          fresh.members.push(member);
          this.sources.push(fresh);
          emptied.push({ from: source, size: previousSize, path: member.path });
          this.emit({ kind: 'truncate', path: member.path, unread: Math.max(0, previousSize - source.read) });
          continue;
        }
        member.size = file.size;
        member.mtimeNs = file.mtimeNs;
      }
    }

    for (const [ino, file] of Tailer.byAge(listed)) {
      if (claimed.has(ino)) continue;
      const member = this.open(file, ino);
      if (!member) continue;
      const head = headOf(member.fd, member.size);
      const original = this.sources.find((s) => sameContent(s.head, head));
      if (original) {
        this.emit({ kind: 'copy', path: member.path, of: original.name, offset: original.read });
        original.members.push(member);
      } else {
        const source = new Source(head, 0, 0, now);
        source.members.push(member);
        this.sources.push(source);
        this.emit({ kind: 'new', path: member.path, offset: 0, size: member.size });
      }
    }

    // Emptied with lines unread and no copy of them in sight: those lines are gone.
    for (const { from, size, path: file } of emptied) {
      const holder = from.members.reduce((max, m) => Math.max(max, m.size), 0);
      if (holder < size && from.read < size) {
        this.emit({ kind: 'lost', path: file, bytes: size - Math.max(from.read, holder) });
      }
    }

    for (const source of this.sources) {
      if (source.members.some((m) => !m.gone)) source.seen = now;
      // A gone file is closed once everything in it has been sent.
      if (source.primary) source.lastPath = source.primary.path;
      for (const member of source.members.filter((m) => m.gone && source.committed >= m.size)) {
        closeSync(member.fd);
        source.members = source.members.filter((m) => m !== member);
      }
    }
  }

  /**
   * Up to `maxLines` lines (or about `maxBytes` bytes), oldest content first. Only complete
   * lines are returned, except the last line of a file that is gone; a line longer than
   * `maxLineBytes` is cut there (`truncated`) and the rest of it is skipped.
   */
  read(maxLines: number, maxBytes: number): Line[] {
    const batch: Batch = {
      lines: [],
      bytes: 0,
      full: () => batch.lines.length >= maxLines || batch.bytes >= maxBytes,
    };
    const order = this.sources
      .filter((s) => s.primary !== undefined)
      .sort((a, b) =>
        a.primary!.mtimeNs < b.primary!.mtimeNs ? -1 : a.primary!.mtimeNs > b.primary!.mtimeNs ? 1 : 0,
      );
    for (const source of order) {
      if (batch.full()) break;
      this.readSource(source, batch);
    }
    return batch.lines;
  }

  /** Reads a source's new lines into the batch, as far as it has room. */
  private readSource(source: Source, batch: Batch): void {
    const member = source.primary!;
    const { lines } = batch;
    let position = source.read;
    let want = READ_CHUNK;
    const skip = this.options.skipHeaderLines ?? 0;
    source.headerLeft ??=
      position === 0 ? skip : Math.max(0, skip - countNewlines(member.fd, position, skip));
    /** Whether the next line is a header line: read like any other, producing no record. */
    const header = () => {
      if (!source.headerLeft) return false;
      source.headerLeft -= 1;
      return true;
    };
    while (!batch.full() && position < member.size) {
      const chunk = readAt(member.fd, position, Math.min(want, member.size - position));
      if (chunk.length === 0) break;
      let cursor = 0;
      if (source.skipping) {
        const newline = chunk.indexOf(NEWLINE);
        cursor = newline < 0 ? chunk.length : newline + 1;
        source.skipping = newline < 0;
        lines.push({ source, end: position + cursor });
      }
      for (let newline = chunk.indexOf(NEWLINE, cursor); newline >= 0 && !batch.full();) {
        const long = newline - cursor > this.options.maxLineBytes;
        const stop = long ? cursor + this.options.maxLineBytes : newline;
        lines.push({
          source,
          end: position + newline + 1,
          ...(header() ? {} : { data: Buffer.from(chunk.subarray(cursor, stop)) }),
          ...(long ? { truncated: true } : {}),
        });
        batch.bytes += stop - cursor + 1;
        cursor = newline + 1;
        newline = chunk.indexOf(NEWLINE, cursor);
      }
      if (cursor > 0) {
        position += cursor;
        want = READ_CHUNK;
        continue;
      }
      // No complete line in what was read.
      if (chunk.length >= this.options.maxLineBytes) {
        const cut = this.options.maxLineBytes;
        lines.push({
          source,
          end: position + cut,
          ...(header() ? {} : { data: Buffer.from(chunk.subarray(0, cut)), truncated: true }),
        });
        batch.bytes += cut;
        position += cut;
        source.skipping = true;
      } else if (position + chunk.length < member.size) {
        want = Math.min(want * 4, this.options.maxLineBytes); // a long line: read more of it
      } else if (member.gone) {
        // The last line of a finished file, never terminated: send it as it is.
        lines.push({ source, end: member.size, ...(header() ? {} : { data: Buffer.from(chunk) }) });
        batch.bytes += chunk.length;
        position = member.size;
      } else {
        break; // a line still being written
      }
    }
    source.read = position;
    if (source.head.length < HEAD_BYTES && member.size > source.head.length) {
      const head = headOf(member.fd, member.size);
      if (head.length > source.head.length) source.head = head;
    }
  }

  /** Bytes in the files not yet read, and how many files are followed. */
  backlog(): { bytes: number; files: number } {
    let bytes = 0;
    let files = 0;
    for (const source of this.sources) {
      const primary = source.primary;
      files += source.members.length;
      if (primary) bytes += Math.max(0, primary.size - source.read);
    }
    return { bytes, files };
  }

  /** Forgets content with no file left, beyond the newest few or older than `ttlMs`. */
  prune(ttlMs: number): void {
    const now = this.options.now();
    const orphans = this.sources
      .filter((s) => s.members.length === 0)
      .sort((a, b) => b.seen - a.seen)
      .filter((s, i) => i >= MAX_ORPHANS || now - s.seen > ttlMs);
    this.sources = this.sources.filter((s) => !orphans.includes(s));
  }

  snapshot(): SavedSource[] {
    return this.sources.map((s) => ({
      head: s.head.toString('base64'),
      offset: s.committed,
      files:
        s.members.length > 0
          ? s.members.filter((m) => !m.gone).map((m) => ({ path: m.path, ino: m.ino }))
          : s.savedInodes.map((ino) => ({ path: s.lastPath, ino })),
      seen: s.seen,
    }));
  }

  close(): void {
    for (const source of this.sources) {
      for (const member of source.members) closeSync(member.fd);
      source.members = [];
    }
  }
}
