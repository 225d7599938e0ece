import { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Clock } from '#core/shard-follower';
import { startAwsEndpoint, type AwsEndpoint } from '../../local/aws/endpoint';
import type { Decision } from '../../local/aws/service';
import { sqsService, type SqsService } from '../../local/aws/sqs';
import { TEST_CREDENTIALS } from './dynalite';

export const ACCOUNT = '000000000000';

export interface LocalSqs {
  readonly service: SqsService;
  readonly endpoint: AwsEndpoint;
  readonly client: SQSClient;
  readonly dir: string;
  /** Every authorization asked for, as `action resource`. */
  readonly authorized: string[];
  queueUrl(name: string): string;
  stop(): Promise<void>;
}

/**
 * The SQS service in a local AWS endpoint on a free port, with an SDK client for it. Every
 * key is the account's administrator; `deny` refuses chosen actions on chosen resources.
 */
export async function startLocalSqs(
  options: {
    dir?: string;
    clock?: Clock;
    deny?: (action: string, resource: string) => boolean;
  } = {},
): Promise<LocalSqs> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'sqs-'));
  const service = sqsService({ dir, clock: options.clock });
  const authorized: string[] = [];
  const endpoint = await startAwsEndpoint({
    port: 0,
    services: [service],
    accountId: ACCOUNT,
    defaultRegion: 'us-east-1',
    callerOf: (key) => ({ kind: 'administrator', accessKeyId: key, arn: `arn:aws:iam::${ACCOUNT}:root` }),
    authorize: async (_caller, action, resource): Promise<Decision> => {
      authorized.push(`${action} ${resource}`);
      return options.deny?.(action, resource)
        ? { allowed: false, reason: 'denied by the test' }
        : { allowed: true };
    },
  });
  const client = new SQSClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
  });
  return {
    service,
    endpoint,
    client,
    dir,
    authorized,
    queueUrl: (name) => `${endpoint.url}/${ACCOUNT}/${name}`,
    stop: async () => {
      client.destroy();
      await endpoint.stop();
      service.close();
    },
  };
}

/**
 * A query-protocol request, as the AWS CLI sends it (a form-encoded POST). It carries the
 * credential scope the endpoint routes by; the local endpoint does not check signatures.
 */
export async function queryRequest(
  url: string,
  params: Record<string, string>,
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20170605/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}
