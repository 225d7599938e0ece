import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retrying, type RetryOptions } from '#core/retry';
import type { SeenReading } from '#core/sensor';
import { SENSOR_SETTINGS } from '#core/settings';

/** BatchGetItem reads at most 100 keys, BatchWriteItem writes at most 25 items. */
const GET_LIMIT = 100;
const WRITE_LIMIT = 25;

/** Keys DynamoDB left unprocessed (it does so under load); the SDK retries everything else itself. */
class Unprocessed extends Error {}

/** Back-off for unprocessed keys: about five seconds in all. */
export const UNPROCESSED_RETRY: RetryOptions = {
  policy: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 },
  retryable: (error: unknown) => error instanceof Unprocessed,
};

interface FingerprintItem {
  readonly fingerprint: string;
  readonly eventId: string;
  readonly arrival: number;
  /** Epoch seconds after which DynamoDB's TTL may delete the item. */
  readonly expiresAt: number;
}

/**
 * The last reading kept for each fingerprint, in a DynamoDB table keyed by `fingerprint`, so a
 * duplicate is recognised across batches and invocations. Readings of one sensor share a
 * partition key and so a shard, which Lambda reads one batch at a time: reading all
 * fingerprints of a batch, deciding in memory and writing the kept ones back needs no
 * conditional writes, and costs about 15 requests per 1,000 records.
 */
export class DedupStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number = SENSOR_SETTINGS.dedupRetentionSeconds,
    private readonly retry: RetryOptions = UNPROCESSED_RETRY,
  ) {}

  /** The last kept reading of each fingerprint that has one. */
  async lookup(fingerprints: Iterable<string>): Promise<Map<string, SeenReading>> {
    const unique = [...new Set(fingerprints)];
    const seen = new Map<string, SeenReading>();
    for (let i = 0; i < unique.length; i += GET_LIMIT) {
      let keys: Record<string, unknown>[] = unique
        .slice(i, i + GET_LIMIT)
        .map((fingerprint) => ({ fingerprint }));
      await retrying(async () => {
        const out = await this.doc.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: 'fingerprint, eventId, arrival',
              },
            },
          }),
        );
        for (const item of (out.Responses?.[this.tableName] ?? []) as FingerprintItem[]) {
          seen.set(item.fingerprint, { eventId: item.eventId, arrival: item.arrival });
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        if (keys.length > 0) throw new Unprocessed(`DynamoDB left ${keys.length} fingerprints unread`);
      }, this.retry);
    }
    return seen;
  }

  /** Records the readings kept, so that later batches compare with them. */
  async remember(kept: ReadonlyMap<string, SeenReading>): Promise<void> {
    const items: FingerprintItem[] = [...kept].map(([fingerprint, seen]) => ({
      fingerprint,
      eventId: seen.eventId,
      arrival: seen.arrival,
      expiresAt: Math.ceil(seen.arrival / 1000) + this.retentionSeconds,
    }));
    for (let i = 0; i < items.length; i += WRITE_LIMIT) {
      let requests: object[] = items.slice(i, i + WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
      await retrying(async () => {
        const out = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = out.UnprocessedItems?.[this.tableName] ?? [];
        if (requests.length > 0)
          throw new Unprocessed(`DynamoDB left ${requests.length} fingerprints unwritten`);
      }, this.retry);
    }
  }
}
