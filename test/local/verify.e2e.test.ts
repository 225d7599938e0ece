import { GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LABS } from '#core/labs';
import { realSleep } from '#core/retry';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { type PathId, type PathResult } from '../../ops/verify/paths';
import { verifyDeployment } from '../../ops/verify/probes';
import { localDeployment } from '../../ops/verify/targets';
import { writeLocalEndpoints } from '../../cli/endpoints-file';
import {
  editedAssembly,
  synthesizeAssembly,
  WITH_SENSORS,
  type Assembly,
  type EditableTemplate as Template,
} from '../support/assembly';
import { cleanEnv, runScript } from '../support/run-command';
import { TEST_PACE } from '../support/pipeline-pace';

/**
 * `npm run verify` against the local run: every path ✓ on the default app, and each path ✗
 * with its pointer when broken the way a deployment breaks (a function's event source stopped,
 * a grant removed from a role's policy, which the endpoint's IAM then enforces, a delivery
 * stream paused). Short windows keep each run to seconds.
 */

const WINDOW_SECONDS = 3;
let assembly: Assembly;
const started: LocalPipeline[] = [];
const temporary: string[] = [];

beforeAll(() => {
  // Every path of the Wild Rydes labs and the sensors' (the log path has its own test below).
  assembly = synthesizeAssembly(WITH_SENSORS);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
});
afterAll(() => {
  assembly.remove();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the assembly (its bundles linked, not copied) with the templates changed by `edit`. */
function brokenAssembly(edit: (template: Template) => void): string {
  const dir = editedAssembly(assembly.dir, 'verify-broken-', edit);
  temporary.push(dir);
  return dir;
}

const resource = (template: Template, type: string, prefix: string) => {
  const found = Object.entries(template.Resources).find(
    ([id, r]) => r.Type === type && id.startsWith(prefix),
  );
  if (!found) throw new Error(`No ${type} ${prefix}* in the template`);
  return found[1];
};

/** Removes the statements of a role's default policy that grant `action`. */
function removeGrant(template: Template, policyPrefix: string, action: string) {
  const doc = resource(template, 'AWS::IAM::Policy', policyPrefix).Properties.PolicyDocument as {
    Statement: { Action: string | string[] }[];
  };
  const before = doc.Statement.length;
  doc.Statement = doc.Statement.filter((s) => ![s.Action].flat().includes(action));
  expect(doc.Statement.length).toBeLessThan(before);
}

async function start(assemblyDir: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'verify-local-'));
  temporary.push(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const pipeline = await startLocalPipeline({
    ...TEST_PACE,
    assemblyDir,
    dataDir,
    windowSeconds: WINDOW_SECONDS,
    log: () => undefined,
  });
  started.push(pipeline);
  return { pipeline, dataDir };
}

async function verify(pipeline: LocalPipeline, dataDir: string, assemblyDir: string) {
  const deployment = localDeployment({
    endpoint: pipeline.endpoint,
    region: pipeline.region,
    stacks: pipeline.stacks,
    assemblyDir,
    dataDir,
    windowSeconds: WINDOW_SECONDS,
    bufferSeconds: 1,
    slackSeconds: 10,
    pollMs: 200,
  });
  try {
    const t0 = Date.now();
    const results = await verifyDeployment(deployment, {
      now: Date.now,
      sleep: realSleep,
    });
    return { results, elapsed: Date.now() - t0, byId: (id: PathId) => results.find((r) => r.id === id)! };
  } finally {
    await deployment.close();
  }
}

/** `npm run verify` (tsx bin/verify.ts) as a process of its own. */
function npmRunVerify(env: NodeJS.ProcessEnv) {
  return runScript('verify', [], env);
}

const statuses = (results: readonly PathResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));

it('npm run verify against the running local pipeline: every path of the default app ✓, probe items deleted', async () => {
  const { pipeline, dataDir } = await start(assembly.dir);
  // What npm start writes, so that verify finds the run as it would.
  const endpointsFile = path.join(dataDir, 'endpoints.json');
  writeLocalEndpoints(endpointsFile, {
    pid: process.pid,
    region: pipeline.region,
    endpoint: pipeline.endpoint,
    ...pipeline.endpoints,
    stacks: Object.fromEntries(pipeline.stacks.map((s) => [s.stackName, s.outputs])),
    windowSeconds: WINDOW_SECONDS,
    dataDir,
    assemblyDir: assembly.dir,
  });
  const t0 = Date.now();
  const run = await npmRunVerify(cleanEnv({ WILDRYDES_ENDPOINTS_FILE: endpointsFile }));
  const elapsed = Date.now() - t0;
  expect(run.stderr).toBe('');
  const lines = run.stdout.trim().split('\n');
  expect(lines.map((l) => l.slice(0, 18))).toEqual([
    '✓ telemetry stream',
    '✓ summary stream  ',
    '✓ DynamoDB item   ',
    '✓ data lake       ',
    '✓ dashboard guest ',
    '✓ sensor path     ',
    '✓ alarm topic     ',
    'All 7 paths work.',
  ]);
  expect(run.code).toBe(0);
  // Two windows plus the slack a busy machine needs, and the command's own start.
  expect(elapsed).toBeLessThan((2 * WINDOW_SECONDS + 10 + 10) * 1000);

  // The probe's summary item and sensor aggregate are gone.
  const outputs = pipeline.stacks[0].outputs;
  const probe = /(VerifyProbe-\S+) put on/.exec(run.stdout)![1];
  const summaryTime = /window ([^,]+),/.exec(run.stdout)![1];
  const item = await pipeline.dynamodb.send(
    new GetItemCommand({
      TableName: outputs.SummaryTableName,
      Key: { Name: { S: probe }, StatusTime: { S: summaryTime } },
      ConsistentRead: true,
    }),
  );
  expect(item.Item).toBeUndefined();
  const aggregates = await pipeline.dynamodb.send(
    new QueryCommand({
      TableName: outputs.SensorAggregateTableName,
      KeyConditionExpression: 'sensorId = :id',
      ExpressionAttributeValues: { ':id': { S: probe } },
    }),
  );
  expect(aggregates.Items).toEqual([]);
});

it('each broken path is ✗ and points at what to look at; paths after it are not reached', async () => {
  const dir = brokenAssembly((template) => {
    // The aggregation's event source stopped.
    resource(template, 'AWS::Lambda::EventSourceMapping', 'SummaryAggregationFunction').Properties.Enabled =
      false;
    // The guest role loses its read grant on the telemetry stream.
    delete resource(template, 'AWS::IAM::Role', 'DashboardAccessUnauthenticatedRole').Properties.Policies;
    // The sensor processing may no longer write its aggregates.
    removeGrant(template, 'SensorPipelineProcessingFunctionRoleDefaultPolicy', 'dynamodb:UpdateItem');
  });
  const { pipeline, dataDir } = await start(dir);
  // The data lake's delivery stream paused: it reads nothing more.
  await pipeline.deliveryStreams.find((d) => d.deliveryStream.logicalId.startsWith('DataLake'))!.abandon();

  const { results, byId } = await verify(pipeline, dataDir, dir);
  expect(statuses(results)).toEqual({
    telemetry: 'ok',
    summary: 'failed',
    table: 'not-reached',
    datalake: 'failed',
    guest: 'failed',
    sensors: 'failed',
    alarms: 'ok',
  });
  const logs = path.relative(process.cwd(), path.join(dataDir, 'logs'));
  expect(byId('summary').pointer).toContain(`log ${path.join(logs, 'WildRydes-SummaryAggregation.log')}`);
  expect(byId('summary').pointer).toContain('AggregationErrors');
  expect(byId('summary').detail).toMatch(/^A summary of VerifyProbe-\S+ not seen within \d+ s/);
  expect(byId('table').detail).toBe('not reached: the summary stream failed');
  expect(byId('guest').detail).toMatch(/AccessDenied|not authorized/);
  expect(byId('guest').pointer).toMatch(/guest role/);
  expect(byId('sensors').pointer).toContain(path.join(logs, 'WildRydes-SensorPipelineProcessing.log'));
  expect(byId('datalake').pointer).toMatch(/DataLake delivery stream/);
});

it('a stopped persistence is ✗ at the DynamoDB item while the summary is ✓', async () => {
  const dir = brokenAssembly((template) => {
    resource(template, 'AWS::Lambda::EventSourceMapping', 'SummaryPersistenceFunction').Properties.Enabled =
      false;
  });
  const { pipeline, dataDir } = await start(dir);
  const { byId } = await verify(pipeline, dataDir, dir);
  expect(byId('summary').status).toBe('ok');
  expect(byId('table').status).toBe('failed');
  expect(byId('table').pointer).toContain('WildRydes-SummaryPersistence.log');
  expect(byId('table').pointer).toContain('PersistenceErrors');
});

it('the log path: ✓ where the weblog lab is deployed, ✗ with a pointer when its delivery stream is paused', async () => {
  const withWeblogs = synthesizeAssembly({ labs: [...DEFAULT_LABS, 'weblogs'] });
  try {
    const { pipeline, dataDir } = await start(withWeblogs.dir);
    const healthy = await verify(pipeline, dataDir, withWeblogs.dir);
    expect(healthy.byId('logs')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^log line of VerifyProbe-\S+ in s3:\/\/\S+\/weblogs\//),
    });
    expect(healthy.byId('directlogs')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        /^log line of VerifyProbe-\S+ through weblogs-direct in s3:\/\/\S+\/weblogs-direct\//,
      ),
    });
    const weblogs = pipeline.stacks
      .find((s) => s.outputs.WeblogStreamName)!
      .deliveryStreams.find((d) => d.type === 'KinesisStreamAsSource')!;
    await pipeline.deliveryStreams.find((d) => d.deliveryStream.arn === weblogs.arn)!.abandon();
    const paused = await verify(pipeline, dataDir, withWeblogs.dir);
    expect(paused.byId('logs')).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(/^The log line of VerifyProbe-\S+ in s3:\/\/\S+ not seen within \d+ s/),
      pointer: expect.stringContaining('weblog delivery stream'),
    });
    expect(paused.byId('summary').status).toBe('ok');
    // The Direct PUT delivery stream is a path of its own: it still delivers.
    expect(paused.byId('directlogs').status).toBe('ok');
  } finally {
    await Promise.all(started.splice(0).map((p) => p.stop()));
    withWeblogs.remove();
  }
});
