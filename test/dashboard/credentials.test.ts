import { GetIdCommand, GetOpenIdTokenCommand } from '@aws-sdk/client-cognito-identity';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { guestCredentials, ROLE_SESSION_NAME } from '../../dashboard/src/credentials';
import { serviceError } from '../support/fake-kinesis';

const POOL = 'us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const ROLE = 'arn:aws:iam::123456789012:role/WildRydes-DashboardGuest';
const EXPIRES = new Date('2030-01-01T01:00:00Z');

/** Cognito and STS stand-ins that record each call's command and input. */
function fakes(options: { unknownIdentities?: string[] } = {}) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  let ids = 0;
  const record = (command: { constructor: { name: string }; input: object }) => {
    calls.push({ command: command.constructor.name, input: command.input as Record<string, unknown> });
  };
  const cognito = {
    send: async (command: GetIdCommand | GetOpenIdTokenCommand) => {
      record(command);
      if (command instanceof GetIdCommand) return { IdentityId: `us-east-1:identity-${++ids}` };
      const id = (command.input as { IdentityId: string }).IdentityId;
      if (options.unknownIdentities?.includes(id)) throw serviceError('ResourceNotFoundException');
      return { IdentityId: id, Token: `token-for-${id}` };
    },
  };
  const sts = {
    send: async (command: AssumeRoleWithWebIdentityCommand) => {
      record(command);
      return {
        Credentials: {
          AccessKeyId: 'ASIAGUEST',
          SecretAccessKey: 'secret',
          SessionToken: `session-${command.input.WebIdentityToken}`,
          Expiration: EXPIRES,
        },
      };
    },
  };
  return { cognito: cognito as never, sts: sts as never, calls };
}

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe('guest credentials (Cognito basic flow)', () => {
  it('gets an identity, its OpenID token, then assumes the guest role with it', async () => {
    const { cognito, sts, calls } = fakes();
    const provide = guestCredentials({ identityPoolId: POOL, roleArn: ROLE, cognito, sts });
    expect(await provide()).toEqual({
      accessKeyId: 'ASIAGUEST',
      secretAccessKey: 'secret',
      sessionToken: 'session-token-for-us-east-1:identity-1',
      expiration: EXPIRES,
    });
    expect(calls).toEqual([
      { command: 'GetIdCommand', input: { IdentityPoolId: POOL } },
      { command: 'GetOpenIdTokenCommand', input: { IdentityId: 'us-east-1:identity-1' } },
      {
        command: 'AssumeRoleWithWebIdentityCommand',
        input: {
          RoleArn: ROLE,
          RoleSessionName: ROLE_SESSION_NAME,
          WebIdentityToken: 'token-for-us-east-1:identity-1',
        },
      },
    ]);
  });

  it('keeps its identity when refreshing: a new token and new credentials, no new identity', async () => {
    const { cognito, sts, calls } = fakes();
    const provide = guestCredentials({ identityPoolId: POOL, roleArn: ROLE, cognito, sts });
    await provide();
    await provide();
    expect(calls.map((c) => c.command)).toEqual([
      'GetIdCommand',
      'GetOpenIdTokenCommand',
      'AssumeRoleWithWebIdentityCommand',
      'GetOpenIdTokenCommand',
      'AssumeRoleWithWebIdentityCommand',
    ]);
  });

  it('remembers the identity across page loads in the given storage', async () => {
    const storage = memoryStorage();
    const first = fakes();
    await guestCredentials({ identityPoolId: POOL, roleArn: ROLE, ...first, storage })();
    const second = fakes();
    await guestCredentials({ identityPoolId: POOL, roleArn: ROLE, ...second, storage })();
    expect(second.calls.map((c) => c.command)).toEqual([
      'GetOpenIdTokenCommand',
      'AssumeRoleWithWebIdentityCommand',
    ]);
    expect(second.calls[0].input).toEqual({ IdentityId: 'us-east-1:identity-1' });
  });

  it('gets a new identity when the remembered one no longer exists', async () => {
    const storage = memoryStorage({ [`wildrydes-dashboard:identity:${POOL}`]: 'us-east-1:deleted' });
    const { cognito, sts, calls } = fakes({ unknownIdentities: ['us-east-1:deleted'] });
    const credentials = await guestCredentials({
      identityPoolId: POOL,
      roleArn: ROLE,
      cognito,
      sts,
      storage,
    })();
    expect(credentials.sessionToken).toBe('session-token-for-us-east-1:identity-1');
    expect(calls.map((c) => c.command)).toEqual([
      'GetOpenIdTokenCommand',
      'GetIdCommand',
      'GetOpenIdTokenCommand',
      'AssumeRoleWithWebIdentityCommand',
    ]);
    expect([...storage.items.values()]).toEqual(['us-east-1:identity-1']);
  });

  it('passes other errors on', async () => {
    const { cognito } = fakes();
    const sts = { send: async () => Promise.reject(serviceError('AccessDenied', 403)) } as never;
    await expect(guestCredentials({ identityPoolId: POOL, roleArn: ROLE, cognito, sts })()).rejects.toThrow(
      /AccessDenied/,
    );
  });
});
