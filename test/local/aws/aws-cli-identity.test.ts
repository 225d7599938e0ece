/**
 * Debian's AWS CLI v2 against the local endpoint: STS over the query protocol (signed with
 * made-up credentials, and unsigned for AssumeRoleWithWebIdentity) and Cognito Identity over
 * JSON 1.1, unsigned. The CI installs it (`apt-get install awscli`); without it this fails.
 */
import { awsCliJson } from '../../support/aws-cli';
import { ACCOUNT, GUEST_ROLE, POOL, startIdentityEndpoint } from './identity-endpoint';

let env: Awaited<ReturnType<typeof startIdentityEndpoint>>;
beforeAll(async () => {
  env = await startIdentityEndpoint();
});
afterAll(() => env.endpoint.stop());

const aws = (...args: string[]) => awsCliJson(env.endpoint.url, args);

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
