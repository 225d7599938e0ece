import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { OutputsByStack } from '#core/outputs';
import { sleep } from '../../cli/run-main';
import { clientConfig } from '../../cli/aws';
import type { AttendeePlan } from '../../lib/workshop';
import type { Verification } from '../report';
import { formatResult } from './paths';
import { passed, verifyAll } from './run';
import { attendeeCredentials, awsDeployment, workshopTargets } from './targets';

export interface WorkshopVerifyOptions {
  /** The role assumed in each attendee's account. */
  readonly role: string;
  readonly concurrency: number;
  readonly region?: string;
  readonly out: (text: string) => void;
}

/**
 * Verifies every attendee with outputs, in parallel (bounded), each in their own account through
 * `role`; the result per attendee id, for the facilitator report.
 */
export async function verifyAttendees(
  attendees: readonly AttendeePlan[],
  outputs: OutputsByStack,
  options: WorkshopVerifyOptions,
): Promise<Record<string, Verification>> {
  const sts = new STSClient(clientConfig({ region: options.region }, 'STS'));
  try {
    const facilitator =
      process.env.CDK_DEFAULT_ACCOUNT ??
      (attendees.some((a) => a.account)
        ? (await sts.send(new GetCallerIdentityCommand({}))).Account
        : undefined);
    const { targets, missing } = workshopTargets(attendees, outputs, (a) =>
      attendeeCredentials(a, facilitator, options.role, sts),
    );
    const results = await verifyAll(
      targets.map((t) => () => awsDeployment(t)),
      {
        concurrency: options.concurrency,
        io: { now: Date.now, sleep },
        out: options.out,
        names: targets.map((t) => t.name),
      },
    );
    const verifications: Record<string, Verification> = {};
    for (const id of missing) verifications[id] = { passed: false, lines: ['✗ not deployed (no outputs)'] };
    for (const r of results) {
      verifications[r.name] = {
        passed: passed(r),
        lines: [...(r.error ? [`✗ ${r.error}`] : []), ...r.results.map((p) => formatResult(p))],
      };
    }
    return verifications;
  } finally {
    sts.destroy();
  }
}
