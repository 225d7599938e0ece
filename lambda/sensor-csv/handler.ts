import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { createCsvTransform } from './transform';

const logger = new Logger({ serviceName: 'sensor-csv' });
const metrics = new Metrics({ namespace: 'WildRydes', serviceName: 'sensor-csv' });

const transform = createCsvTransform({
  log: logger,
  count: (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value),
});

export const handler = async (event: FirehoseTransformationEvent) => {
  try {
    return await transform(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
