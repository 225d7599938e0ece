import { Logger } from '@aws-lambda-powertools/logger';
import type { KinesisStreamRecord } from 'aws-lambda';
import type { FailedRecord } from '#core/failure-record';
import type { UnicornSummary } from '#core/summary';
import { createAggregationHandler } from '../../lambda/aggregate-summaries/aggregate';
import { fakeKinesis } from '../support/fake-kinesis';
import { kinesisRecord, tumblingWindowEvent, unicornStatus } from '../../lambda/shared/kinesis-events';
import { expectedTotals } from '../support/oracle';

const silent = new Logger({ logLevel: 'SILENT' });
const noWait = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };

function setup(decide?: Parameters<typeof fakeKinesis>[0]) {
  const kinesis = fakeKinesis(decide);
  const quarantined: FailedRecord[] = [];
  const counts: Record<string, number> = {};
  const handler = createAggregationHandler({
    kinesis: kinesis.client,
    summaryStreamName: 'wildrydes-summary',
    failures: { send: async (records) => void quarantined.push(...records) },
    log: silent,
    count: (metric, value) => void (counts[metric] = (counts[metric] ?? 0) + value),
    retryPolicy: noWait,
  });
  const put = () => kinesis.accepted.map((data) => JSON.parse(data) as UnicornSummary);
  return { handler, kinesis, quarantined, counts, put };
}

const fleet = (n: number, names = ['Shadowfax', 'Bucephalus', 'Rocinante']) =>
  Array.from({ length: n }, (_, i) =>
    kinesisRecord(
      unicornStatus({
        Name: names[i % names.length],
        Distance: 25 + (i % 9) * 0.5,
        MagicPoints: 140 + ((i * 13) % 25),
        HealthPoints: 130 + ((i * 7) % 30),
      }),
    ),
  );

describe('summary aggregation handler', () => {
  it('carries per-unicorn state across invocations and emits one exact summary per unicorn at the end', async () => {
    const { handler, put, kinesis } = setup();
    const records = fleet(30);
    let state: object = {};
    for (let i = 0; i < records.length; i += 8) {
      const response = await handler(tumblingWindowEvent(records.slice(i, i + 8), { state }));
      expect(response.batchItemFailures).toEqual([]);
      state = JSON.parse(JSON.stringify(response.state));
    }
    expect(kinesis.calls).toHaveLength(0); // nothing emitted before the window closes
    const final = await handler(tumblingWindowEvent([], { state, final: true }));
    expect(final.state).toEqual({});

    const summaries = put();
    expect(summaries.map((s) => s.Name)).toEqual(['Bucephalus', 'Rocinante', 'Shadowfax']);
    const statuses = records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()));
    for (const summary of summaries) {
      expect(summary).toEqual({
        Name: summary.Name,
        StatusTime: '2017-06-05 09:17:00.000',
        ...expectedTotals(statuses, summary.Name),
        SummaryId: records[0].eventID,
      });
    }
    // Partition key = unicorn name.
    expect(kinesis.calls[0].records.map((r) => r.partitionKey)).toEqual([
      'Bucephalus',
      'Rocinante',
      'Shadowfax',
    ]);
  });

  it('counts records that arrive with the final invocation', async () => {
    const { handler, put } = setup();
    const [a, b] = fleet(2, ['Shadowfax']);
    const first = await handler(tumblingWindowEvent([a]));
    await handler(tumblingWindowEvent([b], { state: first.state, final: true }));
    expect(put()).toEqual([expect.objectContaining({ Name: 'Shadowfax', Records: 2 })]);
  });

  it('emits a part when Lambda ends a window early and starts the rest with a new SummaryId', async () => {
    const { handler, put } = setup();
    const records = fleet(6, ['Shadowfax']);
    const early = await handler(
      tumblingWindowEvent(records.slice(0, 4), { final: true, terminatedEarly: true }),
    );
    await handler(tumblingWindowEvent(records.slice(4), { state: early.state, final: true }));
    const [part1, part2] = put();
    expect(part1).toMatchObject({ Records: 4, SummaryId: records[0].eventID });
    expect(part2).toMatchObject({ Records: 2, SummaryId: records[4].eventID });
    expect(part1.StatusTime).toBe(part2.StatusTime);
  });

  it('fails the final invocation when summaries cannot be put, and the retry emits identical summaries', async () => {
    let outage = true;
    const { handler, put } = setup(() => (outage ? 'InternalFailure' : 'ok'));
    const response = await handler(tumblingWindowEvent(fleet(9)));
    const finalEvent = tumblingWindowEvent([], { state: response.state, final: true });

    await expect(handler(finalEvent)).rejects.toThrow(
      /3 of 3 summaries were not accepted by wildrydes-summary/,
    );
    expect(put()).toEqual([]);

    outage = false;
    await handler(finalEvent); // Lambda repeats the final invocation with the same state
    const emitted = put();
    expect(emitted).toHaveLength(3);
    expect(new Set(emitted.map((s) => s.SummaryId))).toEqual(
      new Set([JSON.parse(JSON.stringify(response.state)).seg]),
    );
  });

  it('sends malformed records to the failure queue, counts them, and keeps going', async () => {
    const { handler, quarantined, counts, put } = setup();
    const bad: KinesisStreamRecord[] = [
      kinesisRecord('{oops'),
      kinesisRecord({ ...unicornStatus(), MagicPoints: 'many' }),
    ];
    const good = fleet(2, ['Shadowfax']);
    const response = await handler(tumblingWindowEvent([good[0], ...bad, good[1]], { final: true }));
    expect(response.batchItemFailures).toEqual([]);
    expect(quarantined.map((q) => [q.eventID, q.reason])).toEqual([
      [bad[0].eventID, 'data is not JSON: {oops'],
      [bad[1].eventID, 'MagicPoints must be a number'],
    ]);
    expect(quarantined[0]).toMatchObject({
      kind: 'malformed-record',
      data: bad[0].kinesis.data,
      preview: '{oops',
    });
    expect(counts.MalformedRecords).toBe(2);
    expect(put()).toEqual([expect.objectContaining({ Name: 'Shadowfax', Records: 2 })]);
  });

  it('fails the invocation rather than lose a malformed record the queue would not take', async () => {
    const { kinesis } = setup();
    const handler = createAggregationHandler({
      kinesis: kinesis.client,
      summaryStreamName: 's',
      failures: {
        send: async () => {
          throw new Error('queue unavailable');
        },
      },
      log: silent,
      count: () => undefined,
    });
    await expect(handler(tumblingWindowEvent([kinesisRecord('bad')]))).rejects.toThrow('queue unavailable');
  });
});
