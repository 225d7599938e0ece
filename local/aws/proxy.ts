import { request as httpRequest } from 'node:http';
import type { ServiceError } from './protocols';
import type { AwsRequest, AwsResponse, AwsService } from './service';

/**
 * A service an emulator from npm already speaks (kinesalite, dynalite, s3rver), put behind the
 * endpoint: the endpoint decides who may do what, as IAM would, and forwards what is allowed to
 * the emulator unchanged (or adapted, where the emulator is stricter than AWS about credentials
 * or encodings), relaying its answer.
 */

/** What a request does, in IAM's terms: each action on each resource it touches. */
export interface Access {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string>>;
}

export interface Forwarded {
  readonly method: string;
  /** Path and query string. */
  readonly url: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

export interface ProxyOptions {
  readonly signingNames: readonly string[];
  readonly targetPrefixes?: readonly string[];
  /** The emulator's base URL. */
  readonly upstream: () => string;
  /** What the request does; an error for one the service would refuse before authorizing. */
  accesses(request: AwsRequest): Access[] | { readonly error: ServiceError };
  /** The service's own AccessDenied answer. */
  denied(request: AwsRequest, access: Access): AwsResponse;
  /** The service's own error answer. */
  error(request: AwsRequest, error: ServiceError): AwsResponse;
  /** Adapts the request for the emulator. @default unchanged */
  rewrite?(request: AwsRequest): Forwarded;
  /** Sees each forwarded request with the emulator's answer and how long it took (metrics). */
  observe?(request: AwsRequest, response: AwsResponse, latencyMs: number): void;
  /**
   * Stands between an authorized request and the emulator (limits, injected faults): answers
   * itself, or sends (possibly another request) on and adapts the answer. @default sends as is
   */
  around?: Around;
}

/** Sends a request to the emulator and hands back its answer. */
export type Send = (forwarded: Forwarded) => Promise<AwsResponse>;

export type Around = (request: AwsRequest, forwarded: Forwarded, send: Send) => Promise<AwsResponse>;

export function forwardAsIs(request: AwsRequest): Forwarded {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = value;
  const search = request.query.toString();
  return {
    method: request.method,
    url: `${request.path}${search ? `?${search}` : ''}`,
    headers,
    body: request.body,
  };
}

export function forward(upstream: string, forwarded: Forwarded): Promise<AwsResponse> {
  const target = new URL(forwarded.url, upstream);
  const headers: Record<string, string | string[]> = { ...forwarded.headers };
  delete headers['transfer-encoding'];
  headers.host = target.host;
  headers['content-length'] = String(forwarded.body.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(target, { method: forwarded.method, headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const relayed: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value === undefined || name === 'connection' || name === 'transfer-encoding') continue;
          relayed[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: incoming.statusCode ?? 502, headers: relayed, body: Buffer.concat(chunks) });
      });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(forwarded.body);
  });
}

export function proxiedService(options: ProxyOptions): AwsService {
  return {
    signingNames: options.signingNames,
    targetPrefixes: options.targetPrefixes,
    async handle(request) {
      const accesses = options.accesses(request);
      if ('error' in accesses) return options.error(request, accesses.error);
      for (const access of accesses) {
        const decision = await request.authorize(access.action, access.resource, access.context);
        if (!decision.allowed) return options.denied(request, access);
      }
      const forwarded = (options.rewrite ?? forwardAsIs)(request);
      const send: Send = (f) => forward(options.upstream(), f);
      const started = performance.now();
      const response = await (options.around ? options.around(request, forwarded, send) : send(forwarded));
      options.observe?.(request, response, performance.now() - started);
      return response;
    },
  };
}

/** IAM's sentence for a denial, as AWS services word it. */
export function notAuthorized(request: AwsRequest, access: Access): string {
  const who = request.caller.kind === 'anonymous' ? 'anonymous' : request.caller.arn;
  return `User: ${who} is not authorized to perform: ${access.action} on resource: ${access.resource} because no identity-based policy allows the ${access.action} action`;
}
