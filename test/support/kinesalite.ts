import { CreateStreamCommand, KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AddressInfo } from 'node:net';
import { TEST_CREDENTIALS } from './dynalite';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (options: object) => import('node:http').Server;

/** A client for kinesalite: HTTP/1.1, placeholder credentials, no SDK retries (tests decide). */
export function emulatorClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

/** An in-memory Kinesis emulator on 127.0.0.1 with a free port; call `stop` when done. */
export async function startKinesalite() {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = emulatorClient(endpoint);
  return {
    endpoint,
    client,
    async createStream(name: string, shards = 1) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    },
    /** Every record of every shard, parents before children, in shard order. */
    async readAll(stream: string): Promise<(_Record & { ShardId: string })[]> {
      const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
      const all: (_Record & { ShardId: string })[] = [];
      for (const shard of shards) {
        let iterator = (
          await client.send(
            new GetShardIteratorCommand({
              StreamName: stream,
              ShardId: shard.ShardId,
              ShardIteratorType: 'TRIM_HORIZON',
            }),
          )
        ).ShardIterator;
        while (iterator) {
          const out = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
          all.push(...(out.Records ?? []).map((r) => ({ ...r, ShardId: shard.ShardId! })));
          if ((out.Records ?? []).length === 0) break;
          iterator = out.NextShardIterator;
        }
      }
      return all;
    },
    async stop() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

export type Kinesalite = Awaited<ReturnType<typeof startKinesalite>>;

/** The emulator of one suite, and new streams in it. */
export interface SuiteKinesalite extends Omit<Kinesalite, 'stop'> {
  /** Creates a stream named `<prefix>-<n>`, a name no other test of the suite has used. */
  newStream(prefix: string, shards?: number): Promise<string>;
}

/**
 * One kinesalite for the suite that calls this at its top level: started before its tests and
 * stopped after them. Its members are the started emulator's, so they are used inside tests.
 */
export function suiteKinesalite(): SuiteKinesalite {
  let started: Kinesalite | undefined;
  let streams = 0;
  beforeAll(async () => {
    started = await startKinesalite();
  });
  afterAll(() => started?.stop());
  const k = () => {
    if (!started) throw new Error('kinesalite starts before the suite: use it inside a test or hook');
    return started;
  };
  return {
    get endpoint() {
      return k().endpoint;
    },
    get client() {
      return k().client;
    },
    createStream: (name, shards) => k().createStream(name, shards),
    readAll: (stream) => k().readAll(stream),
    async newStream(prefix, shards = 1) {
      const name = `${prefix}-${streams++}`;
      await k().createStream(name, shards);
      return name;
    },
  };
}
