/**
 * Handler throughput on one core: the aggregation handler and the IoT sensor steps, each over
 * realistic batches, next to a baseline that only decodes the same records (base64 → UTF-8 →
 * JSON.parse), the work no handler can skip. The AWS calls are stubbed (they are measured by the
 * local pipeline bench), so these figures are the CPU cost per record of our own code.
 */
import type { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamRecord, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compileTemplate } from '#core/kdg-template';
import { fly, seededRandom, spawnUnicorn, statusOf } from '#core/movement';
import {
  decodeSensorReading,
  dedupe,
  isAlert,
  sensorFingerprint,
  type DedupCandidate,
  type SeenReading,
} from '#core/sensor';
import { restoreSensorWindowState, tallyReading, windowParts } from '#core/sensor-window';
import { restoreWindowState, tallyRecords } from '#core/window';
import { createAggregationHandler } from '../lambda/aggregate-summaries/aggregate';
import { createSensorProcessingHandler } from '../lambda/sensor-processing/process';
import { kinesisRecord, tumblingWindowEvent } from '../lambda/shared/kinesis-events';
import { hotspots, type Hotspot } from './profile';
import { pairedRates, round, type RateOptions } from './stats';

export interface ThroughputRow {
  readonly name: string;
  readonly what: string;
  readonly recordsPerSecond: number;
  readonly baselinePerSecond: number;
  /** recordsPerSecond / baselinePerSecond; the target is at least 0.5. */
  readonly ratio: number;
  readonly targetMet: boolean;
  /** Where the time goes, for a row that misses the target. */
  readonly hotspots?: Hotspot[];
}

export interface HandlerBenchResult {
  readonly batch: string;
  readonly rows: ThroughputRow[];
}

/** The aggregation's event source: batches of up to 1,000 records (see SummaryAggregation). */
const BATCH = 1_000;
/** Batches per window in the simulated traffic; the last one closes the window. */
const BATCHES_PER_WINDOW = 10;
const FLEET = 1_000;
const SENSOR_DUPLICATE_EVERY = 100;
const TARGET_RATIO = 0.5;

/** Accepts every PutRecords entry, as Kinesis does when it is not throttling. */
const acceptingKinesis = {
  send: async (command: PutRecordsCommand) => {
    const records = command.input.Records ?? [];
    return {
      FailedRecordCount: 0,
      Records: records.map((_, i) => ({ ShardId: 'shardId-000000000000', SequenceNumber: String(i) })),
    };
  },
} as unknown as KinesisClient;

const quiet = { info: () => undefined, warn: () => undefined };
const noFailures = { send: async () => undefined };
const noMetrics = () => undefined;

/** A window of unicorn status records: every unicorn of the fleet once a second, a batch a second. */
function unicornTraffic(): KinesisStreamRecord[][] {
  const random = seededRandom(7);
  const unicorns = Array.from({ length: FLEET }, (_, i) => spawnUnicorn(`Unicorn-${i + 1}`, random));
  const t0 = Date.UTC(2026, 10, 22, 10, 0, 0);
  return Array.from({ length: BATCHES_PER_WINDOW }, (_, second) =>
    unicorns.map((unicorn, i) => {
      const step = fly(unicorn, 1, random);
      unicorns[i] = step.unicorn;
      return kinesisRecord(statusOf(step.unicorn, step.metres, t0 + second * 1000 + i), {
        arrival: (t0 + second * 1000 + i) / 1000,
      });
    }),
  );
}

/**
 * A window of sensor readings from the Kinesis Data Generator template (50 sensors), with one
 * reading in a hundred sent twice, as a producer's retry would.
 */
function sensorTraffic(): KinesisStreamRecord[][] {
  const template = compileTemplate(
    readFileSync(path.join(__dirname, '..', 'templates', 'sensor-reading.tmpl'), 'utf8'),
    { seed: 11 },
  );
  const t0 = Date.UTC(2026, 10, 22, 10, 0, 0);
  return Array.from({ length: BATCHES_PER_WINDOW }, (_, second) => {
    const batch: KinesisStreamRecord[] = [];
    let previous = '';
    for (let i = 0; batch.length < BATCH; i++) {
      const at = t0 + second * 1000 + i;
      const text = i % SENSOR_DUPLICATE_EVERY === 1 ? previous : template.render(at);
      previous = text;
      batch.push(kinesisRecord(text, { partitionKey: 'sensor', arrival: at / 1000 }));
    }
    return batch;
  });
}

function windowEvents(batches: KinesisStreamRecord[][]): KinesisStreamTumblingWindowEvent[] {
  return batches.map((records, i) =>
    tumblingWindowEvent(records, { final: i === batches.length - 1, start: '2026-11-22T10:00:00Z' }),
  );
}

/** One pass over the window: each invocation gets the state the previous one returned. */
async function runWindow(
  handler: (event: KinesisStreamTumblingWindowEvent) => Promise<{ state?: object }>,
  events: readonly KinesisStreamTumblingWindowEvent[],
) {
  let state: object = {};
  for (const event of events) state = (await handler({ ...event, state })).state ?? {};
}

/** The baseline: base64 → UTF-8 → JSON.parse of every record, nothing else. */
function decodeOnly(records: readonly KinesisStreamRecord[]): number {
  let fields = 0;
  for (const record of records) {
    fields += Object.keys(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))).length;
  }
  return fields;
}

/** An in-memory dedup table: what the DynamoDB store does, without the network. */
function memoryDedupStore() {
  const table = new Map<string, SeenReading>();
  return {
    lookup: async function memoryLookup(fingerprints: Iterable<string>) {
      const seen = new Map<string, SeenReading>();
      for (const f of fingerprints) {
        const item = table.get(f);
        if (item) seen.set(f, item);
      }
      return seen;
    },
    remember: async function memoryRemember(kept: ReadonlyMap<string, SeenReading>) {
      for (const [f, s] of kept) table.set(f, s);
    },
  };
}

function sensorCandidates(records: readonly KinesisStreamRecord[]) {
  const candidates: (DedupCandidate & { reading: ReturnType<typeof readingOf> })[] = [];
  for (const record of records) {
    const reading = readingOf(record);
    candidates.push({
      reading,
      fingerprint: sensorFingerprint(reading),
      eventId: record.eventID,
      arrival: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    });
  }
  return candidates;
}

function readingOf(record: KinesisStreamRecord) {
  const reading = decodeSensorReading(record.kinesis.data);
  if (!reading.ok) throw new Error(`bench data is not a sensor reading: ${reading.reason}`);
  return reading.value;
}

/** One step to time: what it is, the records it handles, and the work on them. */
interface Step {
  readonly name: string;
  readonly what: string;
  readonly records: readonly KinesisStreamRecord[];
  readonly work: () => unknown;
}

/** The aggregation handler whole, and its tally alone. */
function unicornSteps(batches: KinesisStreamRecord[][]): Step[] {
  const records = batches.flat();
  const aggregate = createAggregationHandler({
    kinesis: acceptingKinesis,
    summaryStreamName: 'wildrydes-summary',
    failures: noFailures,
    log: quiet,
    count: noMetrics,
  });
  const events = windowEvents(batches);
  return [
    {
      name: 'aggregation handler',
      what: 'createAggregationHandler: decode, validate, tally per unicorn, 1,000 summaries put at window end',
      records,
      work: function aggregationWindow() {
        return runWindow(aggregate, events);
      },
    },
    {
      name: 'aggregation tally',
      what: 'decode, validate and tallyRecords only',
      records,
      work: function unicornTally() {
        const state = restoreWindowState({});
        for (const batch of batches) tallyRecords(state, batch.map(windowRecord));
      },
    },
  ];
}

/** The sensor handler whole, and each of its steps alone. */
function sensorSteps(batches: KinesisStreamRecord[][]): Step[] {
  const records = batches.flat();
  const processSensors = createSensorProcessingHandler({
    kinesis: acceptingKinesis,
    alertStreamName: 'sensor-alerts',
    dedup: memoryDedupStore(),
    aggregates: { add: async () => 'added' as const },
    failures: noFailures,
    log: quiet,
    count: noMetrics,
  });
  const events = windowEvents(batches);
  const seen = new Map<string, SeenReading>();
  return [
    {
      name: 'sensor handler',
      what: 'createSensorProcessingHandler with in-memory tables: decode, dedup, filter, window',
      records,
      work: function sensorProcessingWindow() {
        return runWindow(processSensors, events);
      },
    },
    {
      name: 'sensor dedup',
      what: 'decode, validate, SHA-256 fingerprint, dedupe against the last kept',
      records,
      work: function dedupBatches() {
        for (const batch of batches) {
          const { kept } = dedupe(seen, sensorCandidates(batch));
          for (const [f, s] of kept) seen.set(f, s);
        }
      },
    },
    {
      name: 'sensor filter',
      what: 'decode, validate, isAlert',
      records,
      work: function filter() {
        let alerts = 0;
        for (const record of records) if (isAlert(readingOf(record))) alerts += 1;
        return alerts;
      },
    },
    {
      name: 'sensor window',
      what: 'decode, validate, tallyReading, windowParts',
      records,
      work: function sensorTally() {
        const state = restoreSensorWindowState({});
        for (const record of records) {
          state.seg ??= record.eventID;
          tallyReading(state, readingOf(record));
        }
        return windowParts(state);
      },
    },
  ];
}

/** One step's rate beside decoding alone; where it falls short, where its time goes. */
async function measure(step: Step, options: RateOptions): Promise<ThroughputRow> {
  const { records, work } = step;
  const rates = await pairedRates(records.length, work, () => decodeOnly(records), options);
  const ratio = rates.ratio;
  const targetMet = ratio >= TARGET_RATIO;
  return {
    name: step.name,
    what: step.what,
    recordsPerSecond: round(rates.perSecond),
    baselinePerSecond: round(rates.baselinePerSecond),
    ratio: round(ratio, 2),
    targetMet,
    ...(targetMet ? {} : { hotspots: await hotspots(work, 1_000) }),
  };
}

export async function benchHandlers(options: RateOptions = {}): Promise<HandlerBenchResult> {
  const rows: ThroughputRow[] = [];
  // One at a time: each step has the core to itself.
  for (const step of [...unicornSteps(unicornTraffic()), ...sensorSteps(sensorTraffic())]) {
    rows.push(await measure(step, options));
  }
  return {
    batch: `windows of ${BATCHES_PER_WINDOW} batches of ${BATCH.toLocaleString('en')} records: ${FLEET.toLocaleString('en')} unicorns; 50 sensors with 1 % repeats`,
    rows,
  };
}

function windowRecord(record: KinesisStreamRecord) {
  return { eventID: record.eventID, data: record.kinesis.data };
}
