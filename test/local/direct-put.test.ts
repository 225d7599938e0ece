import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ArtifactType, Manifest } from 'aws-cdk-lib/cloud-assembly-schema';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FirehoseService, firehoseDeliveryStreams } from '../../local/aws/firehose';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { startServiceEndpoint } from '../support/aws-endpoint';
import { FIREHOSE_TEMPLATE } from '../support/firehose';

/**
 * A DirectPut delivery stream in a small cloud assembly (one hand-written template) runs in the
 * local pipeline: the Firehose API over the pipeline's runners takes records, and they reach the
 * bucket in the S3 emulator; records accepted but not yet written when the pipeline stopped
 * short are written by the next run.
 */

const work = mkdtempSync(path.join(tmpdir(), 'direct-put-'));
const started: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((stop) => stop()));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A cloud assembly as `cdk synth` writes one: a manifest naming the stack's template. */
function assembly(): string {
  const dir = path.join(work, 'cdk.out');
  mkdirSync(dir, { recursive: true });
  const template = {
    Resources: {
      // The bucket and the DirectPut delivery stream `clicks` of the Firehose tests.
      Lake: FIREHOSE_TEMPLATE.Resources.Lake,
      DeliveryRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'firehose.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
        },
      },
      DeliveryPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'deliver',
          Roles: [{ Ref: 'DeliveryRole' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
                Resource: [
                  { 'Fn::GetAtt': ['Lake', 'Arn'] },
                  { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Lake', 'Arn'] }, '/*']] },
                ],
              },
            ],
          },
        },
      },
      Clicks: FIREHOSE_TEMPLATE.Resources.Clicks,
    },
  };
  writeFileSync(path.join(dir, 'Clicks.template.json'), JSON.stringify(template));
  Manifest.saveAssemblyManifest(
    {
      version: Manifest.version(),
      artifacts: {
        Clicks: {
          type: ArtifactType.AWS_CLOUDFORMATION_STACK,
          environment: 'aws://unknown-account/us-east-1',
          properties: { templateFile: 'Clicks.template.json' },
        },
      },
    },
    path.join(dir, 'manifest.json'),
  );
  return dir;
}

async function lines(pipeline: LocalPipeline) {
  const listed = await pipeline.s3.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'clicks/' }));
  const out: string[] = [];
  for (const object of listed.Contents ?? []) {
    const got = await pipeline.s3.send(new GetObjectCommand({ Bucket: 'lake', Key: object.Key }));
    out.push(...(await got.Body!.transformToString()).split('\n').filter(Boolean));
  }
  return out;
}

it('takes PutRecordBatch into the pipeline and delivers it to the S3 emulator, across a stop short of a write', async () => {
  const assemblyDir = assembly();
  const dataDir = path.join(work, 'data');
  const run = async () => {
    const pipeline = await startLocalPipeline({
      assemblyDir,
      dataDir,
      ports: { kinesis: 0, dynamodb: 0, s3: 0, sqs: 0 },
      log: () => undefined,
    });
    // The SDK's own retries (3 attempts), as a producer would have them.
    const served = await startServiceEndpoint(
      [
        new FirehoseService({
          deliveryStreams: firehoseDeliveryStreams(pipeline.stacks, pipeline.deliveryStreams),
        }),
      ],
      FirehoseClient,
      { maxAttempts: 3 },
    );
    const { client } = served;
    const put = (values: string[]) =>
      client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'clicks',
          Records: values.map((v) => ({ Data: Buffer.from(v) })),
        }),
      );
    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= (async () => {
        await served.stop();
        await pipeline.stop();
      })());
    started.push(stop);
    return { pipeline, put, stop };
  };

  const first = await run();
  expect(first.pipeline.deliveryStreams.map((d) => d.deliveryStream.type)).toEqual(['DirectPut']);
  await first.put(['a', 'b']);
  const [runner] = first.pipeline.deliveryStreams;
  await runner.flush();
  expect(await lines(first.pipeline)).toEqual(['a', 'b']);
  await first.put(['c', 'd']);
  // Stopped short: the runner ends without writing, as a crash would; the pipeline then stops.
  await runner.abandon();
  await first.stop();

  const second = await run();
  await second.put(['e']);
  await second.pipeline.deliveryStreams[0].flush();
  expect((await lines(second.pipeline)).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  await second.stop();
});
