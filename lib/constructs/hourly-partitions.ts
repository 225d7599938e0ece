import type { CfnTable } from 'aws-cdk-lib/aws-glue';

/**
 * Hive-style hourly partitions as Firehose writes them (`year=!{timestamp:yyyy}/month=…/day=…/
 * hour=…/`), described for Athena: the four partition keys (strings, as Hive partition values
 * are) and partition projection over them, so Athena computes the partitions from the prefix
 * and no crawler or `MSCK REPAIR TABLE` is needed.
 */
export const HOURLY_PARTITION_KEYS: CfnTable.ColumnProperty[] = [
  { name: 'year', type: 'string' },
  { name: 'month', type: 'string' },
  { name: 'day', type: 'string' },
  { name: 'hour', type: 'string' },
];

/** Table parameters projecting the hourly partitions under `location` (ending in `/`). */
export function hourlyProjection(location: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.year.type': 'integer',
    'projection.year.range': '2020,2099',
    'projection.month.type': 'integer',
    'projection.month.range': '1,12',
    'projection.month.digits': '2',
    'projection.day.type': 'integer',
    'projection.day.range': '1,31',
    'projection.day.digits': '2',
    'projection.hour.type': 'integer',
    'projection.hour.range': '0,23',
    'projection.hour.digits': '2',
    'storage.location.template': `${location}year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
  };
}
