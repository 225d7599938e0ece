import { restXmlError } from './protocols';
import { forwardAsIs, proxiedService, type Access, type Around, type Forwarded } from './proxy';
import type { AwsRequest, AwsService } from './service';

/**
 * Amazon S3 behind the endpoint, served by s3rver: path-style (`/bucket/key`) and
 * virtual-host-style (`bucket.localhost:4566/key`) requests, each REST call mapped to the IAM
 * actions it needs (on the bucket, or on the object), bucket policies applied. s3rver insists on
 * its own access key and does not read aws-chunked uploads, so what it receives is adapted:
 * its key in the credential scope (it is started not to check signatures; the endpoint did the
 * authorization), and the chunked body decoded.
 */

/** s3rver's one access key. */
export const S3RVER_KEY = 'S3RVER';

export interface S3Target {
  readonly bucket?: string;
  readonly key?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

/** The bucket and key a request addresses, whichever style it uses. */
export function s3Target(request: Pick<AwsRequest, 'path' | 'headers'>): S3Target {
  const host = String(request.headers.host ?? '').replace(/:\d+$/, '');
  const segments = request.path.split('/').slice(1);
  const decode = (s: string) => decodeURIComponent(s);
  if (host !== '' && !LOOPBACK.test(host) && host.includes('.')) {
    const bucket = host.split('.')[0];
    const key = segments.join('/');
    return { bucket, ...(key ? { key: decode(key) } : {}) };
  }
  const [bucket, ...rest] = segments;
  const key = rest.join('/');
  return { ...(bucket ? { bucket: decode(bucket) } : {}), ...(key ? { key: decode(key) } : {}) };
}

/** Sub-resources (`?cors`, `?policy`, …) and the IAM action each names, per method, on a bucket. */
const BUCKET_SUBRESOURCES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  cors: { GET: 'GetBucketCORS', PUT: 'PutBucketCORS', DELETE: 'PutBucketCORS' },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
  location: { GET: 'GetBucketLocation' },
  acl: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' },
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  lifecycle: {
    GET: 'GetLifecycleConfiguration',
    PUT: 'PutLifecycleConfiguration',
    DELETE: 'PutLifecycleConfiguration',
  },
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'PutBucketTagging' },
  website: { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' },
  uploads: { GET: 'ListBucketMultipartUploads' },
  versions: { GET: 'ListBucketVersions' },
};

function bucketAction(method: string, query: URLSearchParams): string {
  for (const [name, actions] of Object.entries(BUCKET_SUBRESOURCES)) {
    if (query.has(name) && actions[method]) return actions[method];
  }
  switch (method) {
    case 'PUT':
      return 'CreateBucket';
    case 'DELETE':
      return 'DeleteBucket';
    default:
      return 'ListBucket';
  }
}

function objectAction(method: string, query: URLSearchParams): string {
  if (query.has('tagging'))
    return method === 'GET'
      ? 'GetObjectTagging'
      : method === 'PUT'
        ? 'PutObjectTagging'
        : 'DeleteObjectTagging';
  if (query.has('acl')) return method === 'GET' ? 'GetObjectAcl' : 'PutObjectAcl';
  if (query.has('uploadId')) {
    if (method === 'GET') return 'ListMultipartUploadParts';
    if (method === 'DELETE') return 'AbortMultipartUpload';
    return 'PutObject';
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'GetObject';
    case 'DELETE':
      return 'DeleteObject';
    default:
      return 'PutObject';
  }
}

/** The keys of a DeleteObjects (`POST /bucket?delete`) request. */
function deletedKeys(body: Buffer): string[] {
  return [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
    m[1].replace(
      /&(lt|gt|amp|quot|apos);/g,
      (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!,
    ),
  );
}

/** What an S3 request does in IAM's terms. */
export function s3Accesses(request: AwsRequest): Access[] {
  const { bucket, key } = s3Target(request);
  const { method, query } = request;
  if (!bucket) return [{ action: 's3:ListAllMyBuckets', resource: '*' }];
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (method === 'POST' && query.has('delete')) {
    return deletedKeys(request.body).map((k) => ({
      action: 's3:DeleteObject',
      resource: `${bucketArn}/${k}`,
    }));
  }
  if (!key) {
    const action = bucketAction(method, query);
    const prefix = query.get('prefix');
    return [
      {
        action: `s3:${action}`,
        resource: bucketArn,
        ...(prefix !== null ? { context: { 's3:prefix': prefix } } : {}),
      },
    ];
  }
  const accesses: Access[] = [
    { action: `s3:${objectAction(method, query)}`, resource: `${bucketArn}/${key}` },
  ];
  const copySource = request.headers['x-amz-copy-source'];
  if (typeof copySource === 'string') {
    const source = decodeURIComponent(copySource.replace(/^\//, '').split('?')[0]);
    accesses.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${source}` });
  }
  return accesses;
}

/**
 * An `aws-chunked` body (what current SDKs send for uploads with checksums) as plain bytes:
 * `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0…\r\n` and optional trailer lines.
 */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** The request as s3rver takes it: path-style, its own key, a plain body. */
export function forS3rver(request: AwsRequest): Forwarded {
  const forwarded = forwardAsIs(request);
  const headers = { ...forwarded.headers };
  const { bucket, key } = s3Target(request);
  const search = request.query;
  for (const name of ['X-Amz-Credential']) {
    const value = search.get(name);
    if (value) search.set(name, value.replace(/^[^/]+/, S3RVER_KEY));
  }
  const query = search.toString();
  const path = bucket
    ? `/${encodeURIComponent(bucket)}${key ? `/${key.split('/').map(encodeURIComponent).join('/')}` : ''}`
    : '/';
  if (typeof headers.authorization === 'string') {
    headers.authorization = headers.authorization.replace(/Credential=[^/]+\//, `Credential=${S3RVER_KEY}/`);
  }
  let body = forwarded.body;
  const encoding = String(headers['content-encoding'] ?? '');
  if (
    encoding
      .split(',')
      .map((e) => e.trim())
      .includes('aws-chunked')
  ) {
    body = decodeAwsChunked(body);
    const rest = encoding
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== 'aws-chunked');
    if (rest.length > 0) headers['content-encoding'] = rest.join(',');
    else delete headers['content-encoding'];
    delete headers['x-amz-decoded-content-length'];
    delete headers['x-amz-trailer'];
    headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  }
  return { method: request.method, url: `${path}${query ? `?${query}` : ''}`, headers, body };
}

export function s3Service(upstream: () => string, around?: Around): AwsService {
  return proxiedService({
    around,
    signingNames: ['s3'],
    upstream,
    accesses: s3Accesses,
    denied: (_request, access) =>
      restXmlError(
        { code: 'AccessDenied', message: 'Access Denied', status: 403 },
        access.resource.replace(/^arn:aws:s3:::/, '/'),
      ),
    error: (_request, error) => restXmlError(error),
    rewrite: forS3rver,
  });
}
