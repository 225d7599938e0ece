import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmulators } from '../../local/emulators';

/** A port in use makes the emulators' start fail with one line a person can act on. */

let taken: Server;
let port: number;
let dataDir: string;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  port = (taken.address() as AddressInfo).port;
  dataDir = mkdtempSync(path.join(tmpdir(), 'emulator-ports-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

it.each([
  ['kinesis', 'the Kinesis emulator'],
  ['dynamodb', 'the DynamoDB emulator'],
] as const)('names the port in use for %s and what to do', async (service, what) => {
  const ports = { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0, [service]: port };
  await expect(startEmulators({ dataDir, ports })).rejects.toThrow(
    `Port ${port} for ${what} is in use: is another local pipeline running? (stop it, or pass --port-base)`,
  );
});
