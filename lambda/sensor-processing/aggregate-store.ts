import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { averagesOf, type SensorAggregatePart, type SensorTotals } from '#core/sensor-window';

export type AddResult = 'added' | 'unchanged';

/** One sensor's window as stored: totals, the averages that follow, and the parts added. */
export interface SensorAggregateItem extends SensorTotals {
  readonly sensorId: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly avgAmbientTemp: number;
  readonly avgMeasuredTemp: number;
  readonly parts: Set<string>;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as Error | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * Ten-second aggregates in a DynamoDB table keyed by `sensorId` and `windowStart`. Adding a
 * part is one atomic update that adds its sums and count and records its id, on condition that
 * the id is not there yet: a repeated part changes nothing, distinct parts add up, and
 * concurrent writers need no read-modify-write. A second update sets the averages from the
 * totals it just saw, guarded by the count, so the last writer's averages stand.
 */
export class AggregateStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(part: SensorAggregatePart): Promise<AddResult> {
    const key = { sensorId: part.sensorId, windowStart: part.windowStart };
    let totals: SensorTotals | undefined;
    let result: AddResult = 'added';
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression:
            'SET windowEnd = :end ADD #count :count, ambientTempSum :ambient, measuredTempSum :measured, alerts :alerts, parts :part',
          ConditionExpression: 'attribute_not_exists(parts) OR NOT contains(parts, :partId)',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':end': part.windowEnd,
            ':count': part.count,
            ':ambient': part.ambientTempSum,
            ':measured': part.measuredTempSum,
            ':alerts': part.alerts,
            ':part': new Set([part.partId]),
            ':partId': part.partId,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      totals = out.Attributes as SensorTotals;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Added before (a retried window): make sure its averages were set, then move on.
      result = 'unchanged';
      const current = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      totals = current.Item as SensorTotals;
    }
    try {
      const { avgAmbientTemp, avgMeasuredTemp } = averagesOf(totals);
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET avgAmbientTemp = :ambient, avgMeasuredTemp = :measured',
          ConditionExpression: '#count = :count',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':ambient': avgAmbientTemp,
            ':measured': avgMeasuredTemp,
            ':count': totals.count,
          },
        }),
      );
    } catch (error) {
      // Another part was added meanwhile; its writer sets the averages of the newer totals.
      if (!isConditionFailure(error)) throw error;
    }
    return result;
  }
}
