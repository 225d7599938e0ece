import { FirehoseClient } from '@aws-sdk/client-firehose';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { chunk, deliver, firehoseSink } from '../../agent/sinks';
import { TEST_CREDENTIALS } from '../support/dynalite';
import { startAwsTestServer, type AwsTestServer } from './aws-test-server';

let server: AwsTestServer;
let client: FirehoseClient;
beforeAll(async () => {
  server = await startAwsTestServer(['weblogs-archive']);
  client = new FirehoseClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await server.stop();
});
beforeEach(() => server.delivered.set('weblogs-archive', []));

const noWait = { maxAttempts: 4, baseDelayMs: 0, maxDelayMs: 0 };
const entries = (n: number, size = 0) =>
  Array.from({ length: n }, (_, i) => ({ data: Buffer.from(`${String(i).padEnd(size, '.')}\n`) }));
const putCalls = () => server.calls.filter((c) => c.target === 'Firehose_20150804.PutRecordBatch').length;

describe('the Firehose sink', () => {
  const sink = () => firehoseSink(client, 'weblogs-archive');

  it('puts records with PutRecordBatch, in order, as they were read', async () => {
    const outcome = await deliver(sink(), entries(3), noWait);
    expect(outcome).toMatchObject({
      retried: 0,
      failed: [],
      counts: { attempted: 3, rejected: 0, requestErrors: 0, bytesAccepted: 6 },
    });
    expect(server.records('weblogs-archive')).toEqual(['0\n', '1\n', '2\n']);
    expect(sink().destination).toBe('DeliveryStream:weblogs-archive');
  });

  it('re-sends only the entries Firehose rejected (FailedPutCount, ErrorCode), keeping their order', async () => {
    server.plan(
      (i) => (i % 2 === 1 ? 'fail' : 'ok'),
      (i) => (i === 0 ? 'fail' : 'ok'),
    );
    const outcome = await deliver(sink(), entries(6), noWait);
    expect(outcome).toMatchObject({ retried: 4, failed: [], counts: { attempted: 10, rejected: 4 } });
    expect(server.records('weblogs-archive')).toEqual(['0\n', '2\n', '4\n', '3\n', '5\n', '1\n']);
  });

  it('retries a request that failed as a whole, and counts it as a service error', async () => {
    server.plan('error');
    const outcome = await deliver(sink(), entries(2), noWait);
    expect(outcome).toMatchObject({ failed: [], counts: { attempted: 4, requestErrors: 1 } });
    expect(server.records('weblogs-archive')).toEqual(['0\n', '1\n']);
  });

  it('hands back what is still rejected after the last attempt, with the error: nothing is dropped', async () => {
    const fail = () => 'fail' as const;
    server.plan(fail, fail, fail, fail);
    const input = entries(2);
    const outcome = await deliver(sink(), input, noWait);
    expect(outcome.failed).toEqual([
      { entry: input[0], error: 'ServiceUnavailableException: Slow down.' },
      { entry: input[1], error: 'ServiceUnavailableException: Slow down.' },
    ]);
    expect(outcome.retried).toBe(6);
  });

  it('does not retry a delivery stream that does not exist', async () => {
    const before = putCalls();
    const outcome = await deliver(firehoseSink(client, 'nope'), entries(2), noWait);
    expect(outcome.failed.map((f) => f.error)).toEqual([
      expect.stringMatching(/^ResourceNotFoundException: Firehose nope .* not found/),
      expect.stringMatching(/^ResourceNotFoundException/),
    ]);
    expect(putCalls() - before).toBe(1);
  });

  it('keeps each request within 500 records and 4 MiB', async () => {
    expect(chunk(sink(), entries(1200)).map((c) => c.length)).toEqual([500, 500, 200]);
    // Records of 1,000 KiB, Firehose's largest: four fit in 4 MiB.
    expect(chunk(sink(), entries(9, 1000 * 1024 - 1)).map((c) => c.length)).toEqual([4, 4, 1]);
    const before = putCalls();
    await deliver(sink(), entries(1200), noWait);
    expect(putCalls() - before).toBe(3);
    expect(server.records('weblogs-archive')).toHaveLength(1200);
  });
});
