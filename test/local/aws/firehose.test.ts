import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  type ListDeliveryStreamsCommandInput,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { gunzipSync } from 'node:zlib';
import { startFirehoseFixture, type FirehoseFixture } from '../../support/firehose';
import { waitUntil } from '../../support/wait';
import { sdkFailure } from '../../support/aws-endpoint';

/**
 * The Firehose API with the SDK's own client against the local endpoint, over delivery streams
 * read from a hand-written template: what PutRecordBatch accepts lands in the bucket once, in
 * order, with the processors the template declares, across a crash too; AWS's limits, errors and
 * shapes.
 */

let fixture: FirehoseFixture;
afterEach(async () => {
  await fixture?.stop();
});

const records = (from: number, count: number, prefix = 'click') =>
  Array.from({ length: count }, (_, i) => ({ Data: Buffer.from(`${prefix}-${from + i}`) }));

const lines = (count: number, from = 0, prefix = 'click') =>
  Array.from({ length: count }, (_, i) => `${prefix}-${from + i}\n`).join('');

const putBatch = (client: FirehoseClient, name: string, batch: { Data: Uint8Array }[]) =>
  client.send(new PutRecordBatchCommand({ DeliveryStreamName: name, Records: batch }));

describe('PutRecordBatch and PutRecord into a DirectPut delivery stream', () => {
  it('lands every record once, in order, with the delimiter, under the prefix', async () => {
    fixture = await startFirehoseFixture();
    const { client, bucket } = fixture;
    const first = await putBatch(client, 'clicks', records(0, 200));
    const second = await putBatch(client, 'clicks', records(200, 300));
    const one = await client.send(
      new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: Buffer.from('click-500') } }),
    );
    expect(first.FailedPutCount).toBe(0);
    expect(first.Encrypted).toBe(false);
    expect(first.RequestResponses).toHaveLength(200);
    const ids = [...first.RequestResponses!, ...second.RequestResponses!].map((r) => r.RecordId);
    expect(new Set([...ids, one.RecordId]).size).toBe(501);
    expect(bucket.objects.size).toBe(0);

    await fixture.runners.get('clicks')!.flush();
    expect([...bucket.objects.keys()]).toEqual([
      expect.stringMatching(/^clicks\/2026\/11\/30\/12\/clicks-1-2026-11-30-12-00-00-[0-9a-f-]{36}$/),
    ]);
    expect([...bucket.objects.values()][0].toString()).toBe(lines(501));
  });

  it('writes when the interval hint has passed, and at once when the size hint is reached', async () => {
    fixture = await startFirehoseFixture();
    const { client, bucket, clock } = fixture;
    await putBatch(client, 'clicks', records(0, 3));
    clock.advance(59_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bucket.objects.size).toBe(0);
    clock.advance(1_000);
    await waitUntil(() => bucket.objects.size === 1, 'the object written at the interval');

    // 1 MiB hint: three records of 400,000 bytes fill it.
    const big = Array.from({ length: 3 }, (_, i) => ({ Data: Buffer.alloc(400_000, 97 + i) }));
    await putBatch(client, 'clicks', big);
    await waitUntil(() => bucket.objects.size === 2, 'the object written at the size hint');
    expect([...bucket.objects.values()][1]).toHaveLength(1_200_003);
  });

  it('runs the Lambda transformation, gzips, and puts rejected records under the error prefix', async () => {
    const events: { deliveryStreamArn: string; records: Record<string, unknown>[] }[] = [];
    fixture = await startFirehoseFixture({
      processors: {
        Upper: {
          invoke: async (event) => {
            const e = event as (typeof events)[number];
            events.push(e);
            return {
              records: e.records.map((r) => {
                const text = Buffer.from(r.data as string, 'base64').toString();
                return text === 'bad'
                  ? { recordId: r.recordId, result: 'ProcessingFailed', data: r.data }
                  : {
                      recordId: r.recordId,
                      result: 'Ok',
                      data: Buffer.from(`${text.toUpperCase()}\n`).toString('base64'),
                    };
              }),
            };
          },
        },
      },
    });
    const { client, bucket } = fixture;
    await putBatch(client, 'shouting', [...records(0, 2, 'hello'), { Data: Buffer.from('bad') }]);
    await fixture.runners.get('shouting')!.flush();

    expect(events).toHaveLength(1);
    expect(events[0].deliveryStreamArn).toBe(
      'arn:aws:firehose:us-east-1:000000000000:deliverystream/shouting',
    );
    expect(events[0]).not.toHaveProperty('sourceKinesisStreamArn');
    expect(events[0].records[0]).toEqual({
      recordId: '0',
      approximateArrivalTimestamp: fixture.clock.now(),
      data: Buffer.from('hello-0').toString('base64'),
    });
    const keys = [...bucket.objects.keys()];
    expect(keys).toEqual([
      expect.stringMatching(/^shouting\/2026\/shouting-1-2026-11-30-12-00-00-[0-9a-f-]{36}\.gz$/),
      expect.stringMatching(/^failed\/processing-failed\/2026\/11\/30\/12\/shouting-1-.*\.gz$/),
    ]);
    expect(gunzipSync(bucket.objects.get(keys[0])!).toString()).toBe('HELLO-0\nHELLO-1\n');
    const failed = JSON.parse(gunzipSync(bucket.objects.get(keys[1])!).toString());
    expect(failed).toMatchObject({
      errorCode: 'Lambda.ProcessingFailed',
      rawData: Buffer.from('bad').toString('base64'),
    });
  });
});

describe('nothing lost, nothing twice, across a crash', () => {
  it('delivers what was accepted before a stop without flushing, once', async () => {
    fixture = await startFirehoseFixture();
    const { client, bucket } = fixture;
    await putBatch(client, 'clicks', records(0, 10));
    await putBatch(client, 'clicks', records(10, 10));
    await fixture.runners.get('clicks')!.abandon();
    expect(bucket.objects.size).toBe(0);
    // While the delivery stream is down nothing is accepted: every entry fails, to be sent again.
    const refused = await putBatch(client, 'clicks', records(100, 2));
    expect(refused).toMatchObject({
      FailedPutCount: 2,
      RequestResponses: [
        { ErrorCode: 'ServiceUnavailableException', ErrorMessage: expect.stringMatching(/^Slow down\./) },
        { ErrorCode: 'ServiceUnavailableException' },
      ],
    });
    expect(
      await sdkFailure(
        client.send(
          new PutRecordCommand({ DeliveryStreamName: 'clicks', Record: { Data: Buffer.from('x') } }),
        ),
      ),
    ).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });

    const again = fixture.restart('clicks');
    expect(again.pending).toBe(20);
    await putBatch(client, 'clicks', records(20, 5));
    await again.flush();
    expect([...bucket.objects.values()].map(String)).toEqual([lines(25)]);
  });

  it('writes the same object again, under the same key, when the crash came after the write', async () => {
    const problems: string[] = [];
    fixture = await startFirehoseFixture({ log: (m) => problems.push(m) });
    const { client, bucket } = fixture;
    await putBatch(client, 'clicks', records(0, 10));
    bucket.writer.failNext = 'after-write';
    await expect(fixture.runners.get('clicks')!.flush()).rejects.toThrow(/answer was lost/);
    const [key] = bucket.objects.keys();
    // Accepted after the object was planned: these belong in the next object.
    await putBatch(client, 'clicks', records(10, 5));
    await fixture.runners.get('clicks')!.abandon();

    const again = fixture.restart('clicks');
    await again.flush(); // the interrupted object first (already under way since the start), then the rest
    await again.flush();
    expect(bucket.writes()).toBe(3);
    const bodies = [...bucket.objects.entries()];
    expect(bodies.map(([k]) => k)[0]).toBe(key);
    expect(bodies.map(([, body]) => body.toString())).toEqual([lines(10), lines(5, 10)]);
    expect(problems).toEqual([]);
  });

  it('keeps records whose object could not be written, and writes them later', async () => {
    fixture = await startFirehoseFixture();
    const { client, bucket } = fixture;
    await putBatch(client, 'clicks', records(0, 4));
    bucket.writer.failNext = 'before-write';
    await expect(fixture.runners.get('clicks')!.flush()).rejects.toThrow(/unreachable/);
    await putBatch(client, 'clicks', records(4, 4));
    await fixture.runners.get('clicks')!.flush();
    await fixture.runners.get('clicks')!.flush();
    expect([...bucket.objects.values()].map(String)).toEqual([lines(4), lines(4, 4)]);
  });
});

describe("AWS's limits and errors", () => {
  it('takes 500 records and records of 1,000 KiB; refuses 501, a larger record, and over 4 MiB', async () => {
    fixture = await startFirehoseFixture();
    const { client } = fixture;
    await expect(putBatch(client, 'clicks', records(0, 500))).resolves.toMatchObject({ FailedPutCount: 0 });
    expect(await sdkFailure(putBatch(client, 'clicks', records(0, 501)))).toEqual({
      name: 'ValidationException',
      status: 400,
      message: expect.stringMatching(
        /^1 validation error detected: Value '\[Record\(data=java\.nio\.HeapByteBuffer\[pos=0 lim=7 cap=7\]\), .*\]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/,
      ),
    });
    const big = (size: number) => ({ Data: Buffer.alloc(size, 120) });
    await expect(putBatch(client, 'clicks', [big(1_024_000)])).resolves.toMatchObject({ FailedPutCount: 0 });
    expect(await sdkFailure(putBatch(client, 'clicks', [big(10), big(1_024_001)]))).toEqual({
      name: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1024000",
    });
    await expect(putBatch(client, 'clicks', Array(4).fill(big(1_024_000)))).resolves.toMatchObject({
      FailedPutCount: 0,
    });
    expect(await sdkFailure(putBatch(client, 'clicks', Array(5).fill(big(1_000_000))))).toEqual({
      name: 'InvalidArgumentException',
      status: 400,
      message: 'Records size exceeds 4 MB limit',
    });
    const runner = fixture.runners.get('clicks')!;
    await runner.flush();
    expect(runner.counters.records).toBe(500 + 1 + 4);
  });

  it('refuses direct puts to a delivery stream that reads a Kinesis stream, as AWS does', async () => {
    fixture = await startFirehoseFixture();
    const { client } = fixture;
    const refusal = {
      name: 'InvalidArgumentException',
      status: 400,
      message: 'This operation is not permitted on KinesisStreamAsSource delivery stream type.',
    };
    expect(await sdkFailure(putBatch(client, 'mirror', records(0, 1)))).toEqual(refusal);
    expect(
      await sdkFailure(
        client.send(
          new PutRecordCommand({ DeliveryStreamName: 'mirror', Record: { Data: Buffer.from('x') } }),
        ),
      ),
    ).toEqual(refusal);
  });

  it('answers an unknown delivery stream, or one of another region, with ResourceNotFoundException', async () => {
    fixture = await startFirehoseFixture();
    const notFound = (name: string) => ({
      name: 'ResourceNotFoundException',
      status: 400,
      message: `Firehose ${name} under account 000000000000 not found.`,
    });
    expect(await sdkFailure(putBatch(fixture.client, 'nope', records(0, 1)))).toEqual(notFound('nope'));
    const elsewhere = new FirehoseClient({
      endpoint: fixture.endpoint.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'tester', secretAccessKey: 'anything' },
      maxAttempts: 1,
    });
    expect(
      await sdkFailure(elsewhere.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }))),
    ).toEqual(notFound('clicks'));
    elsewhere.destroy();
  });

  it('asks IAM for each action on the delivery stream, and answers a denial as Firehose does', async () => {
    const asked: string[] = [];
    fixture = await startFirehoseFixture({
      authorize: async (_caller, action, resource) => {
        asked.push(`${action} ${resource}`);
        return action === 'firehose:ListDeliveryStreams'
          ? { allowed: true }
          : { allowed: false, reason: 'because no identity-based policy allows the action' };
      },
    });
    await fixture.client.send(new ListDeliveryStreamsCommand({}));
    const denied = await sdkFailure(putBatch(fixture.client, 'clicks', records(0, 2)));
    expect(denied).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message:
        'User: arn:aws:iam::000000000000:user/tester is not authorized to perform: firehose:PutRecordBatch on resource: arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks because no identity-based policy allows the action',
    });
    await sdkFailure(
      fixture.client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' })),
    );
    expect(asked).toEqual([
      'firehose:ListDeliveryStreams *',
      'firehose:PutRecordBatch arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks',
      'firehose:DescribeDeliveryStream arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks',
    ]);
    expect(fixture.runners.get('clicks')!.pending).toBe(0);
  });
});

describe('DescribeDeliveryStream and ListDeliveryStreams', () => {
  it("describes the template's settings as AWS shapes them", async () => {
    fixture = await startFirehoseFixture();
    const { DeliveryStreamDescription: clicks } = await fixture.client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }),
    );
    expect(clicks).toEqual({
      DeliveryStreamName: 'clicks',
      DeliveryStreamARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks',
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
      DeliveryStreamType: 'DirectPut',
      VersionId: '1',
      CreateTimestamp: new Date(fixture.clock.now()),
      Destinations: [
        {
          DestinationId: 'destinationId-000000000001',
          S3DestinationDescription: expect.objectContaining({ BucketARN: 'arn:aws:s3:::lake' }),
          ExtendedS3DestinationDescription: {
            RoleARN: 'arn:aws:iam::000000000000:role/delivery',
            BucketARN: 'arn:aws:s3:::lake',
            Prefix: 'clicks/',
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
            CompressionFormat: 'UNCOMPRESSED',
            EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
            CloudWatchLoggingOptions: { Enabled: false },
            ProcessingConfiguration: {
              Enabled: true,
              Processors: [
                {
                  Type: 'AppendDelimiterToRecord',
                  Parameters: [{ ParameterName: 'Delimiter', ParameterValue: '\\n' }],
                },
              ],
            },
            S3BackupMode: 'Disabled',
            DataFormatConversionConfiguration: { Enabled: false },
          },
        },
      ],
      HasMoreDestinations: false,
    });

    const { DeliveryStreamDescription: mirror } = await fixture.client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'mirror' }),
    );
    expect(mirror).toMatchObject({
      DeliveryStreamType: 'KinesisStreamAsSource',
      Source: {
        KinesisStreamSourceDescription: {
          KinesisStreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/events',
          RoleARN: 'arn:aws:iam::000000000000:role/delivery',
        },
      },
      Destinations: [
        { ExtendedS3DestinationDescription: { BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 } } },
      ],
    });
    const { DeliveryStreamDescription: shouting } = await fixture.client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'shouting' }),
    );
    expect(shouting!.Destinations![0].ExtendedS3DestinationDescription).toMatchObject({
      ErrorOutputPrefix: 'failed/!{firehose:error-output-type}/',
      CompressionFormat: 'GZIP',
      CloudWatchLoggingOptions: { Enabled: true, LogGroupName: 'shouting-logs', LogStreamName: 'S3Delivery' },
      ProcessingConfiguration: {
        Processors: [
          {
            Type: 'Lambda',
            Parameters: [
              {
                ParameterName: 'LambdaArn',
                ParameterValue: 'arn:aws:lambda:us-east-1:000000000000:function:upper',
              },
              { ParameterName: 'NumberOfRetries', ParameterValue: '3' },
            ],
          },
        ],
      },
    });
  });

  it('lists by name with Limit, ExclusiveStartDeliveryStreamName and DeliveryStreamType', async () => {
    fixture = await startFirehoseFixture();
    const list = (input: ListDeliveryStreamsCommandInput) =>
      fixture.client.send(new ListDeliveryStreamsCommand(input));
    expect(await list({})).toMatchObject({
      DeliveryStreamNames: ['clicks', 'mirror', 'shouting'],
      HasMoreDeliveryStreams: false,
    });
    expect(await list({ Limit: 2 })).toMatchObject({
      DeliveryStreamNames: ['clicks', 'mirror'],
      HasMoreDeliveryStreams: true,
    });
    expect(await list({ Limit: 2, ExclusiveStartDeliveryStreamName: 'mirror' })).toMatchObject({
      DeliveryStreamNames: ['shouting'],
      HasMoreDeliveryStreams: false,
    });
    expect(await list({ DeliveryStreamType: 'DirectPut' })).toMatchObject({
      DeliveryStreamNames: ['clicks', 'shouting'],
    });
    expect(await sdkFailure(list({ Limit: 0 }))).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
  });
});
