/**
 * Every data-flow edge of the system (system/data-flow.ts), evaluated by the IAM policy engine
 * against the synthesized templates' identity and resource policies, as AWS evaluates a request:
 * each edge allowed, each non-edge denied, and no attendee of a shared account reaching another's
 * resources.
 */
import { ALL_LABS } from '#core/labs';
import { DATA_FLOW_EDGES, NON_EDGES, type DataFlowEdge } from '../../system/data-flow';
import type { EvaluationRequest } from '../../system/iam-evaluator';
import { workshopConfig } from '../support/synth';
import { synthesizeSystem, type SynthesizedSystem } from '../support/system';

let system: SynthesizedSystem;
let workshop: SynthesizedSystem;
beforeAll(() => {
  system = synthesizeSystem();
  workshop = synthesizeSystem(
    workshopConfig(
      {
        attendees: [
          { id: 'alice', account: '000000000000', region: 'us-east-1' },
          { id: 'bob', account: '000000000000', region: 'us-east-1' },
        ],
      },
      { labs: ALL_LABS },
    ),
  );
});

const show = (r: EvaluationRequest) =>
  `${r.action} on ${r.resource}${r.context && Object.keys(r.context).length ? ` ${JSON.stringify(r.context)}` : ''}`;

async function decisions(s: SynthesizedSystem, requests: EvaluationRequest[]) {
  return Promise.all(requests.map(async (r) => ({ request: show(r), ...(await s.evaluator.evaluate(r)) })));
}

describe('every data-flow edge is allowed', () => {
  it.each(DATA_FLOW_EDGES.map((e) => [e.name, e] as const))('%s', async (_, edge: DataFlowEdge) => {
    const map = system.map();
    expect(map.covers(edge)).toBe(true);
    const requests = map.requests(edge);
    expect(requests.length).toBeGreaterThan(0);
    const denied = (await decisions(system, requests)).filter((d) => !d.allowed);
    expect(denied).toEqual([]);
  });
});

describe('every non-edge is denied', () => {
  it.each(NON_EDGES.map((e) => [e.name, e] as const))('%s', async (_, edge: DataFlowEdge) => {
    const map = system.map();
    const requests = map.requests(edge);
    expect(requests.length).toBeGreaterThan(0);
    const allowed = (await decisions(system, requests)).filter((d) => d.allowed);
    expect(allowed).toEqual([]);
  });
});

describe('two attendees sharing an account', () => {
  it('each has every edge on their own resources', async () => {
    for (const stage of ['alice', 'bob']) {
      const map = workshop.map(stage);
      const requests = DATA_FLOW_EDGES.flatMap((e) => map.requests(e));
      expect((await decisions(workshop, requests)).filter((d) => !d.allowed)).toEqual([]);
    }
  });

  it.each([
    ['alice', 'bob'],
    ['bob', 'alice'],
  ])("%s's roles and groups reach none of %s's resources", async (from, to) => {
    const actors = workshop.map(from);
    const targets = workshop.map(to);
    // CloudWatch acts for the whole account: an alarm may notify any topic of it (scoped by
    // aws:SourceAccount), so the alarm edge is the one that is not per attendee.
    const edges = DATA_FLOW_EDGES.filter((e) => !('service' in e.from) && !('everything' in e.to));
    const requests = edges.flatMap((e) => actors.requests(e, targets));
    expect(requests.length).toBeGreaterThan(50);
    expect((await decisions(workshop, requests)).filter((d) => d.allowed).map((d) => d.request)).toEqual([]);
  });
});

describe('the alarm topic', () => {
  const publish = (context: Record<string, string>): EvaluationRequest => ({
    principal: { kind: 'service', service: 'cloudwatch.amazonaws.com' },
    action: 'sns:Publish',
    resource: system.map().arn('alarmTopic'),
    context,
  });

  it("takes CloudWatch's publish for an alarm of this account", async () => {
    const alarm = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:WildRydes-TelemetryIteratorAge';
    expect(
      await system.evaluator.evaluate(
        publish({ 'aws:SourceAccount': '000000000000', 'aws:SourceArn': alarm }),
      ),
    ).toMatchObject({ allowed: true });
  });

  it("refuses CloudWatch's publish for another account's alarm", async () => {
    const alarm = 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:Elsewhere';
    expect(
      await system.evaluator.evaluate(
        publish({ 'aws:SourceAccount': '111111111111', 'aws:SourceArn': alarm }),
      ),
    ).toMatchObject({ allowed: false });
  });

  it('refuses publishing without TLS, even from CloudWatch', async () => {
    const alarm = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:WildRydes-TelemetryIteratorAge';
    expect(
      await system.evaluator.evaluate(
        publish({
          'aws:SourceAccount': '000000000000',
          'aws:SourceArn': alarm,
          'aws:SecureTransport': 'false',
        }),
      ),
    ).toMatchObject({ allowed: false });
  });
});
