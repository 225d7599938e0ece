import { failedRecord } from '#core/failure-record';
import {
  ageText,
  inRange,
  noticeLine,
  parseNotice,
  parseRecordsFile,
  recordLine,
  RecordsFileError,
  type FailureNotice,
} from '../../ops/redrive/notices';
import { fetchRecords } from '../../ops/redrive/redrive';

/** The on-failure record the Lambda developer guide shows for a Kinesis event source. */
const LAMBDA_EXAMPLE = {
  requestContext: {
    requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5',
    functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 1,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2019-11-14T00:38:06.021Z',
  KinesisBatchInfo: {
    shardId: 'shardId-000000000001',
    startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
    endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
    approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
    approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
    batchSize: 500,
    streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
  },
};

it("reads Lambda's on-failure record: function, shard, sequence range, reason, age", () => {
  const notice = parseNotice(JSON.stringify(LAMBDA_EXAMPLE)) as FailureNotice;
  expect(notice).toMatchObject({
    kind: 'lambda-batch',
    functionName: 'myfunction',
    streamName: 'mystream',
    shardId: 'shardId-000000000001',
    count: 500,
    arrivedAt: Date.parse('2019-11-14T00:38:04.835Z'),
  });
  expect(notice.records).toBeUndefined();
  expect(noticeLine(notice, Date.parse('2019-11-14T02:40:04.835Z'))).toBe(
    'myfunction: 500 records of mystream shardId-000000000001 49601189658422359378836298521827638475320189012309704722…49601189658422359378836298522902373528957594348623495186 — RetryAttemptsExhausted (Unhandled) after 1 invocations, 2 h 2 min old',
  );
  // 128-bit sequence numbers compare exactly.
  expect(inRange(notice, '49601189658422359378836298521827638475320189012309704723')).toBe(true);
  expect(inRange(notice, '49601189658422359378836298522902373528957594348623495187')).toBe(false);
});

it('reads a malformed-record notice with the record it carries', () => {
  const body = failedRecord(
    {
      eventID: 'shardId-000000000000:4960',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/wildrydes',
      kinesis: {
        data: Buffer.from('{"Name":').toString('base64'),
        partitionKey: 'Poison',
        approximateArrivalTimestamp: 1_700_000_000.5,
      },
    },
    'record is not JSON',
  );
  const notice = parseNotice(JSON.stringify(body)) as FailureNotice;
  expect(notice).toMatchObject({
    kind: 'malformed-record',
    streamName: 'wildrydes',
    shardId: 'shardId-000000000000',
    startSequenceNumber: '4960',
    arrivedAt: 1_700_000_000_500,
  });
  expect(notice.records!.map((r) => [r.partitionKey, r.data.toString()])).toEqual([['Poison', '{"Name":']]);
  expect(parseNotice('{"hello":1}')).toEqual({
    error: 'neither a Lambda on-failure record nor a malformed-record notice',
  });
  expect(parseNotice('nope')).toEqual({ error: 'not JSON: not a failure notice' });
});

it('records files round-trip text and binary data, and name the line of a problem', () => {
  const text = recordLine('m1', 'wildrydes', { partitionKey: 'a', data: Buffer.from('{"x":1}') });
  const binary = recordLine('m2', 'wildrydes', { partitionKey: 'b', data: Buffer.from([0, 1, 2, 255]) });
  expect(text).toEqual({ messageId: 'm1', stream: 'wildrydes', partitionKey: 'a', data: '{"x":1}' });
  expect(binary.dataBase64).toBe('AAEC/w==');
  const file = [text, binary].map((l) => JSON.stringify(l)).join('\n');
  expect(parseRecordsFile(file, 'f.jsonl')).toEqual([text, binary]);
  expect(() => parseRecordsFile(`${file}\n{"messageId":"m3"}`, 'f.jsonl')).toThrow(
    new RecordsFileError('f.jsonl:3: needs messageId, stream, partitionKey and one of data or dataBase64'),
  );
  expect(ageText(90_000)).toBe('1 min');
  expect(ageText(26 * 3_600_000)).toBe('1 d 2 h');
});

it('says the records are not retained when the shard begins after them', async () => {
  const notice = parseNotice(JSON.stringify(LAMBDA_EXAMPLE)) as FailureNotice;
  const now = Date.parse('2019-11-14T01:00:00Z');
  const kinesis = {
    send: async (command: { constructor: { name: string } }) =>
      command.constructor.name === 'GetShardIteratorCommand'
        ? { ShardIterator: 'it' }
        : // Trimmed: the oldest record left is after the range's start.
          {
            Records: [
              {
                SequenceNumber: '49601189658422359378836298522902373528957594348623495100',
                PartitionKey: 'k',
                Data: new Uint8Array(),
              },
            ],
            MillisBehindLatest: 0,
          },
  };
  expect(await fetchRecords(kinesis as never, notice, now)).toEqual({
    problem: `not retained: the stream's oldest record of shardId-000000000001 is after ${notice.startSequenceNumber}`,
  });
  expect(await fetchRecords(kinesis as never, notice, now + 25 * 3_600_000)).toEqual({
    problem: 'not retained: the records arrived more than 24 h ago, the stream no longer has them',
  });
});
