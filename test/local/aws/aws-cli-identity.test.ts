/**
 * Debian's AWS CLI v2 against the local endpoint: STS over the query protocol (signed with
 * made-up credentials, and unsigned for AssumeRoleWithWebIdentity) and Cognito Identity over
 * JSON 1.1, unsigned. The CI installs it (`apt-get install awscli`); without it this fails.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { cleanEnv } from '../../support/run-command';
import { ACCOUNT, GUEST_ROLE, POOL, startIdentityEndpoint } from './identity-endpoint';

const AWS = '/usr/bin/aws';

let env: Awaited<ReturnType<typeof startIdentityEndpoint>>;
beforeAll(async () => {
  env = await startIdentityEndpoint();
});
afterAll(() => env.endpoint.stop());

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  if (!existsSync(AWS)) {
    throw new Error(`The AWS CLI v2 is not installed at ${AWS}: install it with \`apt-get install awscli\``);
  }
  const { stdout } = await promisify(execFile)(
    AWS,
    [...args, '--endpoint-url', env.endpoint.url, '--output', 'json'],
    {
      env: cleanEnv({
        AWS_ACCESS_KEY_ID: 'anything',
        AWS_SECRET_ACCESS_KEY: 'anything',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
      }),
    },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('the AWS CLI against the local endpoint', () => {
  it('gets the caller identity over the query protocol', async () => {
    expect(await aws('sts', 'get-caller-identity')).toEqual({
      UserId: ACCOUNT,
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:root`,
    });
  });

  it("runs the dashboard's guest flow unsigned: get-id, get-open-id-token, assume-role-with-web-identity", async () => {
    const { IdentityId } = await aws(
      'cognito-identity',
      'get-id',
      '--identity-pool-id',
      POOL,
      '--no-sign-request',
    );
    expect(IdentityId).toMatch(/^us-east-1:[0-9a-f-]{36}$/);
    const { Token } = await aws(
      'cognito-identity',
      'get-open-id-token',
      '--identity-id',
      String(IdentityId),
      '--no-sign-request',
    );
    const out = await aws(
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      GUEST_ROLE,
      '--role-session-name',
      'cli',
      '--web-identity-token',
      String(Token),
      '--no-sign-request',
    );
    expect(out).toMatchObject({
      Credentials: { AccessKeyId: env.fake.issued.at(-1)!.credentials.accessKeyId },
      SubjectFromWebIdentityToken: IdentityId,
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DashboardGuest/cli` },
      Audience: POOL,
    });
  });
});
