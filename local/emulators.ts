import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DEFAULT_PORTS } from './ports';
import { startSqsStandIn, type SqsStandIn } from './sqs-standin';
/* eslint-disable @typescript-eslint/no-require-imports */
const kinesalite = require('kinesalite') as (options: object) => Server;
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
  readonly sqs: SqsStandIn;
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
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${port} for ${what} is in use: is another local pipeline running? (stop it, or pass --port-base)`
            : `${what} could not listen on 127.0.0.1:${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts the service emulators from npm on 127.0.0.1: kinesalite (Kinesis), dynalite (DynamoDB),
 * s3rver (S3) and the SQS stand-in, each keeping its data under `dataDir`.
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
  try {
    const kinesisServer = kinesalite({
      path: dir('kinesis'),
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: 500,
    });
    const kinesis = await listen(kinesisServer, ports.kinesis, 'the Kinesis emulator');
    started.push(() => close(kinesisServer));

    const dynamoServer = dynalite({
      path: dir('dynamodb'),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    const dynamodb = await listen(dynamoServer, ports.dynamodb, 'the DynamoDB emulator');
    started.push(() => close(dynamoServer));

    const s3 = new S3rver({ address: '127.0.0.1', port: ports.s3, silent: true, directory: dir('s3') });
    let s3Address: AddressInfo;
    try {
      s3Address = await s3.run();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'EADDRINUSE'
          ? `Port ${ports.s3} for the S3 emulator is in use: is another local pipeline running?`
          : `The S3 emulator could not start: ${(error as Error).message}`,
      );
    }
    started.push(async () => {
      s3.httpServer.closeAllConnections?.();
      await s3.close();
    });

    const sqs = await startSqsStandIn({ port: ports.sqs, dir: dir('sqs') }).catch(
      (error: NodeJS.ErrnoException) => {
        throw new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${ports.sqs} for the SQS stand-in is in use: is another local pipeline running?`
            : `The SQS stand-in could not start: ${error.message}`,
        );
      },
    );
    started.push(() => sqs.stop());

    const endpoints = {
      kinesis,
      dynamodb,
      s3: `http://127.0.0.1:${s3Address.port}`,
      sqs: sqs.endpoint,
    };
    return { endpoints, sqs, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
