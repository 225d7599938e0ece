import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LOCAL_ACCOUNT } from './assembly';
import { startAwsEndpoint } from './aws/endpoint';
import { sqsService, type SqsService } from './aws/sqs';
import { DEFAULT_PORTS, listenFailure } from './ports';
import { makeS3rverWritesAtomic } from './s3rver-atomic';
/* eslint-disable @typescript-eslint/no-require-imports */
const dynalite = require('dynalite') as (options: object) => Server;
const S3rver = require('s3rver') as new (options: object) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer: Server;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Where each emulated service listens. */
export interface LocalEndpoints {
  readonly kinesis: string;
  readonly dynamodb: string;
  readonly s3: string;
  readonly sqs: string;
}

export interface Emulators {
  readonly endpoints: LocalEndpoints;
  readonly sqs: SqsService;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Data folder; each service keeps its data in a subfolder, so it survives restarts. */
  readonly dataDir: string;
  /** Ports for kinesis, dynamodb, s3 and sqs; 0 picks free ones. */
  readonly ports?: Partial<Record<keyof LocalEndpoints, number>>;
}

export { DEFAULT_PORTS } from './ports';

async function listen(server: Server, port: number, what: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenFailure(what, port, error)));
    server.listen(port, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** One emulator listening: its URL, and how to stop it. */
interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

/** What the emulator thread answers (local/emulator-worker.cjs). */
interface ThreadReply {
  readonly started?: boolean;
  readonly url?: string;
  readonly error?: { readonly code?: string; readonly message: string };
  readonly stopped?: boolean;
}

/**
 * kinesalite on a thread of its own: every record the pipeline moves is put, read and stored
 * there, beside the endpoint, the event sources and the delivery streams on the main thread. It
 * listens on its port as before; only the thread it runs on differs.
 */
function emulatorThread() {
  const worker = new Worker(path.join(__dirname, 'emulator-worker.cjs'));
  const waiting: { resolve(reply: ThreadReply): void; reject(error: Error): void }[] = [];
  let stopping = false;
  worker.on('message', (reply: ThreadReply) => waiting.shift()?.resolve(reply));
  const fail = (error: Error) => {
    if (waiting.length === 0) throw error; // as it would, were the emulators on the main thread
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (!stopping) fail(new Error(`The Kinesis emulator stopped (exit code ${code})`));
  });
  const ask = (message: object) =>
    new Promise<ThreadReply>((resolve, reject) => {
      waiting.push({ resolve, reject });
      worker.postMessage(message);
    });
  return {
    async start(dir: string, port: number, what: string): Promise<string> {
      const reply = await ask({ start: true, dir, port });
      if (!reply.error) return reply.url!;
      throw listenFailure(what, port, reply.error);
    },
    /** Closes the emulator (its LevelDB store first), then ends the thread. */
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      await ask({ stop: true }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

/**
 * dynalite stays on the main thread, beside the endpoint: a DynamoDB call is small, and the
 * persistence function makes its calls one after another, so each thread a call crosses would
 * add a wait for a CPU to every summary it stores.
 */
async function startDynalite(dir: string, port: number): Promise<Running> {
  const server = dynalite({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return { url: await listen(server, port, 'the DynamoDB emulator'), stop: () => close(server) };
}

async function startS3rver(dir: string, port: number): Promise<Running> {
  // The AWS endpoint in front decides who may do what and hands s3rver its own key; s3rver is
  // not to check signatures it cannot (the client signed with its own key). Objects are written
  // whole or not at all.
  makeS3rverWritesAtomic();
  const s3 = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: dir,
    allowMismatchedSignatures: true,
  });
  let address: AddressInfo;
  try {
    address = await s3.run();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw e.code === 'EADDRINUSE'
      ? listenFailure('the S3 emulator', port, e)
      : new Error(`The S3 emulator could not start: ${e.message}`);
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    async stop() {
      s3.httpServer.closeAllConnections?.();
      await s3.close();
    },
  };
}

/** The SQS service on a port of its own as well, where every key is the account's administrator. */
async function startSqsPort(sqs: SqsService, port: number): Promise<Running> {
  const endpoint = await startAwsEndpoint({
    port,
    services: [sqs],
    accountId: LOCAL_ACCOUNT,
    defaultRegion: 'us-east-1',
    callerOf: (accessKeyId) => ({
      kind: 'administrator',
      accessKeyId,
      arn: `arn:aws:iam::${LOCAL_ACCOUNT}:root`,
    }),
    authorize: async () => ({ allowed: true }),
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? listenFailure('the SQS service', port, error)
      : new Error(`The SQS service could not start: ${error.message}`);
  });
  return { url: endpoint.url, stop: () => endpoint.stop() };
}

/**
 * Starts the service emulators from npm on 127.0.0.1: kinesalite (Kinesis), dynalite (DynamoDB),
 * s3rver (S3), and the local SQS service, each keeping its data under `dataDir`. The one AWS
 * endpoint (local/aws-access.ts) stands in front of them.
 */
export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const dir = (name: string) => {
    const d = path.join(options.dataDir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };
  const started: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  const start = async (running: Promise<Running>) => {
    const { url, stop } = await running;
    started.push(stop);
    return url;
  };
  try {
    const thread = emulatorThread();
    started.push(() => thread.stop());
    const kinesis = await thread.start(dir('kinesis'), ports.kinesis, 'the Kinesis emulator');
    const dynamodb = await start(startDynalite(dir('dynamodb'), ports.dynamodb));
    const s3 = await start(startS3rver(dir('s3'), ports.s3));
    const sqs = sqsService({ dir: dir('sqs'), accountId: LOCAL_ACCOUNT });
    started.push(async () => sqs.close());
    const sqsUrl = await start(startSqsPort(sqs, ports.sqs));
    return { endpoints: { kinesis, dynamodb, s3, sqs: sqsUrl }, sqs, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
