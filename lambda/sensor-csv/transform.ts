import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { decodeSensorReading, sensorCsvLine } from '#core/sensor';

export interface CsvTransformDeps {
  readonly log: Pick<Logger, 'warn'>;
  readonly count: (metric: 'CsvRecords' | 'CsvFailures', value: number) => void;
}

/**
 * Firehose's record-format conversion to CSV: each alert (a JSON sensor reading) becomes one
 * CSV line (columns in SENSOR_CSV_COLUMNS order). A record that is not a sensor reading is
 * returned as ProcessingFailed, unchanged, and Firehose writes it under the error prefix:
 * nothing is dropped silently.
 */
export function createCsvTransform(deps: CsvTransformDeps) {
  return async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    let failures = 0;
    const records = event.records.map((record): FirehoseTransformationResultRecord => {
      const reading = decodeSensorReading(record.data);
      if (!reading.ok) {
        failures += 1;
        deps.log.warn('Record is not a sensor reading', {
          recordId: record.recordId,
          reason: reading.reason,
        });
        return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
      }
      return {
        recordId: record.recordId,
        result: 'Ok',
        data: Buffer.from(sensorCsvLine(reading.value), 'utf8').toString('base64'),
      };
    });
    deps.count('CsvRecords', records.length - failures);
    if (failures > 0) deps.count('CsvFailures', failures);
    return { records };
  };
}
