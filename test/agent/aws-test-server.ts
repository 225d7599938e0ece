/**
 * A small stand-in for the AWS APIs the log agent calls besides Kinesis, on 127.0.0.1 and a
 * free port, speaking their wire protocols so the real SDK clients can talk to it:
 *
 * - Firehose PutRecordBatch (JSON 1.1, `X-Amz-Target: Firehose_20150804.PutRecordBatch`), with
 *   per-entry failures on request (`FailedPutCount`, `ErrorCode`) and missing streams;
 * - CloudWatch PutMetricData (JSON 1.0, `X-Amz-Target: GraniteServiceVersion20100801.PutMetricData`);
 * - STS AssumeRole (query protocol, XML answer).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with the entries of the next PutRecordBatch calls: one plan per call. */
export type BatchPlan = 'error' | ((index: number) => 'ok' | 'fail');

export interface Call {
  readonly target: string;
  readonly body: Record<string, unknown>;
  readonly authorization: string;
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
) {
  res.writeHead(status, { 'content-type': contentType });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function assumeRoleXml(params: URLSearchParams): string {
  const session = params.get('RoleSessionName');
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAROLEEXAMPLE</AccessKeyId>
      <SecretAccessKey>role-secret</SecretAccessKey>
      <SessionToken>role-session-token</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>${params.get('RoleArn')}/${session}</Arn>
      <AssumedRoleId>AROAEXAMPLE:${session}</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>test</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
}

export async function startAwsTestServer(deliveryStreams: readonly string[] = []) {
  /** Records each delivery stream accepted, in order. */
  const delivered = new Map<string, Buffer[]>(deliveryStreams.map((name) => [name, []]));
  const plans: BatchPlan[] = [];
  const calls: Call[] = [];

  function putRecordBatch(
    body: { DeliveryStreamName: string; Records: { Data: string }[] },
    res: ServerResponse,
  ) {
    const stream = delivered.get(body.DeliveryStreamName);
    if (!stream) {
      return reply(res, 400, {
        __type: 'ResourceNotFoundException',
        message: `Firehose ${body.DeliveryStreamName} under account 123456789012 not found.`,
      });
    }
    const plan = plans.shift() ?? (() => 'ok' as const);
    if (plan === 'error')
      return reply(res, 503, { __type: 'ServiceUnavailableException', message: 'Slow down.' });
    const results = body.Records.map((record, i) => {
      if (plan(i) === 'fail') return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
      stream.push(Buffer.from(record.Data, 'base64'));
      return { RecordId: `record-${stream.length}` };
    });
    reply(res, 200, {
      FailedPutCount: results.filter((r) => 'ErrorCode' in r).length,
      Encrypted: false,
      RequestResponses: results,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    const authorization = String(req.headers.authorization ?? '');
    if (target) {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      calls.push({ target, body, authorization });
      if (target === 'Firehose_20150804.PutRecordBatch') return putRecordBatch(body as never, res);
      if (target === 'GraniteServiceVersion20100801.PutMetricData') {
        return reply(res, 200, {}, 'application/x-amz-json-1.0');
      }
      return reply(res, 400, { __type: 'UnknownOperationException', message: target });
    }
    const params = new URLSearchParams(text);
    calls.push({ target: `STS.${params.get('Action')}`, body: Object.fromEntries(params), authorization });
    if (params.get('Action') === 'AssumeRole') return reply(res, 200, assumeRoleXml(params), 'text/xml');
    reply(res, 400, '<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>', 'text/xml');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) =>
      reply(res, 500, { __type: 'InternalFailure', message: error.message }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    delivered,
    calls,
    /** Lines a delivery stream received, as text. */
    records: (stream: string) => (delivered.get(stream) ?? []).map((data) => data.toString('utf8')),
    createDeliveryStream: (name: string) => delivered.set(name, delivered.get(name) ?? []),
    /** Plans for the next PutRecordBatch calls, in order. */
    plan: (...next: BatchPlan[]) => plans.push(...next),
    /** The PutMetricData requests received. */
    metrics: () =>
      calls
        .filter((c) => c.target === 'GraniteServiceVersion20100801.PutMetricData')
        .map((c) => c.body as { Namespace: string; MetricData: Record<string, unknown>[] }),
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

export type AwsTestServer = Awaited<ReturnType<typeof startAwsTestServer>>;
