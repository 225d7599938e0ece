import { KinesisClient } from '@aws-sdk/client-kinesis';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { ENV } from '#core/settings';
import { FailureQueue, requireEnv } from '../shared/failure-queue';
import { createAggregationHandler } from './aggregate';
import { powertools } from '../shared/powertools';

const { logger, metrics } = powertools();

const aggregate = createAggregationHandler({
  // The Kinesis client speaks HTTP/2 by default, which only SubscribeToShard needs; PutRecords
  // over HTTP/1.1 with keep-alive works with Kinesis and with the local emulator alike.
  kinesis: new KinesisClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000 }) }),
  summaryStreamName: requireEnv(ENV.summaryStreamName),
  failures: new FailureQueue(new SQSClient({}), requireEnv(ENV.failureQueueUrl)),
  log: logger,
  count: (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value),
});

export const handler = async (event: KinesisStreamTumblingWindowEvent) => {
  try {
    return await aggregate(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
