import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { applySummary, type SummaryItem, type UnicornSummary } from '#core/summary';

export type SaveResult = 'written' | 'unchanged';

/**
 * Stores summaries in the table keyed by Name and StatusTime. Each write is a read-merge-write
 * guarded by the item's Version, so concurrent or repeated deliveries of the same unicorn-minute
 * never overwrite each other's parts, and a part already stored is not written again.
 */
export class SummaryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Optimistic-lock conflicts tolerated before giving up on one summary. */
    private readonly maxConflicts = 10,
  ) {}

  async save(summary: UnicornSummary): Promise<SaveResult> {
    for (let conflicts = 0; conflicts <= this.maxConflicts; conflicts++) {
      const current = await this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { Name: summary.Name, StatusTime: summary.StatusTime },
          ConsistentRead: true,
        }),
      );
      const existing = current.Item as SummaryItem | undefined;
      const next = applySummary(existing, summary);
      if (!next) return 'unchanged';
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.tableName,
            Item: next,
            ...(existing
              ? {
                  ConditionExpression: '#version = :version',
                  ExpressionAttributeNames: { '#version': 'Version' },
                  ExpressionAttributeValues: { ':version': existing.Version },
                }
              : {
                  ConditionExpression: 'attribute_not_exists(#name)',
                  ExpressionAttributeNames: { '#name': 'Name' },
                }),
          }),
        );
        return 'written';
      } catch (error) {
        if (
          !(error instanceof ConditionalCheckFailedException) &&
          (error as Error).name !== 'ConditionalCheckFailedException'
        ) {
          throw error;
        }
      }
    }
    throw new Error(
      `Gave up storing ${summary.Name} ${summary.StatusTime} after ${this.maxConflicts} conflicting concurrent writes`,
    );
  }
}
