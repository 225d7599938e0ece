import { readdirSync, readFileSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import type { Clock } from '#core/shard-follower';
import { queueDeletedRecently, queueDoesNotExist, queueNameExists } from './errors';
import { checkQueueName, NUMERIC_ATTRIBUTES, settableAttributes, type QueueRecord } from './model';
import { Queue } from './queue';
import { SqsStore } from './store';

/** Every queue of the account, loaded from and kept in the store. */
export class QueueSet {
  private readonly queues = new Map<string, Queue>();
  /** Queue name → when it was deleted: its name is taken for 60 seconds more. */
  private readonly deleted = new Map<string, number>();
  readonly store: SqsStore;
  closed = false;

  constructor(
    dir: string,
    readonly clock: Clock,
    sync = true,
  ) {
    this.store = new SqsStore(dir, sync);
    for (const record of this.store.loadQueues()) this.open(record);
    importStandInFiles(dir, this);
  }

  private open(record: QueueRecord): Queue {
    const journal = this.store.journal(record.name);
    const queue = new Queue(record, journal.load(), journal, () => this.clock.now());
    this.queues.set(record.name, queue);
    return queue;
  }

  private save() {
    this.store.saveQueues([...this.queues.values()].map((queue) => queue.record));
  }

  get(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  find(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  names(): string[] {
    return [...this.queues.keys()].sort();
  }

  /**
   * CreateQueue: a new queue, or the existing one when every attribute given matches it
   * (idempotent, as the API reference says), else QueueNameExists.
   */
  create(
    name: string,
    region: string,
    given: Readonly<Record<string, string>> = {},
    tags: Readonly<Record<string, string>> = {},
  ): Queue {
    checkQueueName(name);
    const attributes = settableAttributes(given);
    const existing = this.queues.get(name);
    if (existing) {
      for (const [key, value] of Object.entries(attributes))
        if ((existing.record.attributes[key] ?? defaultText(key)) !== value) throw queueNameExists(key);
      return existing;
    }
    const deletedAt = this.deleted.get(name);
    if (deletedAt !== undefined && this.clock.now() - deletedAt < 60_000) throw queueDeletedRecently();
    const now = this.clock.now();
    const queue = this.open({ name, region, created: now, modified: now, attributes, tags: { ...tags } });
    this.save();
    return queue;
  }

  setAttributes(queue: Queue, given: Readonly<Record<string, string>>) {
    Object.assign(queue.record.attributes, settableAttributes(given));
    queue.record.modified = this.clock.now();
    this.save();
  }

  setTags(queue: Queue, tags: Record<string, string>) {
    queue.record.tags = tags;
    this.save();
  }

  delete(queue: Queue) {
    this.queues.delete(queue.name);
    this.deleted.set(queue.name, this.clock.now());
    this.save();
    queue.remove();
  }

  /** Closes the journals; receives still waiting end empty. */
  close() {
    this.closed = true;
    for (const queue of this.queues.values()) queue.close();
  }
}

function defaultText(attribute: string): string | undefined {
  const range = NUMERIC_ATTRIBUTES[attribute];
  return range && String(range.default);
}

/**
 * Queues kept by the earlier JSON-only stand-in (`<dir>/<queue>.jsonl`, one message a line)
 * become queues here once, so a failure queue's messages outlive the upgrade.
 */
function importStandInFiles(dir: string, queues: QueueSet) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const name = file.slice(0, -'.jsonl'.length);
    const queue = queues.find(name) ?? queues.create(name, 'us-east-1');
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n').filter(Boolean);
    const old = lines.map((line) => JSON.parse(line) as { Body: string });
    queue.send(old.map((m) => ({ body: m.Body, senderId: '000000000000' })));
    renameSync(path.join(dir, file), path.join(dir, `${file}.imported`));
  }
}
