import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { IdentityAuthority, PolicyDocument } from './identity';
import { jsonError, jsonResponse, validationMessage } from './protocols';
import type { AwsRequest, AwsResponse, AwsService } from './service';
import { COGNITO_PROVIDER, type WebIdentityTokens } from './web-identity-token';

/**
 * Amazon Cognito Identity (identity pools) behind the local endpoint, for the pools the
 * templates declare: guests get an identity (GetId), then either an OpenID token to exchange
 * at STS themselves (the basic flow, GetOpenIdToken) or credentials for the pool's
 * unauthenticated role scoped down by Cognito's guest session policy (the enhanced flow,
 * GetCredentialsForIdentity). Only unauthenticated identities: the templates' pools have no
 * identity providers. Speaks AWS JSON 1.1; GetId, GetOpenIdToken and GetCredentialsForIdentity
 * take unsigned requests, as on AWS.
 */

/** An identity pool, as `AWS::Cognito::IdentityPool` and its `IdentityPoolRoleAttachment` declare it. */
export interface IdentityPoolConfig {
  /** `us-east-1:<guid>` */
  readonly id: string;
  readonly name: string;
  readonly allowUnauthenticated: boolean;
  /** Whether the basic (classic) flow, GetOpenIdToken, is allowed. */
  readonly allowClassicFlow: boolean;
  /** Role ARNs. */
  readonly roles: { readonly unauthenticated?: string; readonly authenticated?: string };
}

export interface CognitoIdentityOptions {
  readonly pools: readonly IdentityPoolConfig[];
  readonly authority: IdentityAuthority;
  /** Signs the OpenID tokens (shared with STS, which verifies them). */
  readonly tokens: WebIdentityTokens;
  /**
   * A JSON file keeping identities across restarts, so a browser's remembered identity id
   * stays valid. @default identities live as long as the service
   */
  readonly identitiesFile?: string;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Where refusals are explained (which trust policy said no, and why). @default nowhere */
  readonly log?: (message: string) => void;
}

/**
 * What Cognito allows unauthenticated identities in the enhanced flow, whatever their role
 * allows: AWS's managed `AmazonCognitoUnAuthedIdentitiesSessionPolicy` (version 3, edited
 * 2024-11-01), which Cognito passes as a session policy when it issues guest credentials.
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonCognitoUnAuthedIdentitiesSessionPolicy.html
 * and "Access to AWS services" in https://docs.aws.amazon.com/cognito/latest/developerguide/iam-roles.html
 * It has no Kinesis Data Streams action, which is why the dashboard uses the basic flow.
 */
export const UNAUTHENTICATED_SESSION_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'CognitoUnAuthedIdentitiesSessionPolicy',
      Effect: 'Allow',
      Action: [
        'rum:PutRumEvents',
        'sagemaker:InvokeEndpoint',
        'polly:*',
        'comprehend:*',
        'translate:*',
        'transcribe:*',
        'rekognition:*',
        'mobiletargeting:*',
        'firehose:*',
        'personalize:*',
        'geo:GetMap*',
        'geo:SearchPlaceIndex*',
        'geo:GetPlace',
        'geo:CalculateRoute*',
        'geo:*Geofence',
        'geo:*Geofences',
        'geo:*DevicePosition*',
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptTo',
        'kms:ReEncryptFrom',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyPair',
        'kms:GenerateDataKeyPairWithoutPlaintext',
        'kms:GenerateDataKeyWithoutPlaintext',
      ],
      Resource: '*',
    },
  ],
};

/** The session name Cognito gives enhanced-flow sessions (`assumed-role/<Role>/CognitoIdentityCredentials`). */
export const ENHANCED_FLOW_SESSION_NAME = 'CognitoIdentityCredentials';
/** Credentials from GetCredentialsForIdentity last an hour. */
const ENHANCED_FLOW_SECONDS = 3600;

interface Identity {
  readonly poolId: string;
  /** Milliseconds since the epoch. */
  readonly created: number;
}

/** The identities handed out, kept in a JSON file when one is given. */
class IdentityStore {
  private readonly identities = new Map<string, Identity>();

  constructor(private readonly file: string | undefined) {
    if (!file || !existsSync(file)) return;
    let saved: Record<string, Identity>;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Identity>;
    } catch (error) {
      throw new Error(`${file} is not a file of Cognito identities: ${(error as Error).message}`);
    }
    for (const [id, identity] of Object.entries(saved)) this.identities.set(id, identity);
  }

  get(id: string): Identity | undefined {
    return this.identities.get(id);
  }

  add(id: string, identity: Identity) {
    this.identities.set(id, identity);
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.identities), null, 1));
    renameSync(temporary, this.file);
  }
}

class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const TARGET = 'AWSCognitoIdentityService.';
const ID_PATTERN = /^[\w-]+:[0-9a-f-]+$/;
const UNAUTHENTICATED_NOT_SUPPORTED = 'Unauthenticated access is not supported for this identity pool.';
const INVALID_CONFIGURATION = 'Invalid identity pool configuration. Check assigned IAM roles for this pool.';

type Input = Record<string, unknown>;

const invalid = (value: unknown, member: string, constraint: string) =>
  new CognitoError('ValidationException', validationMessage([{ value, member, constraint }]));

/** A required `IdentityPoolId`/`IdentityId`, checked as the API model constrains it. */
function idParameter(input: Input, name: 'IdentityPoolId' | 'IdentityId'): string {
  const value = input[name];
  const member = name[0].toLowerCase() + name.slice(1);
  if (typeof value !== 'string') throw invalid(undefined, member, 'not be null');
  if (value.length > 55 || !ID_PATTERN.test(value)) {
    throw invalid(value, member, `satisfy regular expression pattern: ${ID_PATTERN.source.slice(1, -1)}`);
  }
  return value;
}

const hasLogins = (input: Input) =>
  typeof input.Logins === 'object' && input.Logins !== null && Object.keys(input.Logins).length > 0;

const regionOf = (poolId: string) => poolId.slice(0, poolId.indexOf(':'));

export class CognitoIdentityService implements AwsService {
  readonly signingNames = ['cognito-identity'];
  readonly targetPrefixes = [TARGET];
  private readonly pools: ReadonlyMap<string, IdentityPoolConfig>;
  private readonly identities: IdentityStore;
  private readonly now: () => number;

  constructor(private readonly options: CognitoIdentityOptions) {
    this.pools = new Map(options.pools.map((pool) => [pool.id, pool]));
    this.identities = new IdentityStore(options.identitiesFile);
    this.now = options.now ?? Date.now;
  }

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const operation = String(request.headers['x-amz-target'] ?? '').slice(TARGET.length);
    try {
      let input: Input;
      try {
        input = request.body.length === 0 ? {} : (JSON.parse(request.body.toString('utf8')) as Input);
      } catch {
        throw new CognitoError('SerializationException', 'The request body is not valid JSON');
      }
      return jsonResponse(await this.run(operation, input ?? {}, request), '1.1');
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      return jsonError({ code: error.code, message: error.message, status: error.status }, '1.1');
    }
  }

  private run(operation: string, input: Input, request: AwsRequest): unknown {
    switch (operation) {
      case 'GetId':
        return this.getId(input);
      case 'GetOpenIdToken':
        return this.getOpenIdToken(input);
      case 'GetCredentialsForIdentity':
        return this.getCredentialsForIdentity(input);
      case 'DescribeIdentityPool':
        return this.describeIdentityPool(input, request);
      case 'GetIdentityPoolRoles':
        return this.getIdentityPoolRoles(input, request);
      case 'ListIdentityPools':
        return this.listIdentityPools(input, request);
      case 'DescribeIdentity':
        return this.describeIdentity(input, request);
      default:
        throw new CognitoError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  private pool(id: string): IdentityPoolConfig {
    const pool = this.pools.get(id);
    if (!pool) throw new CognitoError('ResourceNotFoundException', `IdentityPool '${id}' not found.`);
    return pool;
  }

  /** An existing guest identity and its pool, for the operations that take an IdentityId. */
  private guest(input: Input): { id: string; pool: IdentityPoolConfig } {
    const id = idParameter(input, 'IdentityId');
    const identity = this.identities.get(id);
    if (!identity) throw new CognitoError('ResourceNotFoundException', `Identity '${id}' not found.`);
    const pool = this.pool(identity.poolId);
    guestsOnly(input, pool);
    return { id, pool };
  }

  private getId(input: Input) {
    const pool = this.pool(idParameter(input, 'IdentityPoolId'));
    guestsOnly(input, pool);
    const id = `${regionOf(pool.id)}:${randomUUID()}`;
    this.identities.add(id, { poolId: pool.id, created: this.now() });
    return { IdentityId: id };
  }

  /** The basic flow: an OpenID token for STS AssumeRoleWithWebIdentity, if the pool allows it. */
  private getOpenIdToken(input: Input) {
    const { id, pool } = this.guest(input);
    if (!pool.allowClassicFlow) {
      throw new CognitoError(
        'InvalidParameterException',
        'Basic (classic) flow is not enabled, please use enhanced flow.',
      );
    }
    return {
      IdentityId: id,
      Token: this.options.tokens.sign({ sub: id, aud: pool.id, amr: ['unauthenticated'] }),
    };
  }

  /**
   * The enhanced flow: Cognito assumes the pool's unauthenticated role itself, admitted by the
   * same trust policy as the basic flow, and scopes the session down with the guest policy.
   */
  private async getCredentialsForIdentity(input: Input) {
    const { id, pool } = this.guest(input);
    const roleArn = pool.roles.unauthenticated;
    const { authority } = this.options;
    if (!roleArn || !authority.role(roleArn)) {
      throw new CognitoError('InvalidIdentityPoolConfigurationException', INVALID_CONFIGURATION);
    }
    const trust = await authority.trusts(
      roleArn,
      { type: 'Federated', provider: COGNITO_PROVIDER },
      'sts:AssumeRoleWithWebIdentity',
      {
        [`${COGNITO_PROVIDER}:aud`]: pool.id,
        [`${COGNITO_PROVIDER}:amr`]: ['unauthenticated'],
        [`${COGNITO_PROVIDER}:sub`]: id,
      },
    );
    if (!trust.allowed) {
      this.options.log?.(
        `GetCredentialsForIdentity: the trust policy of ${roleArn} refuses pool ${pool.id}: ${trust.reason ?? 'denied'}`,
      );
      throw new CognitoError('InvalidIdentityPoolConfigurationException', INVALID_CONFIGURATION);
    }
    const issued = authority.issue(roleArn, ENHANCED_FLOW_SESSION_NAME, {
      durationSeconds: ENHANCED_FLOW_SECONDS,
      sessionPolicy: UNAUTHENTICATED_SESSION_POLICY,
    });
    return {
      IdentityId: id,
      Credentials: {
        AccessKeyId: issued.accessKeyId,
        SecretKey: issued.secretAccessKey,
        SessionToken: issued.sessionToken,
        Expiration: issued.expiration.getTime() / 1000,
      },
    };
  }

  /** The management operations need a signature and IAM's permission, as on AWS. */
  private async permit(request: AwsRequest, action: string, resource: string) {
    if (request.caller.kind === 'anonymous') {
      throw new CognitoError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    }
    if (!(await request.authorize(`cognito-identity:${action}`, resource)).allowed) {
      throw new CognitoError(
        'AccessDeniedException',
        `User: ${request.caller.arn} is not authorized to perform: cognito-identity:${action} on resource: ${resource}`,
      );
    }
  }

  private poolArn(request: AwsRequest, poolId: string) {
    return `arn:aws:cognito-identity:${regionOf(poolId)}:${request.accountId}:identitypool/${poolId}`;
  }

  private async describeIdentityPool(input: Input, request: AwsRequest) {
    const id = idParameter(input, 'IdentityPoolId');
    await this.permit(request, 'DescribeIdentityPool', this.poolArn(request, id));
    const pool = this.pool(id);
    return {
      IdentityPoolId: pool.id,
      IdentityPoolName: pool.name,
      AllowUnauthenticatedIdentities: pool.allowUnauthenticated,
      AllowClassicFlow: pool.allowClassicFlow,
      IdentityPoolTags: {},
    };
  }

  private async getIdentityPoolRoles(input: Input, request: AwsRequest) {
    const id = idParameter(input, 'IdentityPoolId');
    await this.permit(request, 'GetIdentityPoolRoles', this.poolArn(request, id));
    const pool = this.pool(id);
    return { IdentityPoolId: pool.id, Roles: { ...pool.roles } };
  }

  private async listIdentityPools(input: Input, request: AwsRequest) {
    const max = input.MaxResults;
    if (max === undefined) throw invalid(max, 'maxResults', 'not be null');
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 60) {
      throw invalid(max, 'maxResults', 'have value between 1 and 60');
    }
    await this.permit(request, 'ListIdentityPools', '*');
    const all = [...this.pools.values()];
    const start = typeof input.NextToken === 'string' ? Number(input.NextToken) || 0 : 0;
    const page = all.slice(start, start + max);
    return {
      IdentityPools: page.map((pool) => ({ IdentityPoolId: pool.id, IdentityPoolName: pool.name })),
      ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
    };
  }

  private async describeIdentity(input: Input, request: AwsRequest) {
    const id = idParameter(input, 'IdentityId');
    const identity = this.identities.get(id);
    await this.permit(request, 'DescribeIdentity', this.poolArn(request, identity?.poolId ?? id));
    if (!identity) throw new CognitoError('ResourceNotFoundException', `Identity '${id}' not found.`);
    return {
      IdentityId: id,
      Logins: [],
      CreationDate: identity.created / 1000,
      LastModifiedDate: identity.created / 1000,
    };
  }
}

/**
 * The pools here have no identity providers, only guests: a request with Logins, or for a pool
 * that does not allow unauthenticated identities, is refused as Cognito refuses it.
 */
function guestsOnly(input: Input, pool: IdentityPoolConfig): void {
  if (hasLogins(input)) {
    throw new CognitoError(
      'NotAuthorizedException',
      `Identity pool - ${pool.id} does not have identity providers configured.`,
    );
  }
  if (!pool.allowUnauthenticated)
    throw new CognitoError('NotAuthorizedException', UNAUTHENTICATED_NOT_SUPPORTED);
}
