import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { failedRecord, type FailedRecord } from '#core/failure-record';
import { FailureQueue } from '../../lambda/shared/failure-queue';
import { kinesisRecord } from '../../lambda/shared/kinesis-events';

function fakeSqs(failIds: string[] = []) {
  const batches: SendMessageBatchCommand['input'][] = [];
  const client = {
    send: async (command: SendMessageBatchCommand) => {
      batches.push(command.input);
      return {
        Successful: [],
        Failed: failIds.map((Id) => ({
          Id,
          Code: 'InternalError',
          Message: 'try later',
          SenderFault: false,
        })),
      };
    },
  } as unknown as SQSClient;
  return { client, batches };
}

describe('FailureQueue', () => {
  const records: FailedRecord[] = Array.from({ length: 23 }, (_, i) =>
    failedRecord(kinesisRecord(`bad ${i}`), 'reason'),
  );

  it('sends in batches of ten with the record as the message body', async () => {
    const sqs = fakeSqs();
    await new FailureQueue(sqs.client, 'https://queue').send(records);
    expect(sqs.batches.map((b) => b.Entries?.length)).toEqual([10, 10, 3]);
    expect(JSON.parse(sqs.batches[0].Entries?.[0].MessageBody ?? '')).toEqual(records[0]);
  });

  it('throws when a message was not queued, so the invocation is retried', async () => {
    await expect(new FailureQueue(fakeSqs(['3']).client, 'https://queue').send(records)).rejects.toThrow(
      /Could not queue 1 failed records: InternalError/,
    );
  });

  it('leaves out data too large for a queue message but keeps where to find it', () => {
    const huge = kinesisRecord(Buffer.alloc(300 * 1024, 'x'));
    const failed = failedRecord(huge, 'too big');
    expect(failed.data).toBeUndefined();
    expect(failed).toMatchObject({ eventID: huge.eventID, preview: expect.stringMatching(/^x+…$/) });
    expect(Buffer.byteLength(JSON.stringify(failed))).toBeLessThan(256 * 1024);
  });
});
