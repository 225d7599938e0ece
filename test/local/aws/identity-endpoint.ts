/**
 * The local endpoint with STS and Cognito Identity over a fake identity authority, for tests:
 * the dashboard's identity pool and guest role as the templates declare them, plus pools and
 * roles for each way a request can be refused.
 */
import { CognitoIdentityService, type IdentityPoolConfig } from '../../../local/aws/cognito-identity';
import { startAwsEndpoint } from '../../../local/aws/endpoint';
import { StsService } from '../../../local/aws/sts';
import { WebIdentityTokens } from '../../../local/aws/web-identity-token';
import { fakeIdentityAuthority, guestTrustPolicy } from '../../support/fake-identity-authority';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** The dashboard's pool: guests, basic flow. */
export const POOL = 'us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
/** Another attendee's pool, with its own guest role. */
export const OTHER_POOL = 'us-east-1:11111111-2222-4333-8444-555555555555';
export const NO_GUESTS_POOL = 'us-east-1:22222222-3333-4444-8555-666666666666';
/** Guests through the enhanced flow only. */
export const ENHANCED_POOL = 'us-east-1:33333333-4444-4555-8666-777777777777';
/** Its unauthenticated role is the dashboard pool's guest role, whose trust policy names another pool. */
export const MISCONFIGURED_POOL = 'us-east-1:44444444-5555-4666-8777-888888888888';

export const GUEST_ROLE = roleArn('DashboardGuest');
export const OTHER_GUEST_ROLE = roleArn('OtherGuest');
export const ENHANCED_GUEST_ROLE = roleArn('EnhancedGuest');
/** Trusts only another role. */
export const DEPLOYER_ROLE = roleArn('Deployer');
/** Trusts the account with an external id; two-hour sessions. */
export const OPERATOR_ROLE = roleArn('Operator');
export const OPERATOR_EXTERNAL_ID = 'wildrydes-ops';

const pool = (id: string, name: string, settings: Partial<IdentityPoolConfig>): IdentityPoolConfig => ({
  id,
  name,
  allowUnauthenticated: true,
  allowClassicFlow: true,
  roles: {},
  ...settings,
});

export const POOLS: readonly IdentityPoolConfig[] = [
  pool(POOL, 'wildrydes_dashboard', { roles: { unauthenticated: GUEST_ROLE } }),
  pool(OTHER_POOL, 'other_dashboard', { roles: { unauthenticated: OTHER_GUEST_ROLE } }),
  pool(NO_GUESTS_POOL, 'no_guests', { allowUnauthenticated: false }),
  pool(ENHANCED_POOL, 'enhanced_only', {
    allowClassicFlow: false,
    roles: { unauthenticated: ENHANCED_GUEST_ROLE },
  }),
  pool(MISCONFIGURED_POOL, 'misconfigured', { roles: { unauthenticated: GUEST_ROLE } }),
];

export async function startIdentityEndpoint(options: { identitiesFile?: string } = {}) {
  let offset = 0;
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
  const fake = fakeIdentityAuthority({
    accountId: ACCOUNT,
    now: clock.now,
    roles: [
      { name: 'DashboardGuest', trustPolicy: guestTrustPolicy(POOL) },
      { name: 'OtherGuest', trustPolicy: guestTrustPolicy(OTHER_POOL) },
      { name: 'EnhancedGuest', trustPolicy: guestTrustPolicy(ENHANCED_POOL) },
      {
        name: 'Deployer',
        trustPolicy: {
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: roleArn('Pipeline') } }],
        },
      },
      {
        name: 'Operator',
        maxSessionSeconds: 7200,
        trustPolicy: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Condition: { StringEquals: { 'sts:ExternalId': OPERATOR_EXTERNAL_ID } },
            },
          ],
        },
      },
    ],
  });
  const tokens = new WebIdentityTokens({ now: clock.now });
  const log: string[] = [];
  const endpoint = await startAwsEndpoint({
    port: 0,
    accountId: ACCOUNT,
    defaultRegion: REGION,
    services: [
      new StsService({ authority: fake.authority, tokens, log: (line) => log.push(line) }),
      new CognitoIdentityService({
        pools: POOLS,
        authority: fake.authority,
        tokens,
        now: clock.now,
        identitiesFile: options.identitiesFile,
        log: (line) => log.push(line),
      }),
    ],
    callerOf: fake.callerOf,
    // The administrator may do anything; role sessions may do anything but assume other roles.
    authorize: async (caller, action) =>
      caller.kind === 'role' && action === 'sts:AssumeRole'
        ? { allowed: false, reason: 'no identity-based policy allows the sts:AssumeRole action' }
        : { allowed: true },
    log: (line) => log.push(line),
  });
  return { endpoint, fake, tokens, clock, log };
}
