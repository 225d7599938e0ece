/** An event source mapping as the local runtime reads one from a template, for event source tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalEventSource } from '../../local/assembly';
import { EventSourceMapping, type EventSourceOptions, type WindowCheckpoint } from '../../local/event-source';
import { CheckpointStore } from '../../local/shards';

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

/**
 * A mapping's runner as the local runtime makes one, for `functionName` in us-east-1, with its
 * checkpoints in a fresh folder, polling an idle shard each second and looking for new shards
 * each minute, its log discarded; `options` give the rest and replace any of these.
 */
export function testRunner(
  options: Omit<EventSourceOptions, 'functionArn' | 'region' | 'checkpoints' | 'log'> &
    Partial<Pick<EventSourceOptions, 'checkpoints' | 'log'>> & { functionName: string },
): EventSourceMapping {
  const { functionName, ...rest } = options;
  return new EventSourceMapping({
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    region: 'us-east-1',
    checkpoints: new CheckpointStore<WindowCheckpoint>(
      path.join(mkdtempSync(path.join(tmpdir(), 'esm-')), 'cp.json'),
    ),
    pollMs: 1000,
    discoverMs: 60_000,
    log: () => undefined,
    ...rest,
  });
}
