import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { kinesaliteCallHeaders } from '../../../local/aws/guards';
import { getRecordsSummary } from '../../../local/aws/json-proxies';
import { kinesisCallMetrics, recordsReadOf } from '../../../local/metrics/aws-metrics';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (options: object) => Server;

let server: Server;
let url: string;

/** One Kinesis call straight to kinesalite, answered as the bytes it sends. */
async function call(target: string, body: object): Promise<Buffer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: kinesaliteCallHeaders(target),
    body: JSON.stringify(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${target}: ${bytes.toString()}`);
  return bytes;
}

beforeAll(async () => {
  server = kinesalite({ path: mkdtempSync(path.join(tmpdir(), 'kinesalite-')), createStreamMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await call('CreateStream', { StreamName: 's', ShardCount: 1 });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it("sums kinesalite's GetRecords answers as decoding them does: count, data bytes, last arrival, MillisBehindLatest", async () => {
  // Data of every length modulo 3 (no, one and two padding characters), and partition keys
  // that hold the very text the summary looks for.
  const records = Array.from({ length: 40 }, (_, i) => ({
    PartitionKey: i % 5 === 0 ? `"Data":"${i}` : i % 7 === 0 ? `k\\"Data\\":\\"${i}` : `unicorn-${i}`,
    Data: Buffer.from('x'.repeat(i)).toString('base64'),
  }));
  await call('PutRecords', { StreamName: 's', Records: records });
  const shards = JSON.parse((await call('ListShards', { StreamName: 's' })).toString()) as {
    Shards: { ShardId: string }[];
  };
  const iterator = JSON.parse(
    (
      await call('GetShardIterator', {
        StreamName: 's',
        ShardId: shards.Shards[0].ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      })
    ).toString(),
  ) as { ShardIterator: string };

  let next = iterator.ShardIterator;
  for (const limit of [1, 7, 100, 100]) {
    const answer = await call('GetRecords', { ShardIterator: next, Limit: limit });
    const decoded = JSON.parse(answer.toString()) as Record<string, unknown>;
    const summary = getRecordsSummary(answer);
    expect(summary.recordsRead).toEqual(recordsReadOf(decoded));
    expect(summary.output).toEqual({ MillisBehindLatest: decoded.MillisBehindLatest });
    // The metrics from the summary are those from the decoded answer.
    const observed = {
      operation: 'GetRecords',
      streamName: 's',
      input: {},
      status: 200,
      latencyMs: 3,
      now: 5e12,
    };
    expect(kinesisCallMetrics({ ...observed, ...summary })).toEqual(
      kinesisCallMetrics({ ...observed, output: decoded }),
    );
    next = decoded.NextShardIterator as string;
  }
  expect(recordsReadOf({ Records: records }).count).toBe(40);
});
