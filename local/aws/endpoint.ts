import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonError, queryError, queryParams, restXmlError, protocolOf, type ServiceError } from './protocols';
import type { AwsRequest, AwsResponse, AwsService, Caller, Decision } from './service';

/**
 * One local AWS endpoint, as `https://<service>.<region>.amazonaws.com` is for AWS: every
 * request names its service in its SigV4 credential scope (`AKIA…/20261130/us-east-1/sqs/aws4_request`),
 * or, unsigned, in its X-Amz-Target header; the endpoint finds who signed it and hands it to
 * that service.
 */

/** What a SigV4 signature says about a request: whose key, which region and service. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

/** The credential scope of a signed request (Authorization header or presigned URL), if any. */
export function credentialScope(
  headers: IncomingMessage['headers'],
  query: URLSearchParams,
): CredentialScope | undefined {
  const header = headers.authorization;
  const fromHeader = typeof header === 'string' ? SCOPE.exec(header) : null;
  const presigned = query.get('X-Amz-Credential');
  const match = fromHeader ?? (presigned ? SCOPE.exec(`Credential=${presigned}`) : null);
  if (!match) return undefined;
  const [, accessKeyId, date, region, service] = match;
  return { accessKeyId, date, region, service };
}

export interface EndpointOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly services: readonly AwsService[];
  readonly accountId: string;
  /** The region of unsigned requests. */
  readonly defaultRegion: string;
  /** Who holds an access key; undefined for a session token the endpoint does not know. */
  readonly callerOf: (accessKeyId: string, sessionToken: string | undefined) => Caller | undefined;
  /** IAM's decision on `caller` doing `action` on `resource`. */
  readonly authorize: (
    caller: Caller,
    action: string,
    resource: string,
    context: Readonly<Record<string, string>>,
  ) => Promise<Decision>;
  /** Where problems are reported (denials, unknown services). */
  readonly log?: (message: string) => void;
}

export interface AwsEndpoint {
  readonly url: string;
  readonly server: Server;
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** An error in the protocol the request speaks, for requests no service can take. */
export function protocolError(
  request: Pick<AwsRequest, 'headers' | 'method'>,
  error: ServiceError,
  xmlns = 'https://local.amazonaws.com/doc/',
): AwsResponse {
  switch (protocolOf(request)) {
    case 'json':
      return jsonError(error, '1.1');
    case 'query':
      return queryError(error, xmlns);
    default:
      return restXmlError(error);
  }
}

/**
 * The service a request is for: by its credential scope when signed; unsigned, by its
 * X-Amz-Target (AWS JSON) or its query-protocol `Version` (STS's AssumeRoleWithWebIdentity),
 * else S3 (anonymous access, which S3 decides with the bucket policy).
 */
function serviceFor(
  services: readonly AwsService[],
  scope: CredentialScope | undefined,
  request: AwsRequest,
) {
  if (scope) return services.find((s) => s.signingNames.includes(scope.service));
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target) return services.find((s) => s.targetPrefixes?.some((prefix) => target.startsWith(prefix)));
  const version = (protocolOf(request) === 'query' ? queryParams(request) : request.query).get('Version');
  if (version !== null) return services.find((s) => s.queryVersions?.includes(version));
  return protocolOf(request) === 'rest' ? services.find((s) => s.signingNames.includes('s3')) : undefined;
}

/** Browsers (the dashboard) call the endpoint from another origin, as they call AWS's. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'x-amzn-requestid, x-amzn-errortype, x-amzn-query-error, x-amz-request-id, x-amz-id-2, etag, date',
};

function send(response: ServerResponse, answer: AwsResponse) {
  // The client may have gone while the service worked (a long poll it gave up on).
  if (response.destroyed) return;
  response.writeHead(answer.status, { ...answer.headers, ...CORS });
  response.end(answer.body);
}

function preflight(response: ServerResponse, request: IncomingMessage) {
  response.writeHead(200, {
    ...CORS,
    'access-control-allow-methods': 'GET, PUT, POST, DELETE, HEAD',
    'access-control-allow-headers': String(request.headers['access-control-request-headers'] ?? '*'),
    'access-control-max-age': '3600',
  });
  response.end();
}

/** What the endpoint answers every request with. */
interface Answering {
  readonly options: EndpointOptions;
  readonly log: (message: string) => void;
  /** The endpoint's URL, known once it listens. */
  readonly base: () => string;
  /** Aborted when the endpoint stops. */
  readonly stopping: AbortSignal;
}

/** A request as the services see it: who signed it, for which service and region, and what it asks. */
async function incoming(
  req: IncomingMessage,
  res: ServerResponse,
  { options, log, base, stopping }: Answering,
): Promise<{ request: AwsRequest; scope?: CredentialScope; known: boolean }> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  const body = await readBody(req);
  const scope = credentialScope(req.headers, url.searchParams);
  const token =
    req.headers['x-amz-security-token'] ?? url.searchParams.get('X-Amz-Security-Token') ?? undefined;
  const known = scope
    ? options.callerOf(scope.accessKeyId, token === undefined ? undefined : String(token))
    : undefined;
  const caller: Caller = known ?? { kind: 'anonymous' };
  const request: AwsRequest = {
    service: scope?.service ?? '',
    region: scope?.region ?? options.defaultRegion,
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    caller,
    accountId: options.accountId,
    endpoint: base(),
    signal: AbortSignal.any([gone.signal, stopping]),
    authorize: async (action, resource, context = {}) => {
      const decision = await options.authorize(caller, action, resource, context);
      if (!decision.allowed) log(`AccessDenied: ${describeCaller(caller)} ${action} on ${resource}`);
      return decision;
    },
  };
  return { request, scope, known: known !== undefined };
}

/** A request signed with a key the endpoint does not know, refused as AWS refuses it. */
const invalidToken = (request: AwsRequest) =>
  protocolError(request, {
    code: protocolOf(request) === 'rest' ? 'InvalidToken' : 'UnrecognizedClientException',
    queryCode: 'InvalidClientTokenId',
    message: 'The security token included in the request is invalid.',
    status: protocolOf(request) === 'json' ? 400 : 403,
  });

/** A request for a service the endpoint does not serve: unknown when signed, unauthenticated when not. */
function unknownService(request: AwsRequest, scope: CredentialScope | undefined) {
  const target = String(request.headers['x-amz-target'] ?? '');
  const what = scope?.service ?? (target || `${request.method} ${request.path}`);
  return protocolError(request, {
    code: scope ? 'UnknownOperationException' : 'MissingAuthenticationTokenException',
    message: scope
      ? `The service "${what}" is not emulated by the local endpoint`
      : 'Missing Authentication Token',
    status: scope ? 400 : 403,
  });
}

/** One request read, handed to its service and answered. */
async function answer(req: IncomingMessage, res: ServerResponse, answering: Answering): Promise<void> {
  const { request, scope, known } = await incoming(req, res, answering);
  if (scope && !known) return send(res, invalidToken(request));
  const service = serviceFor(answering.options.services, scope, request);
  if (!service) return send(res, unknownService(request, scope));
  send(res, await service.handle(request));
}

/** What failed inside the endpoint, as an InternalFailure (unless an answer has begun). */
function internalFailure(res: ServerResponse, error: Error, log: (message: string) => void) {
  log(`local endpoint: ${error.message}`);
  if (!res.headersSent) {
    res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify({ __type: 'InternalFailure', message: error.message }));
  }
}

function listenOn(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
}

/** Starts the endpoint on 127.0.0.1. */
export async function startAwsEndpoint(options: EndpointOptions): Promise<AwsEndpoint> {
  let base = '';
  const log = options.log ?? (() => undefined);
  // Requests being answered: a stop waits for them, so that no emulator behind the endpoint is
  // closed in the middle of one (LevelDB under kinesalite and dynalite does not survive that).
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();
  const answering: Answering = { options, log, base: () => base, stopping: stopping.signal };
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) return preflight(res, req);
    const answered = answer(req, res, answering).catch((error: Error) => internalFailure(res, error, log));
    inFlight.add(answered);
    void answered.finally(() => inFlight.delete(answered));
  });
  await listenOn(server, options.port);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    server,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Long polls (SQS receives) end when their client goes: wake them, then let the rest finish.
      stopping.abort();
      server.closeIdleConnections();
      await Promise.all(inFlight);
      server.closeAllConnections();
      await closed;
    },
  };
}

export function describeCaller(caller: Caller): string {
  return caller.kind === 'anonymous' ? 'an unsigned request' : caller.arn;
}
