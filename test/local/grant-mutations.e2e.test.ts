/**
 * Every grant the local pipeline relies on is needed, and its loss is reported where it bites:
 * for each data-flow edge the local run exercises, the one policy statement that grants it is
 * removed from a copy of the synthesized assembly (found by the IAM policy engine: the statement
 * without which the edge is denied), the pipeline is started on that copy with traffic that
 * takes the edge, and the endpoint's log must report AccessDenied for exactly that edge: the
 * edge's role, one of its actions, on its resource, and nothing else.
 */
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compileTemplate } from '#core/kdg-template';
import { putRecordsReliably } from '#core/put-records';
import { formatStatusTime } from '#core/status-time';
import { readAssembly, type LocalStack } from '../../local/assembly';
import { startLocalPipeline, type LocalPipeline } from '../../local/runtime';
import { readAssemblyStacks, type CfnTemplate } from '../../system/cloud-assembly';
import { DATA_FLOW_EDGES, SystemMap } from '../../system/data-flow';
import { IamEvaluator, type EvaluationRequest } from '../../system/iam-evaluator';
import type { StackIam } from '../../system/iam-model';
import { editedAssembly, synthesizeAssembly, WITH_SENSORS } from '../support/assembly';
import { TEST_PACE } from '../support/pipeline-pace';

/** The edges the local run takes, an action whose grant is removed, and the traffic that takes it. */
const MUTATIONS: readonly { edge: string; action: string; traffic: 'telemetry' | 'sensors' | 'none' }[] = [
  { edge: 'aggregation event source reads wildrydes', action: 'kinesis:GetRecords', traffic: 'none' },
  { edge: 'aggregation → wildrydes-summary', action: 'kinesis:PutRecords', traffic: 'telemetry' },
  { edge: 'persistence event source reads wildrydes-summary', action: 'kinesis:GetRecords', traffic: 'none' },
  { edge: 'persistence → summary table', action: 'dynamodb:GetItem', traffic: 'telemetry' },
  { edge: 'sensor processing → sensor-alerts', action: 'kinesis:PutRecords', traffic: 'sensors' },
  { edge: 'sensor processing → dedup table', action: 'dynamodb:BatchGetItem', traffic: 'sensors' },
  { edge: 'sensor processing → aggregate table', action: 'dynamodb:UpdateItem', traffic: 'sensors' },
  { edge: 'data lake delivery reads telemetryStream', action: 'kinesis:GetRecords', traffic: 'none' },
  { edge: 'data lake delivery writes its data prefix', action: 's3:PutObject', traffic: 'telemetry' },
  { edge: 'sensor delivery writes its data prefix', action: 's3:PutObject', traffic: 'sensors' },
];

let assembly: ReturnType<typeof synthesizeAssembly>;
let stacks: (LocalStack & { template: CfnTemplate; templateFile: string })[];
const scratch: string[] = [];
const running: LocalPipeline[] = [];

beforeAll(() => {
  assembly = synthesizeAssembly(WITH_SENSORS);
  const read = readAssemblyStacks(assembly.dir);
  stacks = readAssembly(assembly.dir, { sqs: 'http://127.0.0.1:4566' }).map((s, i) => ({
    ...s,
    template: read[i].template,
    templateFile: `${s.stackName}.template.json`,
  }));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(() => {
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  assembly.remove();
});

const denies = async (iam: StackIam[], requests: EvaluationRequest[]) => {
  const evaluator = new IamEvaluator(
    iam.map((i) => ({ iam: i })),
    stacks[0].resolver.accountId,
  );
  return (await Promise.all(requests.map((r) => evaluator.evaluate(r)))).every((d) => !d.allowed);
};

/** The statement of `roleArn`'s policies without which `requests` are denied: its policy and index. */
async function grantOf(roleArn: string, requests: EvaluationRequest[]) {
  for (const [s, stack] of stacks.entries()) {
    const role = stack.iam.roles.find((r) => r.arn === roleArn);
    if (!role) continue;
    for (const [p, policy] of role.policies.entries()) {
      const statements = [policy.document.Statement].flat();
      for (let i = 0; i < statements.length; i++) {
        const without = stacks.map((other, j) =>
          j !== s
            ? other.iam
            : {
                ...other.iam,
                roles: other.iam.roles.map((r) =>
                  r !== role
                    ? r
                    : {
                        ...r,
                        policies: r.policies.map((x, k) =>
                          k !== p
                            ? x
                            : {
                                ...x,
                                document: { ...x.document, Statement: statements.filter((_, n) => n !== i) },
                              },
                        ),
                      },
                ),
              },
        );
        if (await denies(without, requests)) return { stack, role, policyName: policy.name, index: i };
      }
    }
  }
  throw new Error(`No single statement grants ${requests[0].action} to ${roleArn}`);
}

/** A copy of the assembly (bundles linked, not copied) with one statement removed. */
function mutatedAssembly(templateFile: string, policyName: string, index: number): string {
  let edited = false;
  const dir = editedAssembly(assembly.dir, 'mutated-assembly-', (template, file) => {
    if (file !== templateFile) return;
    const policy = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyName === policyName,
    );
    if (!policy) throw new Error(`No policy ${policyName} in ${templateFile}`);
    const document = policy.Properties.PolicyDocument as { Statement: unknown[] };
    document.Statement = document.Statement.filter((_, n) => n !== index);
    edited = true;
  });
  scratch.push(dir);
  if (!edited) throw new Error(`No template ${templateFile} in ${assembly.dir}`);
  return dir;
}

async function drive(pipeline: LocalPipeline, traffic: 'telemetry' | 'sensors' | 'none') {
  const outputs = pipeline.stacks[0].outputs;
  if (traffic === 'telemetry') {
    for (const name of ['Shadowfax', 'Bucephalus']) {
      const status = {
        Name: name,
        StatusTime: formatStatusTime(Date.now()),
        Latitude: 40.7,
        Longitude: -73.9,
        Distance: 12,
        HealthPoints: 150,
        MagicPoints: 140,
      };
      await pipeline.kinesis.send(
        new PutRecordCommand({
          StreamName: outputs.StreamName!,
          PartitionKey: name,
          Data: Buffer.from(JSON.stringify(status)),
        }),
      );
    }
  }
  if (traffic === 'sensors') {
    const template = compileTemplate(
      readFileSync(path.join(__dirname, '..', '..', 'templates', 'sensor-reading.tmpl'), 'utf8'),
      { seed: 3 },
    );
    const t0 = Date.now();
    const entries = Array.from({ length: 50 }, (_, i) => {
      const text = template.render(t0 + i * 10);
      return { data: Buffer.from(text), partitionKey: JSON.parse(text).sensorId as string };
    });
    await putRecordsReliably(pipeline.kinesis, outputs.SensorStreamName!, entries);
  }
}

const DENIAL = /^AccessDenied: arn:aws:sts::\d+:assumed-role\/([^/]+)\/\S+ (\S+) on (\S+)$/;

describe('removing one grant the pipeline relies on', () => {
  it.each(MUTATIONS.map((m) => [m.edge, m] as const))(
    '%s: the endpoint reports AccessDenied for exactly that edge',
    async (_, mutation) => {
      const edge = DATA_FLOW_EDGES.find((e) => e.name === mutation.edge)!;
      const map = new SystemMap(stacks);
      const requests = map.requests(edge);
      const shown = requests.filter((r) => r.action === mutation.action);
      expect(shown.length).toBeGreaterThan(0);
      const principal = shown[0].principal;
      if (principal.kind !== 'role') throw new Error(`${edge.name} is not a role's edge`);
      const grant = await grantOf(principal.roleArn, shown);

      const log: string[] = [];
      const dataDir = mkdtempSync(path.join(tmpdir(), 'mutation-data-'));
      scratch.push(dataDir);
      mkdirSync(dataDir, { recursive: true });
      const pipeline = await startLocalPipeline({
        ...TEST_PACE,
        assemblyDir: mutatedAssembly(grant.stack.templateFile, grant.policyName, grant.index),
        dataDir,
        windowSeconds: 2,
        log: (message) => log.push(message),
      });
      running.push(pipeline);
      await drive(pipeline, mutation.traffic);

      const denials = () => log.map((l) => DENIAL.exec(l)).filter((m) => m !== null);
      const deadline = Date.now() + 20_000;
      while (!denials().some((m) => edge.actions.includes(m[2])) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // A moment more, for a denial of any other edge to show too.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await pipeline.stop();

      const found = denials().map(([, role, action, resource]) => ({ role, action, resource }));
      expect(found.length).toBeGreaterThan(0);
      // The edge's resource: the same ARN, or for objects, one under the same prefix of the bucket
      // (Firehose names each object itself).
      const place = (arn: string) => /^arn:aws:s3:::[^/]+\/[^/]+\//.exec(arn)?.[0] ?? arn;
      const places = new Set(requests.map((r) => place(r.resource)));
      const strays = found.filter(
        (d) =>
          d.role !== grant.role.name || !edge.actions.includes(d.action) || !places.has(place(d.resource)),
      );
      expect(strays).toEqual([]);
    },
    60_000,
  );
});
