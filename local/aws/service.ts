import type { IncomingHttpHeaders } from 'node:http';

/**
 * The shape every AWS service behind the local endpoint implements. The endpoint parses the
 * request (which service, by the SigV4 credential scope or the X-Amz-Target header; who signed
 * it), and hands it to the service, which decodes the operation in whichever protocol the
 * client speaks (AWS JSON, query, REST), asks the endpoint to authorize each action on each
 * resource as IAM would, and answers in the same protocol, errors included.
 */

/** Who signed a request. */
export type Caller =
  /** The access key of someone outside the local account's roles: the account's administrator. */
  | { readonly kind: 'administrator'; readonly accessKeyId: string; readonly arn: string }
  /** Temporary credentials issued for one of the templates' roles (STS, Cognito, or the runtime). */
  | {
      readonly kind: 'role';
      readonly accessKeyId: string;
      /** The role's ARN (`arn:aws:iam::000000000000:role/Name`). */
      readonly roleArn: string;
      /** The assumed-role ARN (`arn:aws:sts::000000000000:assumed-role/Name/session`). */
      readonly arn: string;
      readonly sessionName: string;
    }
  /** No signature at all. */
  | { readonly kind: 'anonymous' };

/** The outcome of an IAM evaluation. */
export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export interface AwsRequest {
  /** The signing name of the service (`kinesis`, `dynamodb`, `s3`, `sqs`, `firehose`, `sts`, `cognito-identity`, `monitoring`). */
  readonly service: string;
  readonly region: string;
  readonly method: string;
  /** The URL path, percent-decoding left to the service. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly caller: Caller;
  /** The local account id. */
  readonly accountId: string;
  /** The endpoint's own base URL (`http://127.0.0.1:4566`), for URLs in responses (queue URLs). */
  readonly endpoint: string;
  /**
   * Evaluates `caller` doing `action` (`kinesis:PutRecords`) on `resource` (an ARN) as IAM would:
   * the caller's identity policies and the resource's own policy, with the request context.
   */
  authorize(action: string, resource: string, context?: Readonly<Record<string, string>>): Promise<Decision>;
  /**
   * Aborted when the client goes away before the answer (or the endpoint stops), so work that
   * waits for something (SQS long polling) can end.
   */
  readonly signal: AbortSignal;
}

export interface AwsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export interface AwsService {
  /** Signing names it answers (`sqs`; `monitoring` for CloudWatch). */
  readonly signingNames: readonly string[];
  /** X-Amz-Target prefixes it answers when a request carries no credential scope (`AmazonSQS.`). */
  readonly targetPrefixes?: readonly string[];
  /**
   * API versions of query-protocol requests it answers when they carry no credential scope
   * (`2011-06-15` for STS: AssumeRoleWithWebIdentity is called unsigned, with only `Action` and
   * `Version` to name the service).
   */
  readonly queryVersions?: readonly string[];
  handle(request: AwsRequest): Promise<AwsResponse>;
}
