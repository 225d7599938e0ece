import { randomBytes, randomUUID } from 'node:crypto';
import { messageNotInflight, invalidValue, receiptHandleIsInvalid } from './errors';
import { md5, md5OfAttributes } from './messages';
import { numericAttribute, type MessageAttributes, type QueueRecord, type StoredMessage } from './model';
import { applyEntry, type JournalEntry, type QueueJournal } from './store';

/**
 * One standard queue: its messages in send order, each visible, delayed or in flight (received
 * and not yet deleted, invisible for the visibility timeout). Every change is journaled before
 * it is answered; time comes from the injected clock.
 */

/** What a receipt handle names: which queue, which message, which receive of it. */
interface Receipt {
  readonly queue: string;
  readonly id: string;
  readonly nonce: string;
}

export function receiptHandle(receipt: Receipt): string {
  return Buffer.from(`${receipt.queue}\n${receipt.id}\n${receipt.nonce}`, 'utf8').toString('base64');
}

export function parseReceiptHandle(handle: string): Receipt {
  const parts = Buffer.from(handle, 'base64').toString('utf8').split('\n');
  if (parts.length !== 3 || !/^[0-9a-f]{32}$/.test(parts[2]) || receiptHandle(toReceipt(parts)) !== handle)
    throw receiptHandleIsInvalid(handle);
  return toReceipt(parts);
}

const toReceipt = ([queue, id, nonce]: string[]): Receipt => ({ queue, id, nonce });

export interface NewMessage {
  readonly body: string;
  readonly attributes?: MessageAttributes;
  readonly systemAttributes?: MessageAttributes;
  readonly delaySeconds?: number;
  readonly senderId: string;
}

/** A visibility change requested by receipt handle. */
export type VisibilityOutcome = 'changed' | 'expired-handle' | 'gone';

const MAX_VISIBILITY_MS = 43_200_000;

export class Queue {
  private readonly waiters = new Set<() => void>();
  lastPurge: number | undefined;

  constructor(
    readonly record: QueueRecord,
    readonly messages: Map<string, StoredMessage>,
    private readonly journal: QueueJournal,
    private readonly now: () => number,
  ) {}

  get name() {
    return this.record.name;
  }

  private write(entries: JournalEntry[]) {
    this.journal.append(entries);
    for (const entry of entries) applyEntry(this.messages, entry);
    this.journal.compactIfWorthIt(this.messages);
  }

  /** Drops messages older than the retention period (counted from their first send). */
  expire() {
    const oldest = this.now() - numericAttribute(this.record, 'MessageRetentionPeriod') * 1000;
    const expired: JournalEntry[] = [];
    for (const message of this.messages.values())
      if (message.sent <= oldest) expired.push({ op: 'delete', id: message.id });
    this.write(expired);
  }

  send(messages: readonly NewMessage[]): StoredMessage[] {
    const now = this.now();
    const stored = messages.map((m): StoredMessage => {
      const delay = m.delaySeconds ?? numericAttribute(this.record, 'DelaySeconds');
      return {
        id: randomUUID(),
        body: m.body,
        md5OfBody: md5(m.body),
        attributes: m.attributes,
        md5OfAttributes: md5OfAttributes(m.attributes),
        systemAttributes: m.systemAttributes,
        md5OfSystemAttributes: md5OfAttributes(m.systemAttributes),
        sent: now,
        senderId: m.senderId,
        visibleAt: now + delay * 1000,
        receiveCount: 0,
      };
    });
    this.write(stored.map((message) => ({ op: 'send', message })));
    this.wake();
    return stored;
  }

  /** Up to `max` visible messages, made invisible for `visibilitySeconds`, each with a fresh receipt handle. */
  receive(max: number, visibilitySeconds: number): { message: StoredMessage; handle: string }[] {
    this.expire();
    const now = this.now();
    const chosen: StoredMessage[] = [];
    for (const message of this.messages.values()) {
      if (chosen.length >= max) break;
      if (message.visibleAt <= now) chosen.push(message);
    }
    const receipts = chosen.map((message) => ({ id: message.id, nonce: randomBytes(16).toString('hex') }));
    this.write(
      receipts.map(({ id, nonce }) => ({
        op: 'receive',
        id,
        at: now,
        visibleAt: now + visibilitySeconds * 1000,
        receipt: nonce,
      })),
    );
    return receipts.map(({ id, nonce }) => ({
      message: this.messages.get(id)!,
      handle: receiptHandle({ queue: this.name, id, nonce }),
    }));
  }

  private current(receipt: Receipt, handle: string) {
    if (receipt.queue !== this.name) throw receiptHandleIsInvalid(handle);
    return this.messages.get(receipt.id);
  }

  /**
   * Deletes by receipt handle. As the API reference says, a handle from an earlier receive of a
   * message received again since is accepted, but the message is not deleted; so is a handle
   * of a message already gone.
   */
  delete(handles: readonly string[]): void {
    const entries: JournalEntry[] = [];
    for (const handle of handles) {
      const receipt = parseReceiptHandle(handle);
      const message = this.current(receipt, handle);
      if (message && message.receipt === receipt.nonce) entries.push({ op: 'delete', id: message.id });
    }
    this.write(entries);
  }

  /** Changes the visibility timeout of a message in flight, counted from now. */
  changeVisibility(handle: string, seconds: number): void {
    const receipt = parseReceiptHandle(handle);
    const message = this.current(receipt, handle);
    const now = this.now();
    if (!message)
      throw invalidValue(
        'ReceiptHandle',
        handle,
        'Message does not exist or is not available for visibility timeout change.',
      );
    if (message.receipt !== receipt.nonce)
      throw invalidValue('ReceiptHandle', handle, 'The receipt handle has expired.');
    if (message.visibleAt <= now) throw messageNotInflight();
    const visibleAt = now + seconds * 1000;
    if (visibleAt - (message.lastReceive ?? now) > MAX_VISIBILITY_MS)
      throw invalidValue(
        'VisibilityTimeout',
        seconds,
        'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      );
    this.write([{ op: 'visibility', id: message.id, visibleAt }]);
    if (seconds === 0) this.wake();
  }

  /** Takes in messages from another queue (a redrive), as they are, visible now. */
  adopt(messages: readonly StoredMessage[]) {
    const now = this.now();
    this.write(messages.map((m) => ({ op: 'send', message: { ...m, visibleAt: now, receipt: undefined } })));
    this.wake();
  }

  /** Removes messages by id (moved elsewhere). */
  take(ids: readonly string[]) {
    this.write(ids.map((id) => ({ op: 'delete', id })));
  }

  purge() {
    this.write([{ op: 'purge' }]);
    this.lastPurge = this.now();
  }

  counts() {
    this.expire();
    const now = this.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages.values()) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.receiveCount > 0) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  /** When the next invisible message becomes visible, if any does. */
  nextVisible(): number | undefined {
    const now = this.now();
    let next: number | undefined;
    for (const message of this.messages.values())
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next))
        next = message.visibleAt;
    return next;
  }

  /** Calls `listener` when a message may have become receivable; returns the unsubscribe. */
  onArrival(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }

  private wake() {
    for (const waiter of [...this.waiters]) waiter();
  }

  close() {
    this.journal.close();
    this.wake();
  }

  remove() {
    this.journal.remove();
    this.wake();
  }
}
