import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { compileTemplate } from '#core/kdg-template';
import { chunkRecordBatches, PUT_RECORD_BATCH_LIMITS, putRecordBatchReliably } from '#core/put-record-batch';
import { effectiveFirehoseEndpoint, firehoseClient } from '../../cli/firehose';
import { runDatagen, type DatagenOptions, type Schedule } from '../../commands/datagen';
import { fakeClock, fakeRunIO } from '../support/fake-clock';
import { cleanEnv, run } from '../support/run-command';
import { writeEndpointsFile } from '../support/endpoints-file';

/**
 * A Firehose endpoint for the tests, speaking the service's JSON protocol (awsJson1_1, X-Amz-Target
 * `Firehose_20150804.<Operation>`) for PutRecordBatch. `decide(call, index, data)` answers each
 * record: 'ok', or a per-record ErrorCode.
 */
interface FirehoseCall {
  readonly target: string;
  readonly deliveryStream: string;
  readonly records: Buffer[];
}

class FakeFirehose {
  readonly calls: FirehoseCall[] = [];
  readonly delivered = new Map<string, Buffer[]>();
  decide: (call: number, index: number, data: Buffer) => string = () => 'ok';
  private server!: Server;
  endpoint = '';

  constructor(readonly streams: string[]) {}

  async start(): Promise<void> {
    this.server = createServer(
      (req, res) =>
        void this.handle(req).then(([status, body]) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        }),
    );
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<[number, object]> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const target = String(req.headers['x-amz-target']);
    const input = JSON.parse(text) as { DeliveryStreamName: string; Records: { Data: string }[] };
    if (target !== 'Firehose_20150804.PutRecordBatch') {
      return [400, { __type: 'UnknownOperationException', message: target }];
    }
    const records = input.Records.map((r) => Buffer.from(r.Data, 'base64'));
    const call = this.calls.push({ target, deliveryStream: input.DeliveryStreamName, records }) - 1;
    if (!this.streams.includes(input.DeliveryStreamName)) {
      return [
        400,
        { __type: 'ResourceNotFoundException', message: `Firehose ${input.DeliveryStreamName} not found.` },
      ];
    }
    const responses = records.map((data, i) => {
      const decision = this.decide(call, i, data);
      if (decision !== 'ok') return { ErrorCode: decision, ErrorMessage: `${decision} (test)` };
      const kept = this.delivered.get(input.DeliveryStreamName) ?? [];
      this.delivered.set(input.DeliveryStreamName, [...kept, data]);
      return { RecordId: `record-${call}-${i}` };
    });
    return [
      200,
      {
        FailedPutCount: responses.filter((r) => 'ErrorCode' in r).length,
        Encrypted: false,
        RequestResponses: responses,
      },
    ];
  }
}

let firehose: FakeFirehose;
beforeAll(async () => {
  firehose = new FakeFirehose(['clicks', 'logs']);
  await firehose.start();
});
afterAll(() => firehose.stop());
beforeEach(() => {
  firehose.calls.length = 0;
  firehose.delivered.clear();
  firehose.decide = () => 'ok';
});

const noWait = { maxAttempts: 8, baseDelayMs: 0, maxDelayMs: 0 };
const client = () => firehoseClient({ endpointUrl: firehose.endpoint, region: 'us-east-1' }, cleanEnv());
const bytes = (text: string) => ({ data: new TextEncoder().encode(text) });

describe('PutRecordBatch with the SDK Firehose client', () => {
  it('sends at most 500 records and 4 MiB per call, in order', async () => {
    const fh = client();
    const small = Array.from({ length: 1203 }, (_, i) => bytes(`r${i}\n`));
    const outcome = await putRecordBatchReliably(fh, 'clicks', small, noWait);
    expect(outcome).toMatchObject({ sent: 1203, retried: 0, failed: [] });
    expect(firehose.calls.map((c) => c.records.length)).toEqual([500, 500, 203]);
    expect(firehose.delivered.get('clicks')!.map(String)).toEqual(
      small.map((b) => Buffer.from(b.data).toString()),
    );

    firehose.calls.length = 0;
    const big = Array.from({ length: 5 }, () => ({ data: new Uint8Array(900 * 1024) }));
    await putRecordBatchReliably(fh, 'clicks', big, noWait);
    // 900 KiB each: four fit under 4 MiB.
    expect(firehose.calls.map((c) => c.records.length)).toEqual([4, 1]);
    fh.destroy();
  });

  it('refuses a record over 1,000 KiB before sending anything', () => {
    expect(() => chunkRecordBatches([new Uint8Array(PUT_RECORD_BATCH_LIMITS.maxRecordBytes + 1)])).toThrow(
      /exceeds the 1024000-byte Firehose record limit/,
    );
  });

  it('sends again only the records refused with a retryable ErrorCode, and counts them', async () => {
    const fh = client();
    // The first three calls refuse every other record: ServiceUnavailableException, InternalFailure.
    firehose.decide = (call, i) =>
      call < 3 && i % 2 === 0 ? (call % 2 ? 'InternalFailure' : 'ServiceUnavailableException') : 'ok';
    const records = Array.from({ length: 40 }, (_, i) => bytes(`${i}`));
    const outcome = await putRecordBatchReliably(fh, 'clicks', records, noWait);
    expect(outcome.sent).toBe(40);
    expect(outcome.failed).toEqual([]);
    expect(outcome.retried).toBe(20 + 10 + 5);
    expect(firehose.calls.map((c) => c.records.length)).toEqual([40, 20, 10, 5]);
    expect(new Set(firehose.delivered.get('clicks')!.map(String))).toEqual(
      new Set(records.map((r) => Buffer.from(r.data).toString())),
    );
    fh.destroy();
  });

  it('counts records refused with another code, or still refused after the last attempt, as failed', async () => {
    const fh = client();
    firehose.decide = (_call, i) =>
      i === 0 ? 'ServiceUnavailableException' : i === 1 ? 'KMS.AccessDeniedException' : 'ok';
    const outcome = await putRecordBatchReliably(fh, 'clicks', [bytes('a'), bytes('b'), bytes('c')], noWait);
    expect(outcome.sent).toBe(1);
    expect(outcome.failed.map((f) => [Buffer.from(f.entry.data).toString(), f.error])).toEqual([
      ['b', 'KMS.AccessDeniedException: KMS.AccessDeniedException (test)'],
      ['a', 'ServiceUnavailableException: ServiceUnavailableException (test)'],
    ]);
    expect(firehose.calls).toHaveLength(8);
    fh.destroy();
  });

  it('throws a request error no retry can cure', async () => {
    const fh = client();
    await expect(putRecordBatchReliably(fh, 'nope', [bytes('a')], noWait)).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    fh.destroy();
  });
});

async function generate(options: Partial<DatagenOptions> & { schedule: Schedule }, name = 'clicks') {
  const fh = client();
  const clock = fakeClock();
  const stats = await runDatagen(
    {
      destination: { kind: 'firehose', name, client: fh },
      template: compileTemplate(
        '{\n  "page": "{{random.arrayElement(["a","b"])}}",\n  "at": "{{date.simTime("x")}}"\n}\n',
      ),
      partitionKey: () => {
        throw new Error('Firehose records have no partition key');
      },
      quiet: true,
      ...options,
    },
    {
      ...fakeRunIO(clock, noWait),
    },
  ).finally(() => fh.destroy());
  return { stats, delivered: (firehose.delivered.get(name) ?? []).map(String) };
}

describe('datagen to a Firehose delivery stream', () => {
  it('sends one-line records each followed by a newline, as the generator does', async () => {
    const { stats, delivered } = await generate({
      schedule: { kind: 'rate', recordsPerSecond: 50 },
      total: 120,
    });
    expect(stats).toMatchObject({ sent: 120, failed: 0 });
    expect(delivered).toHaveLength(120);
    for (const record of delivered) expect(record).toMatch(/^\{ {2}"page": "[ab]", {2}"at": "\d+"\}\n$/);
    expect(firehose.calls.every((c) => c.records.length <= 500)).toBe(true);
  });

  it('gzips records when asked', async () => {
    const { stats } = await generate({
      schedule: { kind: 'rate', recordsPerSecond: 10 },
      total: 3,
      encoding: { gzip: true },
    });
    expect(stats.sent).toBe(3);
    const raw = firehose.calls.flatMap((c) => c.records);
    expect(JSON.parse(gunzipSync(raw[0]).toString())).toMatchObject({
      page: expect.stringMatching(/^[ab]$/),
    });
  });

  it('simulates a range as fast as Firehose accepts, sending throttled records again', async () => {
    firehose.decide = (call) => (call < 10 ? 'ServiceUnavailableException' : 'ok');
    const from = Date.UTC(2025, 5, 1);
    const { stats, delivered } = await generate({
      schedule: { kind: 'rate', recordsPerSecond: 4 },
      simulate: { from, to: from + 299_000 },
    });
    expect(stats).toMatchObject({ produced: 1200, sent: 1200, failed: 0 });
    const seconds = new Map<number, number>();
    for (const r of delivered) {
      const at = Number(JSON.parse(r).at);
      seconds.set(at, (seconds.get(at) ?? 0) + 1);
    }
    expect(seconds.size).toBe(300);
    expect([...seconds.values()].every((n) => n === 4)).toBe(true);
  });

  it('ends on a missing delivery stream with the cause', async () => {
    await expect(
      generate({ schedule: { kind: 'rate', recordsPerSecond: 10 }, total: 5 }, 'missing'),
    ).rejects.toMatchObject({ cause: { name: 'ResourceNotFoundException' }, stats: { sent: 0 } });
  });
});

describe('the Firehose endpoint', () => {
  it('is --endpoint-url, else AWS_ENDPOINT_URL_FIREHOSE, else AWS_ENDPOINT_URL, else the local pipeline', () => {
    const file = writeEndpointsFile({ endpoint: 'http://127.0.0.1:4', kinesis: 'http://127.0.0.1:1' });
    const env = { WILDRYDES_ENDPOINTS_FILE: file };
    expect(effectiveFirehoseEndpoint({ endpointUrl: 'http://127.0.0.1:9' }, env)).toBe('http://127.0.0.1:9');
    expect(
      effectiveFirehoseEndpoint(
        {},
        { ...env, AWS_ENDPOINT_URL_FIREHOSE: 'http://127.0.0.1:2', AWS_ENDPOINT_URL: 'http://127.0.0.1:3' },
      ),
    ).toBe('http://127.0.0.1:2');
    expect(effectiveFirehoseEndpoint({}, { ...env, AWS_ENDPOINT_URL: 'http://127.0.0.1:3' })).toBe(
      'http://127.0.0.1:3',
    );
    expect(effectiveFirehoseEndpoint({}, env)).toBe('http://127.0.0.1:4');
    expect(effectiveFirehoseEndpoint({}, { WILDRYDES_ENDPOINTS_FILE: 'none' })).toBeUndefined();
  });
});

describe('the datagen command with --firehose', () => {
  it('puts --total records on the delivery stream found through AWS_ENDPOINT_URL_FIREHOSE', async () => {
    const out = await run(
      'datagen',
      [
        '--firehose',
        'logs',
        '--rate',
        '1000',
        '--total',
        '300',
        '--inline',
        '{{internet.ip}} {{date.utc("x")}}',
      ],
      cleanEnv({ AWS_ENDPOINT_URL_FIREHOSE: firehose.endpoint }),
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.split('\n')[0]).toBe('datagen: 1000 records/s to delivery stream logs, 300 records');
    expect(out.stdout).toMatch(/sent 300\/300 \(.*\), retried 0, failed 0\n$/);
    const records = (firehose.delivered.get('logs') ?? []).map(String);
    expect(records).toHaveLength(300);
    expect(records.every((r) => /^\d+\.\d+\.\d+\.\d+ \d+\n$/.test(r))).toBe(true);
  });

  it('reports a missing delivery stream in one line', async () => {
    const out = await run('datagen', [
      '--delivery-stream',
      'nope',
      '--total',
      '5',
      '--endpoint-url',
      firehose.endpoint,
    ]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n').at(-1)).toBe(
      `datagen: Delivery stream "nope" does not exist at ${firehose.endpoint}. Create it or pass --firehose.`,
    );
  });
});
