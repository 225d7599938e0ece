/**
 * The Kinesis Agent's documented configurations (test/agent/fixtures), run by the log-agent
 * command against the local run's one endpoint, as the web server's role (or, for the example
 * with access keys, with those keys): their Kinesis flows reach the weblogs stream and its
 * delivery stream, their Firehose (`deliveryStream`) flows the Direct PUT delivery stream of the
 * log-shipping stack, and every line lands in S3 once.
 */
import { DEFAULT_LABS } from '#core/labs';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
} from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { StackOutputs } from '#core/outputs';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { synthesizeAssembly } from '../support/assembly';
import { cleanEnv, run } from '../support/run-command';
import { waitUntil } from '../support/wait';
import { ACCESS_LOG_RECORDS, ACCESS_LOG_WITH_NOTICE } from '../support/access-log';
import { BATCH_LOG, BATCH_LOG_RECORDS } from '../support/batch-log';

const FIXTURES = path.join(__dirname, '..', 'agent', 'fixtures');
let assembly: ReturnType<typeof synthesizeAssembly>;
let pipeline: LocalPipeline;
let outputs: StackOutputs;
let env: NodeJS.ProcessEnv;
const problems: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'agent-configs-'));

beforeAll(async () => {
  assembly = synthesizeAssembly({ labs: [...DEFAULT_LABS, 'weblogs'] });
  pipeline = await startLocalPipeline({
    assemblyDir: assembly.dir,
    dataDir: path.join(dir, 'data'),
    ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
    bufferIntervalSeconds: 1,
    pollMs: 400,
    log: (message) => problems.push(message),
  });
  const stack = pipeline.stacks.find((s) => s.outputs.WeblogDirectDeliveryName)!;
  outputs = stack.outputs;
  // The agent runs on the web server, with its instance profile's role: IAM decides every call.
  const role = stack.iam.instanceProfiles[0]!.roleArns[0];
  env = cleanEnv({
    ...pipeline.access.roleEnvironment(role, 'web-server'),
    AWS_ENDPOINT_URL: pipeline.endpoint,
    AWS_REGION: pipeline.region,
  });
});
afterAll(async () => {
  await pipeline?.stop();
  assembly?.remove();
});

/**
 * The fixture as written, its log and state folders moved to a new temporary folder and its
 * destinations renamed to the stack's (comments and every other key kept as they are).
 */
function localCopy(fixture: string, destinations: Record<string, string>) {
  const root = mkdtempSync(path.join(dir, `${fixture.replace('.json', '')}-`));
  let text = readFileSync(path.join(FIXTURES, fixture), 'utf8')
    .replaceAll('/var/log/app/', `${root}/logs/`)
    .replaceAll('/var/lib/aws-kinesis-agent/', `${root}/state/`);
  for (const [from, to] of Object.entries(destinations)) text = text.replaceAll(`"${from}"`, `"${to}"`);
  mkdirSync(path.join(root, 'logs'));
  const file = path.join(root, fixture);
  writeFileSync(file, text);
  return { file, log: (name: string) => path.join(root, 'logs', name) };
}

/** Every record delivered under `prefix` since `after` (object keys), one per line. */
async function delivered(prefix: string, after: ReadonlySet<string> = new Set()) {
  await new Promise((resolve) => setTimeout(resolve, 100)); // polled: spare the emulator
  const list = await pipeline.s3.send(
    new ListObjectsV2Command({ Bucket: outputs.WeblogBucketName, Prefix: prefix }),
  );
  const lines: string[] = [];
  const keys = (list.Contents ?? []).map((o) => o.Key!).filter((key) => !after.has(key));
  for (const key of keys) {
    const got = await pipeline.s3.send(new GetObjectCommand({ Bucket: outputs.WeblogBucketName, Key: key }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    lines.push(...gunzipSync(body).toString().split('\n').filter(Boolean));
  }
  return { keys, lines };
}

const keysUnder = async (prefix: string) => new Set((await delivered(prefix)).keys);

it('ships the sample: the same lines to the weblogs stream and the Direct PUT delivery stream, each once, with metrics', async () => {
  const [streamBefore, directBefore] = await Promise.all([
    keysUnder(outputs.WeblogPrefix!),
    keysUnder(outputs.WeblogDirectPrefix!),
  ]);
  const copy = localCopy('sample.json', {
    'app-events': outputs.WeblogStreamName!,
    'app-archive': outputs.WeblogDirectDeliveryName!,
  });
  writeFileSync(copy.log('app.log'), 'written before the agent started: not sent (END_OF_FILE)\n');
  const first = await run('log-agent', ['--config', copy.file, '--once'], env);
  expect(first).toMatchObject({ code: 0 });

  // More than one PutRecordBatch of lines, in the order written.
  const lines = Array.from(
    { length: 700 },
    (_, i) => `09:17:${String(i % 60).padStart(2, '0')} ride ${i + 1}`,
  );
  appendFileSync(copy.log('app.log'), lines.map((l) => `${l}\n`).join(''));
  const second = await run('log-agent', ['--config', copy.file, '--once'], env);
  expect(second.code).toBe(0);
  expect(second.stderr).toMatch(
    new RegExp(`${outputs.WeblogDirectDeliveryName} <- .*app\\.log\\*: 700 records sent`),
  );

  const direct = () => delivered(outputs.WeblogDirectPrefix!, directBefore);
  const viaStream = () => delivered(outputs.WeblogPrefix!, streamBefore);
  await waitUntil(
    async () => (await direct()).lines.length >= lines.length,
    'the direct lines in S3',
    30_000,
  );
  await waitUntil(
    async () => (await viaStream()).lines.length >= lines.length,
    'the stream lines in S3',
    30_000,
  );
  // Each line once: through Direct PUT in the file's order, through the stream in any (random keys).
  expect((await direct()).lines).toEqual(lines);
  expect((await viaStream()).lines.sort()).toEqual([...lines].sort());

  const destinations = pipeline.cloudwatch.store
    .metrics({ namespace: 'AWSKinesisAgent' })
    .flatMap((m) => m.dimensions.map((d) => d.value));
  expect(new Set(destinations)).toEqual(
    new Set([
      `KinesisStream:${outputs.WeblogStreamName}`,
      `DeliveryStream:${outputs.WeblogDirectDeliveryName}`,
    ]),
  );
  expect(problems).toEqual([]);
});

it('ships the configuration with comments and the multi-line CSV one to the Direct PUT delivery stream', async () => {
  const before = await keysUnder(outputs.WeblogDirectPrefix!);
  const comments = localCopy('comments-and-logging.json', {
    'weblogs-archive': outputs.WeblogDirectDeliveryName!,
  });
  writeFileSync(comments.log('access_log'), ACCESS_LOG_WITH_NOTICE);
  const csv = localCopy('csv-multiline.json', { 'batch-records': outputs.WeblogDirectDeliveryName! });
  writeFileSync(csv.log('batch.log'), BATCH_LOG);
  for (const copy of [comments, csv]) {
    const out = await run('log-agent', ['--config', copy.file, '--once'], env);
    expect(out).toMatchObject({ code: 0 });
  }

  const records = async () => (await delivered(outputs.WeblogDirectPrefix!, before)).lines;
  await waitUntil(async () => (await records()).length >= 5, 'five records in S3', 30_000);
  expect((await records()).map((r) => JSON.parse(r) as unknown)).toEqual([
    ...ACCESS_LOG_RECORDS,
    ...BATCH_LOG_RECORDS,
  ]);
  expect(problems).toEqual([]);
});

it('ships the example with access keys: CSVTOJSON and LOGTOJSON records through the weblogs stream into S3', async () => {
  const before = await keysUnder(outputs.WeblogPrefix!);
  const copy = localCopy('example-credentials.json', {
    orders: outputs.WeblogStreamName!,
    weblogs: outputs.WeblogStreamName!,
    'https://kinesis.us-west-2.amazonaws.com': pipeline.endpoint,
    'https://monitoring.us-west-2.amazonaws.com': pipeline.endpoint,
  });
  writeFileSync(
    copy.log('access_log'),
    '64.242.88.10 - - [07/Mar/2004:16:10:02 -0800] "GET /mailman/listinfo/hsdivision HTTP/1.1" 200 6291\n',
  );
  writeFileSync(copy.log('orders.tsv'), 'written before the agent started\n');
  // Its own access keys sign every request: at the endpoint, keys it did not issue are the administrator's.
  const keysOnly = cleanEnv({ AWS_REGION: pipeline.region });
  expect(await run('log-agent', ['--config', copy.file, '--once'], keysOnly)).toMatchObject({ code: 0 });
  appendFileSync(copy.log('orders.tsv'), 'o-1001\tc-17\t12.50\no-1002\tc-42\t8.00\n');
  expect(await run('log-agent', ['--config', copy.file, '--once'], keysOnly)).toMatchObject({ code: 0 });

  const records = async () => (await delivered(outputs.WeblogPrefix!, before)).lines;
  await waitUntil(async () => (await records()).length >= 3, 'three records in S3', 30_000);
  // Two flows on one stream with random keys: each record once, in no particular order.
  expect((await records()).sort()).toEqual(
    [
      '{"order":"o-1001","customer":"c-17","total":"12.50"}',
      '{"order":"o-1002","customer":"c-42","total":"8.00"}',
      '{"host":"64.242.88.10","ident":null,"authuser":null,"datetime":"07/Mar/2004:16:10:02 -0800","request":"GET /mailman/listinfo/hsdivision HTTP/1.1","response":"200","bytes":"6291"}',
    ].sort(),
  );
  expect(problems).toEqual([]);
});

it('serves the Direct PUT delivery stream as Firehose describes an encrypted one, and says puts are encrypted', async () => {
  const firehose = new FirehoseClient({
    endpoint: pipeline.endpoint,
    region: pipeline.region,
    credentials: { accessKeyId: 'any', secretAccessKey: 'thing' },
    maxAttempts: 1,
  });
  try {
    const name = outputs.WeblogDirectDeliveryName!;
    const { DeliveryStreamDescription: description } = await firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }),
    );
    expect(description).toMatchObject({
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfiguration: { KeyType: 'AWS_OWNED_CMK', Status: 'ENABLED' },
    });
    const before = await keysUnder(outputs.WeblogDirectPrefix!);
    const put = await firehose.send(
      new PutRecordBatchCommand({ DeliveryStreamName: name, Records: [{ Data: Buffer.from('one line\n') }] }),
    );
    expect(put).toMatchObject({ FailedPutCount: 0, Encrypted: true });
    const records = async () => (await delivered(outputs.WeblogDirectPrefix!, before)).lines;
    await waitUntil(async () => (await records()).length >= 1, 'the record in S3', 30_000);
    expect(await records()).toEqual(['one line']);
  } finally {
    firehose.destroy();
  }
});
