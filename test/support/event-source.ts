/** An event source mapping as the local runtime reads one from a template, for event source tests. */
import type { LocalEventSource } from '../../local/assembly';

/**
 * The mapping the stacks declare for their stream consumers (batches of 10 from TRIM_HORIZON,
 * bisecting, two retries, no age limit, partial batch responses), from `Stream` to `Fn`;
 * `overrides` set what a test is about.
 */
export function testMapping(overrides: Partial<LocalEventSource> = {}): LocalEventSource {
  return {
    logicalId: 'Mapping',
    functionLogicalId: 'Fn',
    streamLogicalId: 'Stream',
    batchSize: 10,
    batchingWindowSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    bisectOnError: true,
    maxRetries: 2,
    maxRecordAgeSeconds: -1,
    reportBatchItemFailures: true,
    enabled: true,
    ...overrides,
  };
}
