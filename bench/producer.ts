/**
 * The producer command as users run it, in its own process: records per second it gets into a
 * local Kinesis emulator with a fleet of 1,000 unicorns, at a few rates and flat out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { round } from './stats';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (options: object) => Server;

const ROOT = path.resolve(__dirname, '..');

export interface ProducerRun {
  readonly fleet: number;
  /** Records per second per unicorn asked for. */
  readonly rate: number;
  readonly targetPerSecond: number;
  readonly sent: number;
  readonly failed: number;
  readonly retried: number;
  /** The producer's own time from its first record to its last acknowledgement. */
  readonly seconds: number;
  readonly perSecond: number;
}

/**
 * An environment without AWS settings (no credentials, profile or region reach the process),
 * so nothing can leave 127.0.0.1 and a running `npm start` is not picked up.
 */
function isolatedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_')) env[key] = value;
  return {
    ...env,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    WILDRYDES_ENDPOINTS_FILE: 'none',
  };
}

/** Runs `producer --fleet N --rate R --duration S --quiet` against `endpoint` and reads its summary line. */
export async function runProducerProcess(options: {
  endpoint: string;
  stream: string;
  fleet: number;
  rate: number;
  seconds: number;
}): Promise<ProducerRun> {
  const args = [
    path.join(ROOT, 'bin', 'producer.cjs'),
    '--stream',
    options.stream,
    '--fleet',
    String(options.fleet),
    '--rate',
    String(options.rate),
    '--duration',
    String(options.seconds),
    '--seed',
    '1',
    '--quiet',
    '--endpoint-url',
    options.endpoint,
    '--region',
    'us-east-1',
  ];
  const home = mkdtempSync(path.join(tmpdir(), 'bench-home-'));
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: isolatedEnv(home),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  rmSync(home, { recursive: true, force: true });
  const summary = /sent (\d+), retried (\d+), failed (\d+).* in ([\d.]+) s/.exec(stderr);
  if (!summary) throw new Error(`producer exited with ${code} without a summary: ${stderr.trim()}`);
  const [sent, retried, failed, seconds] = summary.slice(1).map(Number);
  return {
    fleet: options.fleet,
    rate: options.rate,
    targetPerSecond: options.fleet * options.rate,
    sent,
    failed,
    retried,
    seconds,
    perSecond: round(sent / seconds),
  };
}

/** An in-memory kinesalite with one stream, on a free port. */
export async function startStreamEmulator(stream: string, shards = 1) {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  client.destroy();
  return {
    endpoint,
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ProducerBenchResult {
  readonly emulator: string;
  readonly runs: ProducerRun[];
}

/**
 * `producer --fleet 1000` at each rate per unicorn for `seconds`, each run on a fresh stream
 * (the emulator keeps every record in memory). At 20 records/s per unicorn the producer
 * cannot keep up, so that run measures it flat out: it queues what it cannot send yet and
 * reports what it sent over the time it took, flushing included.
 */
export async function benchProducer(
  rates: readonly number[] = [1, 5, 20],
  seconds = 6,
  fleet = 1_000,
): Promise<ProducerBenchResult> {
  const runs: ProducerRun[] = [];
  for (const rate of rates) {
    const emulator = await startStreamEmulator('wildrydes');
    try {
      runs.push(
        await runProducerProcess({ endpoint: emulator.endpoint, stream: 'wildrydes', fleet, rate, seconds }),
      );
    } finally {
      await emulator.stop();
    }
  }
  return { emulator: 'kinesalite in memory, 1 shard, in the bench process', runs };
}
