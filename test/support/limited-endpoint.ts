import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { LocalStack } from '../../local/assembly';
import { startLocalAws, type LocalAws } from '../../local/aws-access';
import { KinesisLimiter } from '../../local/aws/kinesis-limits';
import type { Faults } from '../../local/faults';
import { TEST_CREDENTIALS } from './dynalite';
import { startKinesalite, type Kinesalite } from './kinesalite';

/**
 * The local endpoint in front of kinesalite (and, when given, dynalite) with no templates
 * loaded: every caller is the account's administrator. Kinesis limits on unless `limits` is
 * false, on the limiter's clock; faults when given.
 */
export async function startLimitedEndpoint(
  options: {
    limits?: boolean;
    now?: () => number;
    faults?: Faults;
    dynamodb?: string;
    s3?: string;
    stacks?: readonly LocalStack[];
    port?: number;
    kinesalite?: Kinesalite;
  } = {},
) {
  const kinesalite = options.kinesalite ?? (await startKinesalite());
  const limiter = options.limits === false ? undefined : new KinesisLimiter(options.now ?? Date.now);
  const start = (port: number) =>
    startLocalAws({
      port,
      region: 'us-east-1',
      emulators: {
        kinesis: kinesalite.endpoint,
        dynamodb: options.dynamodb ?? '',
        s3: options.s3 ?? '',
        sqs: '',
      },
      limits: limiter,
      faults: options.faults,
      log: () => undefined,
    }).then((aws) => {
      aws.load(options.stacks ?? []);
      return aws;
    });
  let aws: LocalAws = await start(options.port ?? 0);
  const port = Number(new URL(aws.endpoint).port);
  const clients: KinesisClient[] = [];
  return {
    kinesalite,
    limiter,
    get access() {
      return aws;
    },
    get endpoint() {
      return aws.endpoint;
    },
    /** An SDK client for the endpoint; `maxAttempts` 1 unless given (tests decide about retries). */
    client(maxAttempts = 1) {
      const client = new KinesisClient({
        endpoint: aws.endpoint,
        region: 'us-east-1',
        credentials: TEST_CREDENTIALS,
        requestHandler: new NodeHttpHandler(),
        maxAttempts,
      });
      clients.push(client);
      return client;
    },
    /** Stops the endpoint (the emulator keeps its data). */
    async down() {
      await aws.stop();
    },
    /** Starts it again on the same port. */
    async up() {
      aws = await start(port);
    },
    async stop() {
      clients.forEach((c) => c.destroy());
      await aws.stop().catch(() => undefined);
      if (!options.kinesalite) await kinesalite.stop();
    },
  };
}

export type LimitedEndpoint = Awaited<ReturnType<typeof startLimitedEndpoint>>;
