import { createHmac } from 'node:crypto';
import { RoleSessions, uniqueId } from '../../../local/aws/role-sessions';
import type { AwsRequest, Caller } from '../../../local/aws/service';
import { StsService } from '../../../local/aws/sts';
import { WebIdentityTokens } from '../../../local/aws/web-identity-token';
import { fakeClock } from '../../support/fake-clock';
import { fakeIdentityAuthority } from '../../support/fake-identity-authority';

const ACCOUNT = '000000000000';
const POOL = 'us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

describe('web identity tokens', () => {
  it('verify what they signed until the last second of their ten minutes', () => {
    const issuedAt = Date.UTC(2026, 10, 30, 12, 0, 0);
    const clock = fakeClock(issuedAt);
    const tokens = new WebIdentityTokens({ now: clock.now });
    const token = tokens.sign({ sub: 'us-east-1:abc', aud: POOL, amr: ['unauthenticated'] });
    clock.advance(599_999);
    expect(tokens.verify(token)).toMatchObject({
      valid: true,
      claims: {
        sub: 'us-east-1:abc',
        aud: POOL,
        amr: ['unauthenticated'],
        iss: 'https://cognito-identity.amazonaws.com',
      },
    });
    clock.advance(1);
    expect(tokens.verify(token)).toEqual({
      valid: false,
      code: 'ExpiredTokenException',
      message: `Token expired: current date/time ${issuedAt / 1000 + 600} must be before the expiration date/time ${issuedAt / 1000 + 600}`,
    });
  });

  it('refuse tokens of other issuers, even correctly signed', () => {
    const key = Buffer.alloc(32, 7);
    const tokens = new WebIdentityTokens({ key });
    const [header] = tokens.sign({ sub: 's', aud: POOL, amr: [] }).split('.');
    const payload = Buffer.from(
      JSON.stringify({ iss: 'https://accounts.google.com', sub: 's', aud: 'a', amr: [], exp: 4e9 }),
    ).toString('base64url');
    const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    expect(tokens.verify(`${header}.${payload}.${signature}`)).toEqual({
      valid: false,
      code: 'InvalidIdentityToken',
      message: 'No OpenIDConnect provider found in your account for https://accounts.google.com',
    });
  });
});

describe('role sessions', () => {
  const role = {
    arn: `arn:aws:iam::${ACCOUNT}:role/Guest`,
    name: 'Guest',
    roleId: uniqueId('AROA', 'Guest'),
    trustPolicy: { Statement: [] },
    maxSessionSeconds: 3600,
  };

  it('make the keys they issued sign as the session, and any other key as the administrator', () => {
    const clock = fakeClock(Date.UTC(2026, 10, 30, 12, 0, 0, 250));
    const sessions = new RoleSessions({ accountId: ACCOUNT, now: clock.now });
    const policy = { Statement: [{ Effect: 'Allow', Action: 'firehose:*', Resource: '*' }] };
    const issued = sessions.issue(role, 'visitor', { durationSeconds: 900, sessionPolicy: policy });
    expect(issued.expiration).toEqual(new Date(Date.UTC(2026, 10, 30, 12, 15, 0)));
    expect(issued.assumedRoleId).toBe(`${role.roleId}:visitor`);
    expect(sessions.find(issued.accessKeyId)?.sessionPolicy).toBe(policy);
    expect(sessions.callerOf(issued.accessKeyId)).toEqual({
      kind: 'role',
      accessKeyId: issued.accessKeyId,
      roleArn: role.arn,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Guest/visitor`,
      sessionName: 'visitor',
    });
    expect(sessions.callerOf('AKIAEXAMPLE')).toEqual({
      kind: 'administrator',
      accessKeyId: 'AKIAEXAMPLE',
      arn: `arn:aws:iam::${ACCOUNT}:root`,
    });
  });
});

describe('GetCallerIdentity', () => {
  const ask = async (caller: Caller) => {
    const { authority } = fakeIdentityAuthority({ accountId: ACCOUNT, roles: [] });
    const sts = new StsService({ authority, tokens: new WebIdentityTokens() });
    const request: AwsRequest = {
      service: 'sts',
      region: 'us-east-1',
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'),
      caller,
      accountId: ACCOUNT,
      endpoint: 'http://127.0.0.1:1',
      signal: new AbortController().signal,
      authorize: async () => ({ allowed: true }),
    };
    const response = await sts.handle(request);
    return { status: response.status, body: String(response.body) };
  };

  it("answers an IAM user's stable AIDA id, as AWS does", async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:user/workshop-admin`;
    const { body } = await ask({ kind: 'administrator', accessKeyId: 'AKIA1', arn });
    const userId = uniqueId('AIDA', arn);
    expect(userId).toMatch(/^AIDA[A-Z2-7]{16}$/);
    expect(body).toContain(`<UserId>${userId}</UserId><Account>${ACCOUNT}</Account><Arn>${arn}</Arn>`);
  });

  it('refuses an unsigned request', async () => {
    const { status, body } = await ask({ kind: 'anonymous' });
    expect(status).toBe(403);
    expect(body).toContain('<Code>MissingAuthenticationToken</Code>');
  });
});
