import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import * as path from 'node:path';
import type { QueueRecord, StoredMessage } from './model';

/**
 * Where SQS keeps its queues on disk, under one folder:
 *
 *   queues.json          every queue's name, region, attributes and tags (replaced whole:
 *                        written to a temporary file, flushed, then renamed over the old one)
 *   queues/<name>.log    one journal per queue, a JSON line per change: a message sent (in
 *                        full), received, its visibility changed, deleted, or the queue purged
 *
 * Every journal line is flushed to disk before the request that made it is answered, so an
 * acknowledged send or delete survives a crash. A crash mid-line leaves a torn last line,
 * which loading drops (it was never acknowledged). When a journal has grown well past the
 * messages it holds, it is rewritten as one line per live message (again write-then-rename).
 */

export type JournalEntry =
  | { readonly op: 'send'; readonly message: StoredMessage }
  | {
      readonly op: 'receive';
      readonly id: string;
      readonly at: number;
      readonly visibleAt: number;
      readonly receipt: string;
    }
  | { readonly op: 'visibility'; readonly id: string; readonly visibleAt: number }
  | { readonly op: 'delete'; readonly id: string }
  | { readonly op: 'purge' };

/** Applies one journal entry to a queue's messages (also how a journal is replayed). */
export function applyEntry(messages: Map<string, StoredMessage>, entry: JournalEntry) {
  switch (entry.op) {
    case 'send':
      messages.set(entry.message.id, { ...entry.message });
      return;
    case 'receive': {
      const message = messages.get(entry.id);
      if (!message) return;
      message.receiveCount += 1;
      message.firstReceive ??= entry.at;
      message.lastReceive = entry.at;
      message.visibleAt = entry.visibleAt;
      message.receipt = entry.receipt;
      return;
    }
    case 'visibility': {
      const message = messages.get(entry.id);
      if (message) message.visibleAt = entry.visibleAt;
      return;
    }
    case 'delete':
      messages.delete(entry.id);
      return;
    case 'purge':
      messages.clear();
  }
}

function writeDurably(file: string, text: string) {
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** One queue's journal. */
export class QueueJournal {
  private fd: number | undefined;
  private lines = 0;

  constructor(
    private readonly file: string,
    private readonly sync: boolean,
  ) {}

  /** Replays the journal; a torn last line (a crash mid-write) is cut off. */
  load(): Map<string, StoredMessage> {
    const messages = new Map<string, StoredMessage>();
    if (!existsSync(this.file)) return messages;
    const text = readFileSync(this.file, 'utf8');
    let good = 0;
    let lineNumber = 0;
    for (let start = 0; start < text.length;) {
      const end = text.indexOf('\n', start);
      if (end < 0) break;
      lineNumber += 1;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(text.slice(start, end)) as JournalEntry;
      } catch {
        if (text.indexOf('\n', end + 1) >= 0)
          throw new Error(`${this.file}: line ${lineNumber} is damaged; the queue cannot be read`);
        break;
      }
      applyEntry(messages, entry);
      start = end + 1;
      good = start;
      this.lines += 1;
    }
    const goodBytes = Buffer.byteLength(text.slice(0, good), 'utf8');
    if (goodBytes < Buffer.byteLength(text, 'utf8')) {
      const fd = openSync(this.file, 'r+');
      ftruncateSync(fd, goodBytes);
      closeSync(fd);
    }
    return messages;
  }

  append(entries: readonly JournalEntry[]) {
    if (entries.length === 0) return;
    if (this.fd === undefined) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
    }
    writeSync(this.fd, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    if (this.sync) fdatasyncSync(this.fd);
    this.lines += entries.length;
  }

  /** Rewrites the journal as one line per live message once it is mostly history. */
  compactIfWorthIt(messages: ReadonlyMap<string, StoredMessage>) {
    if (this.lines < Math.max(1000, 4 * messages.size)) return;
    this.close();
    const lines = [...messages.values()].map((message) => `${JSON.stringify({ op: 'send', message })}\n`);
    writeDurably(this.file, lines.join(''));
    this.lines = lines.length;
  }

  close() {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  remove() {
    this.close();
    rmSync(this.file, { force: true });
  }
}

/** The folder: the queue catalog and a journal per queue. */
export class SqsStore {
  private readonly catalog: string;
  private readonly journals: string;

  constructor(
    readonly dir: string,
    private readonly sync = true,
  ) {
    this.catalog = path.join(dir, 'queues.json');
    this.journals = path.join(dir, 'queues');
    mkdirSync(this.journals, { recursive: true });
  }

  loadQueues(): QueueRecord[] {
    const queues = existsSync(this.catalog)
      ? (JSON.parse(readFileSync(this.catalog, 'utf8')) as QueueRecord[])
      : [];
    // A queue deleted just before a crash may have left its journal behind.
    const known = new Set(queues.map((queue) => `${queue.name}.log`));
    for (const file of readdirSync(this.journals))
      if (!known.has(file)) rmSync(path.join(this.journals, file), { force: true });
    return queues;
  }

  saveQueues(queues: readonly QueueRecord[]) {
    writeDurably(this.catalog, JSON.stringify(queues, null, 1));
  }

  journal(name: string): QueueJournal {
    return new QueueJournal(path.join(this.journals, `${name}.log`), this.sync);
  }
}
