import { Logger } from '@aws-lambda-powertools/logger';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import { parseSensorCsvLine, splitCsvLines, type SensorReading } from '#core/sensor';
import { createCsvTransform } from '../../lambda/sensor-csv/transform';

const silent = new Logger({ logLevel: 'SILENT' });

function firehoseEvent(payloads: string[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/sensor-alerts',
    region: 'us-east-1',
    records: payloads.map((payload, i) => ({
      recordId: `record-${i}`,
      approximateArrivalTimestamp: 1_795_400_000_000 + i,
      data: Buffer.from(payload).toString('base64'),
    })),
  };
}

const readings: SensorReading[] = [
  {
    sensorId: 'sensor-1',
    eventTimestamp: 1_795_400_000_123,
    ambientTemp: 12,
    measuredTemp: 44.4,
    status: 'OK',
  },
  { sensorId: 'dock, "north"', eventTimestamp: 1_795_400_000_456, ambientTemp: -3.5, measuredTemp: 30 },
];

describe('CSV conversion for Firehose', () => {
  it('turns each reading into one CSV line that reads back to the reading', async () => {
    const counts: Record<string, number> = {};
    const transform = createCsvTransform({ log: silent, count: (m, v) => void (counts[m] = v) });
    const out = await transform(firehoseEvent(readings.map((r) => JSON.stringify(r))));
    expect(out.records.map((r) => [r.recordId, r.result])).toEqual([
      ['record-0', 'Ok'],
      ['record-1', 'Ok'],
    ]);
    const object = out.records.map((r) => Buffer.from(r.data ?? '', 'base64').toString('utf8')).join('');
    expect(object).toBe('sensor-1,1795400000123,12,44.4,OK\n"dock, ""north""",1795400000456,-3.5,30,\n');
    expect(splitCsvLines(object).map(parseSensorCsvLine)).toEqual(
      readings.map((value) => ({ ok: true, value })),
    );
    expect(counts).toEqual({ CsvRecords: 2 });
  });

  it('returns records that are not readings as ProcessingFailed, unchanged, for the error prefix', async () => {
    const counts: Record<string, number> = {};
    const transform = createCsvTransform({ log: silent, count: (m, v) => void (counts[m] = v) });
    const event = firehoseEvent(['not json', JSON.stringify(readings[0]), '{"sensorId":"x"}']);
    const out = await transform(event);
    expect(out.records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok', 'ProcessingFailed']);
    expect(out.records[0].data).toBe(event.records[0].data);
    expect(out.records[2].data).toBe(event.records[2].data);
    expect(counts).toEqual({ CsvRecords: 1, CsvFailures: 2 });
  });
});
