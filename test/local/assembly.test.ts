import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SUMMARY_WINDOW_SECONDS } from '#core/settings';
import { readAssembly, type LocalStack } from '../../local/assembly';
import { synthesizeAssembly, WITH_SENSORS } from '../support/assembly';

const endpoints = { sqs: 'http://127.0.0.1:4570' };
let stack: LocalStack;
let prefixed: LocalStack;
let defaultLabs: LocalStack;
const cleanup: (() => void)[] = [];

beforeAll(() => {
  const plain = synthesizeAssembly(WITH_SENSORS);
  const alice = synthesizeAssembly({
    prefix: 'alice',
    telemetryCapacity: { mode: 'provisioned', shards: 3 },
  });
  const standard = synthesizeAssembly();
  cleanup.push(plain.remove, alice.remove, standard.remove);
  [stack] = readAssembly(plain.dir, endpoints);
  [defaultLabs] = readAssembly(standard.dir, endpoints);
  [prefixed] = readAssembly(alice.dir, endpoints);
});
afterAll(() => cleanup.forEach((remove) => remove()));

const fn = (s: LocalStack, id: RegExp) => s.functions.find((f) => id.test(f.logicalId))!;

describe('reading the synthesized cloud assembly', () => {
  it('finds the streams with their names and shard counts', () => {
    expect(stack.stackName).toBe('WildRydes');
    expect(stack.streams.map((s) => [s.name, s.shards])).toEqual([
      ['wildrydes', 1],
      ['wildrydes-summary', 1],
      ['sensor-data', 2],
      ['sensor-alerts', 1],
    ]);
  });

  it('holds what the deployment’s labs hold: the default labs have no sensor pipeline', () => {
    expect(defaultLabs.streams.map((s) => s.name)).toEqual(['wildrydes', 'wildrydes-summary']);
    expect(defaultLabs.tables.map((t) => t.name)).toEqual(['UnicornSensorData']);
    expect(defaultLabs.eventSources).toHaveLength(2);
    expect(defaultLabs.deliveryStreams).toHaveLength(1);
    expect(defaultLabs.outputs.SensorStreamName).toBeUndefined();
    expect(defaultLabs.outputs.StreamName).toBe('wildrydes');
  });

  it('follows the stack: a prefix and a shard count change the local names and shards', () => {
    expect(prefixed.stackName).toBe('WildRydes-alice');
    expect(prefixed.streams.map((s) => [s.name, s.shards]).slice(0, 2)).toEqual([
      ['alice-wildrydes', 3],
      ['alice-wildrydes-summary', 1],
    ]);
    expect(prefixed.tables.map((t) => t.name)).toContain('alice-UnicornSensorData');
  });

  it('finds the table with its keys', () => {
    expect(stack.tables).toContainEqual(
      expect.objectContaining({
        name: 'UnicornSensorData',
        keySchema: [
          { AttributeName: 'Name', KeyType: 'HASH' },
          { AttributeName: 'StatusTime', KeyType: 'RANGE' },
        ],
      }),
    );
  });

  it('runs each handler from its own bundle with the template environment, references resolved', () => {
    const aggregation = fn(stack, /^SummaryAggregationFunction/);
    expect(aggregation.handler).toBe('index.handler');
    expect(existsSync(path.join(aggregation.codeDir!, 'index.js'))).toBe(true);
    expect(aggregation.environment).toMatchObject({
      SUMMARY_STREAM_NAME: 'wildrydes-summary',
      FAILURE_QUEUE_URL: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:4570\/000000000000\/WildRydes-SummaryAggregation/,
      ),
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(aggregation.timeoutSeconds).toBe(60);
    expect(fn(stack, /^SummaryPersistenceFunction/).environment.SUMMARY_TABLE_NAME).toBe('UnicornSensorData');
  });

  it('reads every event source mapping setting from the template', () => {
    const aggregation = stack.eventSources.find((m) => /^SummaryAggregation/.test(m.functionLogicalId))!;
    const telemetry = stack.streams.find((s) => s.name === 'wildrydes')!;
    expect(aggregation).toMatchObject({
      streamLogicalId: telemetry.logicalId,
      batchSize: 1000,
      batchingWindowSeconds: 5,
      startingPosition: 'TRIM_HORIZON',
      tumblingWindowSeconds: SUMMARY_WINDOW_SECONDS,
      bisectOnError: true,
      maxRetries: 10,
      maxRecordAgeSeconds: 3600,
      reportBatchItemFailures: true,
      enabled: true,
    });
    const queue = stack.queues.find((q) => q.logicalId === aggregation.onFailureQueueLogicalId)!;
    expect(queue.url).toBe(fn(stack, /^SummaryAggregationFunction/).environment.FAILURE_QUEUE_URL);
    const persistence = stack.eventSources.find((m) => /^SummaryPersistence/.test(m.functionLogicalId))!;
    expect(persistence).toMatchObject({ batchSize: 100, batchingWindowSeconds: 1 });
    expect(persistence.tumblingWindowSeconds).toBeUndefined();
  });

  it('reads the delivery stream: source, bucket, prefixes, buffering, compression, processors', () => {
    const delivery = stack.deliveryStreams.find((d) => /^DataLake/.test(d.logicalId))!;
    const bucket = stack.buckets.find((b) => b.logicalId === delivery.bucketLogicalId)!;
    expect(bucket.name).toMatch(/^wildrydes-datalakebucket/);
    expect(delivery).toMatchObject({
      sourceStreamLogicalId: stack.streams.find((s) => s.name === 'wildrydes')!.logicalId,
      prefix: 'raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
      errorPrefix: expect.stringMatching(/^errors\/!\{firehose:error-output-type\}\//),
      bufferIntervalSeconds: 60,
      bufferSizeBytes: 5 * 1024 * 1024,
      compression: 'GZIP',
      processors: [{ type: 'AppendDelimiterToRecord', delimiter: '\n' }],
    });
  });

  it('resolves the outputs the CLIs and dashboard use', () => {
    expect(stack.outputs).toMatchObject({
      StreamName: 'wildrydes',
      SummaryStreamName: 'wildrydes-summary',
      SummaryTableName: 'UnicornSensorData',
      Region: 'us-east-1',
    });
  });

  it('explains a missing assembly', () => {
    expect(() => readAssembly('/nonexistent', endpoints)).toThrow(
      /No cloud assembly at \/nonexistent \(no manifest.json\): synthesize first/,
    );
  });
});
