import {
  CognitoIdentityClient,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  ListIdentityPoolsCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type AssumeRoleCommandInput,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { AwsJson1_0Protocol } from '@aws-sdk/core/protocols';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { guestCredentials, ROLE_SESSION_NAME } from '../../../dashboard/src/credentials';
import { UNAUTHENTICATED_SESSION_POLICY } from '../../../local/aws/cognito-identity';
import { WebIdentityTokens } from '../../../local/aws/web-identity-token';
import {
  ACCOUNT,
  DEPLOYER_ROLE,
  ENHANCED_GUEST_ROLE,
  ENHANCED_POOL,
  GUEST_ROLE,
  MISCONFIGURED_POOL,
  NO_GUESTS_POOL,
  OPERATOR_EXTERNAL_ID,
  OPERATOR_ROLE,
  OTHER_POOL,
  POOL,
  REGION,
  roleArn,
  startIdentityEndpoint,
} from './identity-endpoint';

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const ADMIN: Credentials = { accessKeyId: 'anything', secretAccessKey: 'anything' };

let env: Awaited<ReturnType<typeof startIdentityEndpoint>>;
beforeAll(async () => {
  env = await startIdentityEndpoint();
});
afterAll(() => env.endpoint.stop());

/** Clients without credentials send the operations that need none unsigned, as the browser does. */
const sts = (credentials?: Credentials | (() => Promise<Credentials>)) =>
  new STSClient({ region: REGION, endpoint: env.endpoint.url, ...(credentials ? { credentials } : {}) });
const cognito = (credentials?: Credentials) =>
  new CognitoIdentityClient({
    region: REGION,
    endpoint: env.endpoint.url,
    ...(credentials ? { credentials } : {}),
  });

async function guestToken(poolId: string) {
  const client = cognito();
  const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: poolId }));
  const { Token } = await client.send(new GetOpenIdTokenCommand({ IdentityId }));
  return { identityId: IdentityId!, token: Token! };
}

const assumeGuest = (token: string, role = GUEST_ROLE) =>
  sts().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: role,
      RoleSessionName: ROLE_SESSION_NAME,
      WebIdentityToken: token,
    }),
  );

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

const credentialsOf = (c: {
  AccessKeyId?: string;
  SecretAccessKey?: string;
  SecretKey?: string;
  SessionToken?: string;
}) => ({
  accessKeyId: c.AccessKeyId!,
  secretAccessKey: (c.SecretAccessKey ?? c.SecretKey)!,
  sessionToken: c.SessionToken!,
});

const callerIdentity = async (credentials: Credentials | (() => Promise<Credentials>)) => {
  const { Account, Arn, UserId } = await sts(credentials).send(new GetCallerIdentityCommand({}));
  return { Account, Arn, UserId };
};

describe("the dashboard's guest flow: Cognito's basic flow, then STS", () => {
  it('gives credentials for the guest role, recorded by the authority, that sign as its session', async () => {
    const { identityId, token } = await guestToken(POOL);
    expect(identityId).toMatch(/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const claims = claimsOf(token);
    expect(claims).toMatchObject({
      iss: 'https://cognito-identity.amazonaws.com',
      aud: POOL,
      sub: identityId,
      amr: ['unauthenticated'],
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);

    const before = Date.now();
    const out = await assumeGuest(token);
    const issued = env.fake.issued.at(-1)!;
    expect(issued).toMatchObject({ roleArn: GUEST_ROLE, sessionName: ROLE_SESSION_NAME });
    expect(issued.options?.sessionPolicy).toBeUndefined();
    const roleId = env.fake.authority.role(GUEST_ROLE)!.roleId;
    expect(out).toMatchObject({
      Credentials: {
        AccessKeyId: issued.credentials.accessKeyId,
        SessionToken: issued.credentials.sessionToken,
      },
      SubjectFromWebIdentityToken: identityId,
      Audience: POOL,
      Provider: 'cognito-identity.amazonaws.com',
      AssumedRoleUser: {
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DashboardGuest/${ROLE_SESSION_NAME}`,
        AssumedRoleId: `${roleId}:${ROLE_SESSION_NAME}`,
      },
    });
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    const after = Date.now();
    // STS gives whole seconds: an hour from the second the request was served in.
    const second = (ms: number) => Math.floor(ms / 1000) * 1000;
    const expiration = out.Credentials!.Expiration!.getTime();
    expect(expiration % 1000).toBe(0);
    expect(expiration).toBeGreaterThanOrEqual(second(before) + 3600_000);
    expect(expiration).toBeLessThanOrEqual(second(after) + 3600_000);

    expect(await callerIdentity(credentialsOf(out.Credentials!))).toEqual({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/DashboardGuest/${ROLE_SESSION_NAME}`,
      UserId: `${roleId}:${ROLE_SESSION_NAME}`,
    });
  });

  it("works with the dashboard's own credential provider, unchanged", async () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
    // A browser that remembers an identity this endpoint never handed out gets a fresh one.
    items.set(`wildrydes-dashboard:identity:${POOL}`, 'us-east-1:00000000-0000-4000-8000-000000000000');
    const provide = guestCredentials({
      identityPoolId: POOL,
      roleArn: GUEST_ROLE,
      cognito: cognito(),
      sts: sts(),
      storage,
    });
    const first = await provide();
    expect(first.accessKeyId).toBe(env.fake.issued.at(-1)!.credentials.accessKeyId);
    const identity = [...items.values()][0];
    expect(identity).not.toBe('us-east-1:00000000-0000-4000-8000-000000000000');

    const second = await provide();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect([...items.values()]).toEqual([identity]);
    expect((await callerIdentity(provide)).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/DashboardGuest/${ROLE_SESSION_NAME}`,
    );
  });

  it('reaches STS unsigned by the query Version alone, as the browser sends AssumeRoleWithWebIdentity', async () => {
    const { token } = await guestToken(POOL);
    const response = await fetch(env.endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: GUEST_ROLE,
        RoleSessionName: 'raw',
        WebIdentityToken: token,
      }).toString(),
    });
    expect(response.status).toBe(200);
    const xml = await response.text();
    expect(xml).toContain(
      '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    );
    expect(xml).toMatch(/<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/);
  });
});

describe('web identity denials', () => {
  it('refuses a token of another pool: the trust policy names this pool as audience', async () => {
    const { token } = await guestToken(OTHER_POOL);
    const count = env.fake.issued.length;
    await expect(assumeGuest(token)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      $metadata: { httpStatusCode: 403 },
    });
    expect(env.fake.issued).toHaveLength(count);
    expect(env.log.at(-1)).toBe(
      `AccessDenied: the trust policy of ${GUEST_ROLE} refuses: none of the 1 trust statements of ${GUEST_ROLE} admits the caller`,
    );
  });

  it('refuses an authenticated identity: the guest role admits only unauthenticated ones', async () => {
    const token = env.tokens.sign({
      sub: 'us-east-1:12345678-1234-4234-8234-123456789012',
      aud: POOL,
      amr: ['authenticated', 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Example'],
    });
    await expect(assumeGuest(token)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses an expired token', async () => {
    const { token } = await guestToken(POOL);
    env.clock.advance(601_000);
    try {
      await expect(assumeGuest(token)).rejects.toMatchObject({
        name: 'ExpiredTokenException',
        message: expect.stringMatching(
          /^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/,
        ),
      });
    } finally {
      env.clock.advance(-601_000);
    }
  });

  it('refuses forged and malformed tokens', async () => {
    const forged = new WebIdentityTokens().sign({ sub: 'us-east-1:x', aud: POOL, amr: ['unauthenticated'] });
    await expect(assumeGuest(forged)).rejects.toMatchObject({ name: 'InvalidIdentityTokenException' });
    const { token } = await guestToken(OTHER_POOL);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claimsOf(token), aud: POOL })).toString('base64url');
    await expect(assumeGuest(`${header}.${payload}.${signature}`)).rejects.toMatchObject({
      name: 'InvalidIdentityTokenException',
    });
    await expect(assumeGuest('not-a-token')).rejects.toMatchObject({
      name: 'InvalidIdentityTokenException',
      message:
        'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    });
  });

  it('refuses guests where the pool does not allow them', async () => {
    await expect(cognito().send(new GetIdCommand({ IdentityPoolId: NO_GUESTS_POOL }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Unauthenticated access is not supported for this identity pool.',
    });
    const unknown = 'us-east-1:99999999-9999-4999-8999-999999999999';
    await expect(cognito().send(new GetIdCommand({ IdentityPoolId: unknown }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `IdentityPool '${unknown}' not found.`,
    });
  });

  it('refuses the basic flow where the pool does not allow it', async () => {
    const client = cognito();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: ENHANCED_POOL }));
    await expect(client.send(new GetOpenIdTokenCommand({ IdentityId }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Basic (classic) flow is not enabled, please use enhanced flow.',
    });
  });
});

describe("Cognito's enhanced flow", () => {
  it("issues the pool's guest role, scoped down by Cognito's guest session policy", async () => {
    const client = cognito();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: ENHANCED_POOL }));
    const out = await client.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    const issued = env.fake.issued.at(-1)!;
    expect(issued).toMatchObject({ roleArn: ENHANCED_GUEST_ROLE, sessionName: 'CognitoIdentityCredentials' });
    expect(issued.options?.sessionPolicy).toBe(UNAUTHENTICATED_SESSION_POLICY);
    expect(JSON.stringify(UNAUTHENTICATED_SESSION_POLICY)).not.toMatch(/kinesis:/);
    expect(out.IdentityId).toBe(IdentityId);
    expect(out.Credentials).toMatchObject({
      AccessKeyId: issued.credentials.accessKeyId,
      Expiration: issued.credentials.expiration,
    });
    expect((await callerIdentity(credentialsOf(out.Credentials!))).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/EnhancedGuest/CognitoIdentityCredentials`,
    );
  });

  it("refuses a pool whose guest role's trust policy does not admit it", async () => {
    const client = cognito();
    const { IdentityId } = await client.send(new GetIdCommand({ IdentityPoolId: MISCONFIGURED_POOL }));
    await expect(client.send(new GetCredentialsForIdentityCommand({ IdentityId }))).rejects.toMatchObject({
      name: 'InvalidIdentityPoolConfigurationException',
      message: 'Invalid identity pool configuration. Check assigned IAM roles for this pool.',
    });
    expect(env.log.at(-1)).toMatch(
      `GetCredentialsForIdentity: the trust policy of ${GUEST_ROLE} refuses pool ${MISCONFIGURED_POOL}: `,
    );
  });
});

describe('AssumeRole and GetCallerIdentity', () => {
  const assume = (input: Partial<AssumeRoleCommandInput>, credentials: Credentials = ADMIN) =>
    sts(credentials).send(
      new AssumeRoleCommand({ RoleArn: OPERATOR_ROLE, RoleSessionName: 'ops', ...input }),
    );

  it("names the administrator as the account's root user", async () => {
    expect(await callerIdentity(ADMIN)).toEqual({
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:root`,
      UserId: ACCOUNT,
    });
  });

  it('assumes a role whose trust policy admits the caller, with its external id', async () => {
    const out = await assume({ ExternalId: OPERATOR_EXTERNAL_ID, DurationSeconds: 7200 });
    const issued = env.fake.issued.at(-1)!;
    expect(issued).toMatchObject({
      roleArn: OPERATOR_ROLE,
      sessionName: 'ops',
      options: { durationSeconds: 7200 },
    });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Operator/ops`);
    expect((await callerIdentity(credentialsOf(out.Credentials!))).Arn).toBe(out.AssumedRoleUser?.Arn);
  });

  it("refuses, with AWS's message, when the trust policy does not admit the caller or the role does not exist", async () => {
    const message = (role: string) =>
      `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: ${role}`;
    await expect(assume({ RoleArn: DEPLOYER_ROLE })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: message(DEPLOYER_ROLE),
      $metadata: { httpStatusCode: 403 },
    });
    await expect(assume({})).rejects.toMatchObject({ name: 'AccessDenied', message: message(OPERATOR_ROLE) });
    await expect(assume({ RoleArn: roleArn('Missing') })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: message(roleArn('Missing')),
    });
  });

  it('refuses a caller whose own policies do not allow sts:AssumeRole', async () => {
    const { token } = await guestToken(POOL);
    const guest = credentialsOf((await assumeGuest(token)).Credentials!);
    await expect(assume({ ExternalId: OPERATOR_EXTERNAL_ID }, guest)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/DashboardGuest/${ROLE_SESSION_NAME} is not authorized to perform: sts:AssumeRole on resource: ${OPERATOR_ROLE}`,
    });
    expect(env.log.at(-1)).toMatch(/^AccessDenied: .*DashboardGuest.* sts:AssumeRole on /);
  });

  it('validates durations and session names as AWS does', async () => {
    const withId = { ExternalId: OPERATOR_EXTERNAL_ID };
    await expect(assume({ ...withId, DurationSeconds: 100 })).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    await expect(assume({ ...withId, DurationSeconds: 10800 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    await expect(assume({ ...withId, RoleSessionName: 'two words' })).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "1 validation error detected: Value 'two words' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
  });

  it('passes a session policy on', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    };
    await assume({ ExternalId: OPERATOR_EXTERNAL_ID, Policy: JSON.stringify(policy) });
    expect(env.fake.issued.at(-1)!.options?.sessionPolicy).toEqual(policy);
    await expect(assume({ ExternalId: OPERATOR_EXTERNAL_ID, Policy: '{not json' })).rejects.toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: 'The policy is not in the valid JSON format.',
    });
  });

  it('answers the AWS JSON 1.0 form of STS too, with query-compatible errors', async () => {
    const defaults = (new STSClient({ region: REGION }).config.protocol as unknown as { options: object })
      .options;
    const json = new STSClient({
      region: REGION,
      endpoint: env.endpoint.url,
      credentials: ADMIN,
      protocol: AwsJson1_0Protocol,
      protocolSettings: { ...defaults, awsQueryCompatible: true },
    } as STSClientConfig);
    const sent: unknown[] = [];
    json.middlewareStack.add(
      (next) => async (args) => {
        sent.push((args.request as { headers: Record<string, string> }).headers['x-amz-target']);
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    expect((await json.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    expect(sent).toEqual(['AWSSecurityTokenServiceV20110615.GetCallerIdentity']);
    const out = await json.send(
      new AssumeRoleCommand({
        RoleArn: OPERATOR_ROLE,
        RoleSessionName: 'json',
        ExternalId: OPERATOR_EXTERNAL_ID,
      }),
    );
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.Credentials?.AccessKeyId).toBe(env.fake.issued.at(-1)!.credentials.accessKeyId);
    await expect(
      json.send(new AssumeRoleCommand({ RoleArn: DEPLOYER_ROLE, RoleSessionName: 'json' })),
    ).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});

describe('identity pools', () => {
  it('describes and lists the pools to a signed caller', async () => {
    const client = cognito(ADMIN);
    expect(await client.send(new DescribeIdentityPoolCommand({ IdentityPoolId: POOL }))).toMatchObject({
      IdentityPoolId: POOL,
      IdentityPoolName: 'wildrydes_dashboard',
      AllowUnauthenticatedIdentities: true,
      AllowClassicFlow: true,
    });
    const first = await client.send(new ListIdentityPoolsCommand({ MaxResults: 3 }));
    const rest = await client.send(
      new ListIdentityPoolsCommand({ MaxResults: 3, NextToken: first.NextToken }),
    );
    expect([...first.IdentityPools!, ...rest.IdentityPools!].map((p) => p.IdentityPoolId)).toEqual([
      POOL,
      OTHER_POOL,
      NO_GUESTS_POOL,
      ENHANCED_POOL,
      MISCONFIGURED_POOL,
    ]);
    expect(rest.NextToken).toBeUndefined();
  });

  it('keeps identities across restarts in the given file', async () => {
    const identitiesFile = path.join(mkdtempSync(path.join(tmpdir(), 'identities-')), 'identities.json');
    const first = await startIdentityEndpoint({ identitiesFile });
    let identityId: string | undefined;
    try {
      const client = new CognitoIdentityClient({ region: REGION, endpoint: first.endpoint.url });
      identityId = (await client.send(new GetIdCommand({ IdentityPoolId: POOL }))).IdentityId;
    } finally {
      await first.endpoint.stop();
    }
    expect(Object.keys(JSON.parse(readFileSync(identitiesFile, 'utf8')) as object)).toEqual([identityId]);
    const second = await startIdentityEndpoint({ identitiesFile });
    try {
      const client = new CognitoIdentityClient({ region: REGION, endpoint: second.endpoint.url });
      expect((await client.send(new GetOpenIdTokenCommand({ IdentityId: identityId }))).IdentityId).toBe(
        identityId,
      );
    } finally {
      await second.endpoint.stop();
    }
  });
});
