/**
 * A tab-separated batch log for the agent fixture `csv-multiline.json` (CSVTOJSON after
 * SINGLELINE, a header to skip, records of several lines, a maxRecordSizeBytes of 64 with a
 * `[cut]` terminator), and the records the Kinesis Agent makes of it.
 */
export const BATCH_LOG = [
  'sequence\tstep\tdetail',
  '[SEQUENCE=1]\tcheckout\tpaid',
  '[SEQUENCE=2]\tlogin\tfailed:',
  '   bad password',
  `[SEQUENCE=3]\texport\t${'x'.repeat(100)}`,
]
  .map((l) => `${l}\n`)
  .join('');

export const BATCH_LOG_RECORDS = [
  { sequence: '[SEQUENCE=1]', step: 'checkout', detail: 'paid' },
  { sequence: '[SEQUENCE=2]', step: 'login', detail: 'failed:bad password' },
  // Cut at maxRecordSizeBytes (64) less the terminator, which ends it.
  { sequence: '[SEQUENCE=3]', step: 'export', detail: `${'x'.repeat(38)}[cut]` },
];
