import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { createCsvTransform } from './transform';
import { powertools } from '../shared/powertools';

const { logger, metrics } = powertools();

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
