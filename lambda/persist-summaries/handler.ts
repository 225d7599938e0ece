import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { ENV } from '#core/settings';
import { FailureQueue, requireEnv } from '../shared/failure-queue';
import { createPersistenceHandler } from './persist';
import { SummaryStore } from './summary-store';
import { powertools } from '../shared/powertools';

const { logger, metrics } = powertools();

const persist = createPersistenceHandler({
  store: new SummaryStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({})),
    requireEnv(ENV.summaryTableName),
  ),
  failures: new FailureQueue(new SQSClient({}), requireEnv(ENV.failureQueueUrl)),
  log: logger,
  count: (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value),
});

export const handler = async (event: KinesisStreamEvent, context: Context) => {
  try {
    return await persist(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
