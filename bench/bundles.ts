/**
 * Each handler's bundle size and cold start, with the AWS SDK bundled and with it left to the
 * runtime, built with the same esbuild settings as WildRydesFunction. A cold start is measured
 * in a fresh Node.js process each time, with the function's environment from the synthesized
 * template and NODE_OPTIONS as deployed: loading the bundle (Lambda's init phase) and then the
 * first invocation with a typical event, whose AWS calls go to local emulators.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { SUMMARY_WINDOW_SECONDS } from '#core/settings';
import { formatStatusTime } from '#core/status-time';
import { startLocalServices } from '../local/runtime';
import { latestNodeRuntime, PROJECT_ROOT } from '../lib/constructs/wildrydes-function';
import {
  kinesisEvent,
  kinesisRecord,
  tumblingWindowEvent,
  unicornStatus,
} from '../lambda/shared/kinesis-events';
import { median, round } from './stats';

const run = promisify(execFile);

export interface BundleRow {
  readonly handler: string;
  readonly sdk: 'bundled' | 'runtime';
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** The deployment package compressed (bundle and source map, deflate as in a zip). */
  readonly zippedBytes: number;
  /** Median time to load the bundle: Lambda's init phase. */
  readonly loadMs: number;
  /** Median time of the first invocation after the load; undefined for a handler without a sample event. */
  readonly firstInvokeMs?: number;
  /** Median of load plus first invocation. */
  readonly coldStartMs?: number;
  readonly event?: string;
}

export interface BundleBenchResult {
  readonly target: string;
  readonly runs: number;
  readonly rows: BundleRow[];
}

/**
 * A typical first event for each handler, and what it does. Run `n` gets its own times, so
 * every run writes new items rather than finding the previous run's.
 */
const SAMPLE_EVENTS: Record<string, { what: string; event: (n: number) => object }> = {
  'aggregate-summaries': {
    what: '100 statuses, closing a window: 100 summaries put',
    event: () =>
      tumblingWindowEvent(
        Array.from({ length: 100 }, (_, i) => kinesisRecord(unicornStatus({ Name: `Unicorn-${i + 1}` }))),
        { final: true },
      ),
  },
  'persist-summaries': {
    what: '10 summaries written',
    event: (n) =>
      kinesisEvent(
        Array.from({ length: 10 }, (_, i) =>
          kinesisRecord({
            Name: `Unicorn-${i + 1}`,
            StatusTime: formatStatusTime(Date.UTC(2026, 10, 22, 10, n)),
            Distance: 1795.2,
            MinMagicPoints: 148,
            MaxMagicPoints: 161,
            MinHealthPoints: 139,
            MaxHealthPoints: 152,
            Records: SUMMARY_WINDOW_SECONDS,
            SummaryId: `shardId-000000000000:${i}`,
          }),
        ),
      ),
  },
  'sensor-processing': {
    what: '100 readings, closing a window: dedup, alerts put, aggregates added',
    event: (n) =>
      tumblingWindowEvent(
        Array.from({ length: 100 }, (_, i) =>
          kinesisRecord(
            {
              sensorId: `sensor-${(i % 10) + 1}`,
              eventTimestamp: Date.UTC(2026, 10, 22, 10, n, 0) + i * 10,
              ambientTemp: 20,
              measuredTemp: i % 4 === 0 ? 48.5 : 21,
              status: 'OK',
            },
            { partitionKey: `sensor-${(i % 10) + 1}` },
          ),
        ),
        { final: true, start: '2026-11-22T10:00:00Z', end: '2026-11-22T10:00:10Z' },
      ),
  },
  'sensor-csv': {
    what: '100 alerts turned into CSV',
    event: () => ({
      invocationId: 'bench',
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/bench',
      region: 'us-east-1',
      records: Array.from({ length: 100 }, (_, i) => ({
        recordId: String(i),
        approximateArrivalTimestamp: Date.UTC(2026, 10, 22, 10, 0, 0),
        data: Buffer.from(
          JSON.stringify({
            sensorId: `sensor-${i}`,
            eventTimestamp: Date.UTC(2026, 10, 22, 10, 0, 0),
            ambientTemp: 20,
            measuredTemp: 48.5,
          }),
        ).toString('base64'),
      })),
    }),
  },
};

/**
 * Runs in a fresh process: reads the event first (not timed), then times the bundle's load
 * and the first invocation, and prints both as the last line.
 */
const COLD_START_SCRIPT = `
const fs = require('node:fs');
const event = JSON.parse(fs.readFileSync(process.env.BENCH_EVENT || '/dev/null', 'utf8') || 'null');
const t0 = process.hrtime.bigint();
const mod = require(process.env.BENCH_BUNDLE);
const t1 = process.hrtime.bigint();
const ms = (a, b) => Number(b - a) / 1e6;
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 60000 };
(event ? Promise.resolve(mod.handler(event, context)) : Promise.resolve()).then(
  () => {
    const t2 = process.hrtime.bigint();
    process.stdout.write('\\nBENCH ' + JSON.stringify({ loadMs: ms(t0, t1), invokeMs: event ? ms(t1, t2) : null }) + '\\n');
    process.exit(0);
  },
  (error) => {
    process.stdout.write('\\nBENCH ' + JSON.stringify({ error: String(error && error.message || error) }) + '\\n');
    process.exit(1);
  },
);
`;

function handlerDirs(): string[] {
  return readdirSync(path.join(PROJECT_ROOT, 'lambda'))
    .filter((dir) => {
      try {
        return statSync(path.join(PROJECT_ROOT, 'lambda', dir, 'handler.ts')).isFile();
      } catch {
        return false;
      }
    })
    .sort();
}

async function coldStart(env: NodeJS.ProcessEnv): Promise<{ loadMs: number; invokeMs: number | null }> {
  const { stdout } = await run(process.execPath, ['-e', COLD_START_SCRIPT], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; message: string }) => ({ stdout: error.stdout ?? error.message }));
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('BENCH '));
  const result = line ? JSON.parse(line.slice('BENCH '.length)) : { error: stdout.slice(-300) };
  if (result.error) throw new Error(`cold start of ${env.BENCH_BUNDLE} failed: ${result.error}`);
  return result;
}

/**
 * Emulators with the streams and tables of the synthesized app, and the environment the
 * functions would get (template variables, local endpoints and credentials).
 */
async function functionsEnvironment(assemblyDir: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-bundles-'));
  const services = await startLocalServices({
    assemblyDir,
    dataDir,
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
    endpointPort: 0,
    limits: false,
  });
  const { stacks, region, access, emulators } = services;
  const environment: Record<string, string> = {};
  for (const stack of stacks) for (const fn of stack.functions) Object.assign(environment, fn.environment);
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) base[key] = value;
  return {
    env: {
      ...base,
      ...environment,
      TZ: 'UTC',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      ...access.roleEnvironment(undefined, 'bench'),
      AWS_ENDPOINT_URL: access.endpoint,
      AWS_ENDPOINT_URL_SQS: emulators.endpoints.sqs,
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
    },
    async stop() {
      await services.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function benchBundles(options: {
  assemblyDir: string;
  runs?: number;
}): Promise<BundleBenchResult> {
  const runs = options.runs ?? 9;
  const outRoot = mkdtempSync(path.join(tmpdir(), 'bench-bundles-'));
  const target = latestNodeRuntime().name.replace(/^nodejs(\d+)\.x$/, 'node$1');
  const functions = await functionsEnvironment(options.assemblyDir);
  const rows: BundleRow[] = [];
  try {
    for (const handler of handlerDirs()) {
      const sample = SAMPLE_EVENTS[handler];
      for (const sdk of ['bundled', 'runtime'] as const) {
        const outdir = path.join(outRoot, handler, sdk);
        mkdirSync(outdir, { recursive: true });
        const bundle = path.join(outdir, 'index.js');
        await build({
          entryPoints: [path.join(PROJECT_ROOT, 'lambda', handler, 'handler.ts')],
          outfile: bundle,
          bundle: true,
          platform: 'node',
          format: 'cjs',
          target,
          minify: true,
          sourcemap: true,
          sourcesContent: false,
          external: sdk === 'runtime' ? ['@aws-sdk/*'] : [],
          logLevel: 'silent',
        });
        const eventFile = path.join(outdir, 'event.json');
        const env = {
          ...functions.env,
          // As deployed (WildRydesFunction): stack traces through the source map.
          NODE_OPTIONS: '--enable-source-maps',
          // Where the "runtime's copy" variant finds @aws-sdk/*, as Lambda's NODE_PATH leads to the runtime's.
          NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'),
          BENCH_BUNDLE: bundle,
          ...(sample ? { BENCH_EVENT: eventFile } : {}),
        };
        const times: { loadMs: number; invokeMs: number | null }[] = [];
        for (let i = 0; i < runs; i++) {
          if (sample)
            writeFileSync(eventFile, JSON.stringify(sample.event(i + (sdk === 'runtime' ? runs : 0))));
          times.push(await coldStart(env));
        }
        const code = readFileSync(bundle);
        const map = readFileSync(`${bundle}.map`);
        const invokes = times.map((t) => t.invokeMs).filter((t): t is number => t !== null);
        rows.push({
          handler,
          sdk,
          bytes: code.length,
          sourceMapBytes: map.length,
          zippedBytes: deflateRawSync(code).length + deflateRawSync(map).length,
          loadMs: round(median(times.map((t) => t.loadMs)), 1),
          ...(sample
            ? {
                firstInvokeMs: round(median(invokes), 1),
                coldStartMs: round(median(times.map((t) => t.loadMs + (t.invokeMs ?? 0))), 1),
                event: sample.what,
              }
            : {}),
        });
      }
    }
  } finally {
    await functions.stop();
    rmSync(outRoot, { recursive: true, force: true });
  }
  return { target, runs, rows };
}
