import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { SENSOR_ENV } from '#core/settings';
import { FailureQueue, requireEnv } from '../shared/failure-queue';
import { AggregateStore } from './aggregate-store';
import { DedupStore } from './dedup-store';
import { createSensorProcessingHandler } from './process';
import { powertools } from '../shared/powertools';

const { logger, metrics } = powertools();
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const processBatch = createSensorProcessingHandler({
  // PutRecords needs no HTTP/2; HTTP/1.1 with keep-alive works with Kinesis and the local emulator alike.
  kinesis: new KinesisClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000 }) }),
  alertStreamName: requireEnv(SENSOR_ENV.alertStreamName),
  dedup: new DedupStore(doc, requireEnv(SENSOR_ENV.dedupTableName)),
  aggregates: new AggregateStore(doc, requireEnv(SENSOR_ENV.aggregateTableName)),
  failures: new FailureQueue(new SQSClient({}), requireEnv(SENSOR_ENV.failureQueueUrl)),
  log: logger,
  count: (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value),
});

export const handler = async (event: KinesisStreamTumblingWindowEvent) => {
  try {
    return await processBatch(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
