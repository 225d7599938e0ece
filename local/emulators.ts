import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { LOCAL_ACCOUNT } from './assembly';
import { startAwsEndpoint } from './aws/endpoint';
import { sqsService, type SqsService } from './aws/sqs';
import { DEFAULT_PORTS } from './ports';
import { makeS3rverWritesAtomic } from './s3rver-atomic';
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
 * s3rver (S3), and the local SQS service behind an AWS endpoint, each keeping its data under
 * `dataDir`.
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

    // The AWS endpoint in front decides who may do what and hands s3rver its own key; s3rver is
    // not to check signatures it cannot (the client signed with its own key).
    makeS3rverWritesAtomic();
    const s3 = new S3rver({
      address: '127.0.0.1',
      port: ports.s3,
      silent: true,
      directory: dir('s3'),
      allowMismatchedSignatures: true,
    });
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

    const sqs = sqsService({ dir: dir('sqs'), accountId: LOCAL_ACCOUNT });
    started.push(async () => sqs.close());
    const sqsEndpoint = await startAwsEndpoint({
      port: ports.sqs,
      services: [sqs],
      accountId: LOCAL_ACCOUNT,
      defaultRegion: 'us-east-1',
      // Until the one shared endpoint with IAM takes it over: every key is the account's administrator.
      callerOf: (accessKeyId) => ({
        kind: 'administrator',
        accessKeyId,
        arn: `arn:aws:iam::${LOCAL_ACCOUNT}:root`,
      }),
      authorize: async () => ({ allowed: true }),
    }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(
        error.code === 'EADDRINUSE'
          ? `Port ${ports.sqs} for the SQS service is in use: is another local pipeline running?`
          : `The SQS service could not start: ${error.message}`,
      );
    });
    started.push(() => sqsEndpoint.stop());

    const endpoints = {
      kinesis,
      dynamodb,
      s3: `http://127.0.0.1:${s3Address.port}`,
      sqs: sqsEndpoint.url,
    };
    return { endpoints, sqs, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
