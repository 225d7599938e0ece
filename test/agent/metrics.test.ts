import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { MetricsPublisher } from '../../agent/metrics';
import { TEST_CREDENTIALS } from '../support/dynalite';
import { fakeClock } from '../support/fake-clock';
import { startAwsTestServer, type AwsTestServer } from './aws-test-server';

let server: AwsTestServer;
beforeAll(async () => {
  server = await startAwsTestServer();
});
afterAll(() => server.stop());

const cloudwatch = (endpoint: string) =>
  new CloudWatchClient({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("the agent's CloudWatch metrics", () => {
  it("sends the Java agent's metrics per destination with PutMetricData, summed over the buffer time", async () => {
    const clock = fakeClock();
    const client = cloudwatch(server.endpoint);
    const logs: string[] = [];
    const metrics = new MetricsPublisher(client, {
      namespace: 'AWSKinesisAgent',
      bufferTimeMillis: 30_000,
      now: clock.now,
      log: (line) => logs.push(line),
    });
    metrics.record('KinesisStream:weblogs', {
      attempted: 10,
      rejected: 2,
      requestErrors: 0,
      bytesAccepted: 800,
    });
    metrics.record('KinesisStream:weblogs', {
      attempted: 2,
      rejected: 0,
      requestErrors: 0,
      bytesAccepted: 200,
    });
    metrics.record('DeliveryStream:weblogs-archive', {
      attempted: 5,
      rejected: 0,
      requestErrors: 1,
      bytesAccepted: 0,
    });
    clock.advance(29_999);
    await metrics.publishIfDue();
    expect(server.metrics()).toEqual([]);
    clock.advance(1);
    await metrics.publishIfDue();
    const [request] = server.metrics();
    expect(request.Namespace).toBe('AWSKinesisAgent');
    const datum = (destination: string, name: string) =>
      request.MetricData.find(
        (d) => d.MetricName === name && (d.Dimensions as { Value: string }[])[0].Value === destination,
      );
    expect(datum('KinesisStream:weblogs', 'RecordSendAttempts')).toMatchObject({
      Dimensions: [{ Name: 'Destination', Value: 'KinesisStream:weblogs' }],
      StatisticValues: { SampleCount: 2, Sum: 12, Minimum: 2, Maximum: 10 },
      Unit: 'Count',
    });
    expect(datum('KinesisStream:weblogs', 'BytesSent')).toMatchObject({
      StatisticValues: { Sum: 1000 },
      Unit: 'Bytes',
    });
    expect(datum('KinesisStream:weblogs', 'RecordSendErrors')).toMatchObject({ StatisticValues: { Sum: 2 } });
    expect(datum('DeliveryStream:weblogs-archive', 'ServiceErrors')).toMatchObject({
      StatisticValues: { Sum: 1 },
    });
    expect(request.MetricData).toHaveLength(8);
    // Nothing recorded since: nothing sent.
    clock.advance(30_000);
    await metrics.publishIfDue();
    expect(server.metrics()).toHaveLength(1);
    expect(logs).toEqual([]);
    client.destroy();
  });

  it('reports a failure once and goes on', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const client = cloudwatch(endpoint);
    const logs: string[] = [];
    const metrics = new MetricsPublisher(client, {
      namespace: 'AWSKinesisAgent',
      bufferTimeMillis: 1000,
      now: Date.now,
      log: (line) => logs.push(line),
      endpoint,
    });
    for (let i = 0; i < 2; i++) {
      metrics.record('KinesisStream:weblogs', {
        attempted: 1,
        rejected: 0,
        requestErrors: 0,
        bytesAccepted: 10,
      });
      await metrics.publish();
    }
    expect(logs).toEqual([
      `CloudWatch metrics not sent (shipping goes on): Cannot reach CloudWatch at ${endpoint}: ECONNREFUSED`,
    ]);
    client.destroy();
  });
});
