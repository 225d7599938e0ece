import type { IdentityAuthority, IssuedCredentials, PolicyDocument, RoleInfo } from './identity';
import {
  jsonError,
  jsonResponse,
  protocolOf,
  queryError,
  queryParams,
  queryResponse,
  validationMessage,
  xmlEscape,
  type ConstraintViolation,
  type ServiceError,
} from './protocols';
import { accountOf, uniqueId } from './role-sessions';
import type { AwsRequest, AwsResponse, AwsService, Caller } from './service';
import { COGNITO_PROVIDER, type WebIdentityTokens } from './web-identity-token';

/**
 * AWS STS behind the local endpoint: who signed a request (GetCallerIdentity), and temporary
 * credentials for the templates' roles (AssumeRole, AssumeRoleWithWebIdentity with the tokens
 * of the local Cognito Identity), each admitted only as IAM would: the caller's own policies
 * and the role's trust policy.
 *
 * Current SDKs and the AWS CLI speak the query protocol (form bodies, XML answers); the
 * AWS JSON 1.0 form (`X-Amz-Target: AWSSecurityTokenServiceV20110615.<Op>`, query-compatible
 * errors) is answered too, for clients that switch STS to it.
 */

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const STS_VERSION = '2011-06-15';
const JSON_TARGET = 'AWSSecurityTokenServiceV20110615.';

export interface StsServiceOptions {
  readonly authority: IdentityAuthority;
  /** The local Cognito Identity's token signer, whose tokens AssumeRoleWithWebIdentity accepts. */
  readonly tokens: WebIdentityTokens;
  /** Where refusals are explained (which trust policy said no, and why). @default nowhere */
  readonly log?: (message: string) => void;
}

/** An answer, rendered as XML elements (query) or a JSON object; dates as ISO 8601 or epoch seconds. */
interface Result {
  readonly [member: string]: string | number | Date | Result | undefined;
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const accessDenied = (message: string) => new StsError('AccessDenied', message, 403);

/** A request's parameters, from a form body or a JSON one. */
type Input = (name: string) => string | undefined;

function inputOf(request: AwsRequest, json: boolean): { action: string; input: Input } {
  if (!json) {
    const params = queryParams(request);
    return { action: params.get('Action') ?? '', input: (name) => params.get(name) ?? undefined };
  }
  const target = String(request.headers['x-amz-target']);
  let body: Record<string, unknown>;
  try {
    body =
      request.body.length === 0 ? {} : (JSON.parse(request.body.toString('utf8')) as Record<string, unknown>);
  } catch {
    throw new StsError('SerializationException', 'The request body is not valid JSON');
  }
  return {
    action: target.slice(JSON_TARGET.length),
    input: (name) => (body[name] === undefined || body[name] === null ? undefined : String(body[name])),
  };
}

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function toXml(result: Result): string {
  let out = '';
  for (const [name, value] of Object.entries(result)) {
    if (value === undefined) continue;
    const text =
      value instanceof Date
        ? isoSeconds(value)
        : typeof value === 'object'
          ? toXml(value)
          : xmlEscape(String(value));
    out += `<${name}>${text}</${name}>`;
  }
  return out;
}

function toJson(result: Result): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(result)) {
    if (value === undefined) continue;
    out[name] =
      value instanceof Date ? value.getTime() / 1000 : typeof value === 'object' ? toJson(value) : value;
  }
  return out;
}

/** Checks in the form of AWS's own "1 validation error detected: …" answers. */
class Validation {
  private readonly problems: ConstraintViolation[] = [];

  constructor(private readonly input: Input) {}

  private fail(value: string | undefined, member: string, constraint: string) {
    this.problems.push({ value, member, constraint });
  }

  string(name: string, rule: { min: number; max: number; pattern?: RegExp; required?: boolean }) {
    const member = name[0].toLowerCase() + name.slice(1);
    const value = this.input(name);
    if (value === undefined) {
      if (rule.required) this.fail(value, member, 'not be null');
      return value;
    }
    if (value.length < rule.min) this.fail(value, member, `have length greater than or equal to ${rule.min}`);
    if (value.length > rule.max) this.fail(value, member, `have length less than or equal to ${rule.max}`);
    if (rule.pattern && !new RegExp(`^(?:${rule.pattern.source})$`, 'u').test(value)) {
      this.fail(value, member, `satisfy regular expression pattern: ${rule.pattern.source}`);
    }
    return value;
  }

  /** DurationSeconds: 900 … 43200 (the role's own maximum is checked later). */
  duration(): number | undefined {
    const value = this.input('DurationSeconds');
    if (value === undefined) return undefined;
    const seconds = Number(value);
    if (!Number.isInteger(seconds)) this.fail(value, 'durationSeconds', 'be an integer');
    else if (seconds < 900) this.fail(value, 'durationSeconds', 'have value greater than or equal to 900');
    else if (seconds > 43200) this.fail(value, 'durationSeconds', 'have value less than or equal to 43200');
    return seconds;
  }

  done() {
    if (this.problems.length > 0) throw new StsError('ValidationError', validationMessage(this.problems));
  }
}

const SESSION_NAME = { min: 2, max: 64, pattern: /[\w+=,.@-]*/, required: true };
const ROLE_ARN = { min: 20, max: 2048, required: true };
const POLICY = { min: 1, max: 131072 };

function sessionPolicy(text: string | undefined): PolicyDocument | undefined {
  if (text === undefined) return undefined;
  try {
    const policy = JSON.parse(text) as PolicyDocument;
    if (policy && typeof policy === 'object' && policy.Statement) return policy;
  } catch {
    // answered below
  }
  throw new StsError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
}

/** The role's MaxSessionDuration, and the one-hour limit of role chaining. */
function checkDuration(role: RoleInfo, seconds: number | undefined, chained: boolean) {
  if (seconds === undefined) return;
  if (chained && seconds > 3600) {
    throw new StsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (seconds > role.maxSessionSeconds) {
    throw new StsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
}

function credentialsResult(issued: IssuedCredentials): Result {
  return {
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: issued.expiration,
    },
    AssumedRoleUser: { AssumedRoleId: issued.assumedRoleId, Arn: issued.assumedRoleArn },
  };
}

function signedCaller(caller: Caller): Exclude<Caller, { kind: 'anonymous' }> {
  if (caller.kind === 'anonymous') {
    throw new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  }
  return caller;
}

export class StsService implements AwsService {
  readonly signingNames = ['sts'];
  readonly targetPrefixes = [JSON_TARGET];
  readonly queryVersions = [STS_VERSION];

  constructor(private readonly options: StsServiceOptions) {}

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const json = protocolOf(request) === 'json';
    let action = '';
    try {
      const parsed = inputOf(request, json);
      action = parsed.action;
      const result = await this.run(action, parsed.input, request, json);
      return json ? jsonResponse(toJson(result), '1.0') : queryResponse(action, toXml(result), STS_XMLNS);
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      const answer: ServiceError = { code: error.code, message: error.message, status: error.status };
      return json ? jsonError({ ...answer, queryCode: error.code }, '1.0') : queryError(answer, STS_XMLNS);
    }
  }

  private run(action: string, input: Input, request: AwsRequest, json: boolean): Promise<Result> | Result {
    switch (action) {
      case 'GetCallerIdentity':
        return this.getCallerIdentity(request);
      case 'AssumeRole':
        return this.assumeRole(input, request);
      case 'AssumeRoleWithWebIdentity':
        return this.assumeRoleWithWebIdentity(input);
      default:
        throw json
          ? new StsError('UnknownOperationException', `Unknown operation ${action}`)
          : new StsError('InvalidAction', `Could not find operation ${action} for version ${STS_VERSION}`);
    }
  }

  private refused(error: StsError, roleArn: string, reason: string | undefined): StsError {
    this.options.log?.(`${error.code}: the trust policy of ${roleArn} refuses: ${reason ?? error.message}`);
    return error;
  }

  /** As AWS: the root user's id is the account id, a user's is `AIDA…`, a role session's `AROA…:session`. */
  private getCallerIdentity(request: AwsRequest): Result {
    const caller = signedCaller(request.caller);
    const account = accountOf(caller.arn) || request.accountId;
    let userId: string;
    if (caller.kind === 'role') {
      const roleId = this.options.authority.role(caller.roleArn)?.roleId ?? uniqueId('AROA', caller.roleArn);
      userId = `${roleId}:${caller.sessionName}`;
    } else {
      userId = caller.arn.endsWith(':root') ? account : uniqueId('AIDA', caller.arn);
    }
    return { UserId: userId, Account: account, Arn: caller.arn };
  }

  private async assumeRole(input: Input, request: AwsRequest): Promise<Result> {
    const caller = signedCaller(request.caller);
    const check = new Validation(input);
    const roleArn = check.string('RoleArn', ROLE_ARN)!;
    const sessionName = check.string('RoleSessionName', SESSION_NAME)!;
    const externalId = check.string('ExternalId', { min: 2, max: 1224, pattern: /[\w+=,.@:/-]*/ });
    const policyText = check.string('Policy', POLICY);
    const duration = check.duration();
    check.done();
    const policy = sessionPolicy(policyText);

    const denied = accessDenied(
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
    const context: Record<string, string> = { 'sts:RoleSessionName': sessionName };
    if (externalId !== undefined) context['sts:ExternalId'] = externalId;
    if (!(await request.authorize('sts:AssumeRole', roleArn, context)).allowed) throw denied;
    const role = this.options.authority.role(roleArn);
    if (!role) throw denied;
    // The principal is the caller's own ARN (a role session's is its assumed-role ARN);
    // aws:PrincipalArn names the role behind a session, as IAM's global condition key does.
    const principalArn = caller.kind === 'role' ? caller.roleArn : caller.arn;
    const trust = await this.options.authority.trusts(
      roleArn,
      { type: 'AWS', arn: caller.arn },
      'sts:AssumeRole',
      {
        ...context,
        'aws:PrincipalArn': principalArn,
        'aws:PrincipalAccount': accountOf(caller.arn) || request.accountId,
      },
    );
    if (!trust.allowed) throw this.refused(denied, roleArn, trust.reason);
    checkDuration(role, duration, caller.kind === 'role');
    const issued = this.options.authority.issue(roleArn, sessionName, {
      ...(duration === undefined ? {} : { durationSeconds: duration }),
      ...(policy ? { sessionPolicy: policy } : {}),
    });
    return credentialsResult(issued);
  }

  private async assumeRoleWithWebIdentity(input: Input): Promise<Result> {
    const check = new Validation(input);
    const roleArn = check.string('RoleArn', ROLE_ARN)!;
    const sessionName = check.string('RoleSessionName', SESSION_NAME)!;
    const token = check.string('WebIdentityToken', { min: 4, max: 20000, required: true })!;
    const policyText = check.string('Policy', POLICY);
    const duration = check.duration();
    check.done();
    const policy = sessionPolicy(policyText);

    const verified = this.options.tokens.verify(token);
    if (!verified.valid) throw new StsError(verified.code, verified.message);
    const { claims } = verified;
    const denied = accessDenied('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    const role = this.options.authority.role(roleArn);
    if (!role) throw denied;
    const trust = await this.options.authority.trusts(
      roleArn,
      { type: 'Federated', provider: COGNITO_PROVIDER },
      'sts:AssumeRoleWithWebIdentity',
      {
        [`${COGNITO_PROVIDER}:aud`]: claims.aud,
        [`${COGNITO_PROVIDER}:amr`]: claims.amr,
        [`${COGNITO_PROVIDER}:sub`]: claims.sub,
      },
    );
    if (!trust.allowed) throw this.refused(denied, roleArn, trust.reason);
    checkDuration(role, duration, false);
    const issued = this.options.authority.issue(roleArn, sessionName, {
      ...(duration === undefined ? {} : { durationSeconds: duration }),
      ...(policy ? { sessionPolicy: policy } : {}),
    });
    const { Credentials, AssumedRoleUser } = credentialsResult(issued);
    return {
      Credentials,
      SubjectFromWebIdentityToken: claims.sub,
      AssumedRoleUser,
      Provider: COGNITO_PROVIDER,
      Audience: claims.aud,
    };
  }
}
