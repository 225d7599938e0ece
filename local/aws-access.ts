import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { IamEvaluator } from '../system/iam-evaluator';
import { LOCAL_ACCOUNT, type LocalStack } from './assembly';
import { startAwsEndpoint, type AwsEndpoint } from './aws/endpoint';
import { LocalIam } from './aws/iam';
import { dynamodbGuard, faultsService, kinesisGuard, s3Guard } from './aws/guards';
import { dynamodbService, kinesisService, type ObservedKinesisCall } from './aws/json-proxies';
import type { KinesisLimiter } from './aws/kinesis-limits';
import { CognitoIdentityService } from './aws/cognito-identity';
import { s3Service } from './aws/s3';
import { StsService } from './aws/sts';
import { WebIdentityTokens } from './aws/web-identity-token';
import type { AwsService, Decision } from './aws/service';
import type { LocalEndpoints } from './emulators';
import type { Faults } from './faults';
import { listenFailure } from './ports';

/**
 * The local run's one AWS endpoint and who may do what through it. Every service is reached
 * at one URL; an access key the endpoint did not issue is the local account's administrator
 * (the CLIs, the fleet, any SDK or AWS CLI with made-up keys), and the credentials it issues to
 * the functions, delivery streams and log agent act as their roles, every request decided by
 * IAM policy evaluation of the templates.
 */

/** The administrator's key for the runtime's own clients: any key the endpoint did not issue. */
export const ADMIN_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'LOCALADMINISTRATOR',
  secretAccessKey: 'local-administrator',
};

export { DEFAULT_ENDPOINT_PORT } from './ports';

/** Lambda and Firehose refresh their roles' credentials themselves; locally they last a week. */
const SERVICE_SESSION_SECONDS = 7 * 24 * 3600;

export interface LocalAws {
  readonly endpoint: string;
  readonly iam: LocalIam;
  /** Credentials of a session of `roleArn` that renew themselves before they expire. */
  roleCredentials(roleArn: string, sessionName: string): AwsCredentialIdentityProvider;
  /** IAM's decision on a session of `roleArn` doing `action` on `resource` (for calls AWS makes without an API request). */
  roleMay(roleArn: string | undefined, action: string, resource: string): Promise<Decision>;
  /** Fixed credentials of a session of `roleArn`, for a worker's environment. */
  roleEnvironment(roleArn: string | undefined, sessionName: string): Record<string, string>;
  /** Serves one more API at the endpoint (one made from what the templates declare, such as Firehose's). */
  mount(service: AwsService): void;
  stop(): Promise<void>;
}

export interface LocalAwsOptions {
  readonly port: number;
  readonly region: string;
  readonly emulators: LocalEndpoints;
  /** More services (SQS, Firehose, STS, …) beside the proxied emulators. */
  readonly services?: readonly AwsService[];
  /** Where Cognito keeps its identities across restarts. */
  readonly identitiesFile?: string;
  /** Sees every Kinesis call on a stream (the metrics Kinesis publishes). */
  readonly observeKinesis?: (call: ObservedKinesisCall) => void;
  /** Kinesis's per-shard limits, enforced at the endpoint. @default none */
  readonly limits?: KinesisLimiter;
  /** Faults injected at the endpoint, changed while it runs (`LocalFaults.*`). @default none */
  readonly faults?: Faults;
  readonly log: (message: string) => void;
  /**
   * Evaluate IAM on every request made with issued credentials. Off, every caller may do
   * anything (the bench measures what evaluation costs). @default true
   */
  readonly enforceIam?: boolean;
}

/** The emulators' APIs (Kinesis, DynamoDB, S3) behind the limits and faults given, then the other services. */
function endpointServices(options: LocalAwsOptions): AwsService[] {
  const { limits, faults } = options;
  return [
    kinesisService(() => options.emulators.kinesis, {
      observe: options.observeKinesis,
      around:
        limits || faults ? kinesisGuard({ limiter: limits, faults, accountId: LOCAL_ACCOUNT }) : undefined,
    }),
    dynamodbService(() => options.emulators.dynamodb, faults && dynamodbGuard(faults)),
    s3Service(() => options.emulators.s3, faults && s3Guard(faults)),
    ...(faults ? [faultsService(faults)] : []),
    ...(options.services ?? []),
  ];
}

/** The endpoint listening, callers looked up and authorized by the loaded IAM; or one line on why it cannot. */
function listen(
  options: LocalAwsOptions,
  services: AwsService[],
  loaded: () => LocalIam,
): Promise<AwsEndpoint> {
  return startAwsEndpoint({
    port: options.port,
    accountId: LOCAL_ACCOUNT,
    defaultRegion: options.region,
    services,
    callerOf: (accessKeyId, sessionToken) => {
      const found = loaded().lookup(accessKeyId, sessionToken);
      return 'caller' in found ? found.caller : undefined;
    },
    authorize:
      options.enforceIam === false
        ? async () => ({ allowed: true })
        : (caller, action, resource, context) => loaded().authorize(caller, action, resource, context),
    log: options.log,
  }).catch((error: NodeJS.ErrnoException) => {
    throw listenFailure('the AWS endpoint', options.port, error);
  });
}

/** The roles' side of the endpoint: their sessions' credentials, and IAM's decisions on them. */
function roleSessions(
  loaded: () => LocalIam,
): Pick<LocalAws, 'roleMay' | 'roleCredentials' | 'roleEnvironment'> {
  const issue = (roleArn: string, sessionName: string) =>
    loaded().issue(roleArn, sessionName, { durationSeconds: SERVICE_SESSION_SECONDS });
  return {
    roleMay: (roleArn, action, resource) =>
      roleArn
        ? loaded().authorize(
            { kind: 'role', accessKeyId: '', roleArn, arn: roleArn, sessionName: 'service' },
            action,
            resource,
            {},
          )
        : Promise.resolve({ allowed: false, reason: 'no role' }),
    roleCredentials: (roleArn, sessionName) => async () => {
      const issued = issue(roleArn, sessionName);
      return { ...issued, expiration: issued.expiration };
    },
    roleEnvironment(roleArn, sessionName): Record<string, string> {
      if (!roleArn) {
        return {
          AWS_ACCESS_KEY_ID: ADMIN_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: ADMIN_CREDENTIALS.secretAccessKey,
        };
      }
      const issued = issue(roleArn, sessionName);
      return {
        AWS_ACCESS_KEY_ID: issued.accessKeyId,
        AWS_SECRET_ACCESS_KEY: issued.secretAccessKey,
        AWS_SESSION_TOKEN: issued.sessionToken,
      };
    },
  };
}

/**
 * Starts the endpoint. The stacks are given later (`authorize`), because queue URLs and the like
 * in them name the endpoint, which exists only once it listens.
 */
export async function startLocalAws(
  options: LocalAwsOptions,
): Promise<LocalAws & { load(stacks: readonly LocalStack[]): void }> {
  let iam: LocalIam | undefined;
  const tokens = new WebIdentityTokens();
  const services = endpointServices(options);
  const loaded = () => {
    if (!iam) throw new Error('The local endpoint has no templates loaded yet');
    return iam;
  };
  const endpoint = await listen(options, services, loaded);
  return {
    endpoint: endpoint.url,
    get iam() {
      return loaded();
    },
    mount(service) {
      services.push(service);
    },
    // The identity services need the templates' roles and pools: they join once those are loaded.
    load(stacks) {
      const authority = new LocalIam(new IamEvaluator(stacks, LOCAL_ACCOUNT), LOCAL_ACCOUNT);
      iam = authority;
      services.push(
        new StsService({ authority, tokens, log: options.log }),
        new CognitoIdentityService({
          pools: stacks.flatMap((s) => s.iam.identityPools),
          authority,
          tokens,
          identitiesFile: options.identitiesFile,
          log: options.log,
        }),
      );
    },
    ...roleSessions(loaded),
    stop: () => endpoint.stop(),
  };
}

export interface LocalClients {
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  destroy(): void;
}

/**
 * SDK clients for the endpoint: Kinesis over HTTP/1.1 (the SDK's HTTP/2 default is for
 * SubscribeToShard), S3 path-style (the endpoint is an IP address).
 */
export function localClients(
  region: string,
  endpoint: string,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider = ADMIN_CREDENTIALS,
): LocalClients {
  const common = { region, credentials, endpoint };
  // Lambda's and Firehose's pollers wait out a shard's read limit and read on: the SDK's
  // throttling back-off (from 500 ms), over more attempts than its default three.
  const kinesis = new KinesisClient({ ...common, requestHandler: new NodeHttpHandler(), maxAttempts: 8 });
  const dynamodb = new DynamoDBClient(common);
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const sqs = new SQSClient(common);
  return {
    kinesis,
    dynamodb,
    s3,
    sqs,
    destroy() {
      kinesis.destroy();
      dynamodb.destroy();
      s3.destroy();
      sqs.destroy();
    },
  };
}
