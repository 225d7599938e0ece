import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { startLogAgent } from '../agent/agent';
import { formatCombinedLogLine, randomAccessLogEntry } from '#core/apache-log';
import { fleetNames, seededRandom } from '#core/movement';
import { newProducerStats, runProducer } from '../commands/producer';
import { startDashboardServer, type DashboardConfig } from '../dashboard/server';
import type { Workload, WorkloadContext } from '../local/workload';

/** Labels of the figures the workloads put in the status line. */
/** Records the telemetry stream received, from the fleet and any other producer. */
export const FLEET_RECORDS = 'records in';
export const LOG_LINES_SHIPPED = 'log lines shipped';
export const DASHBOARD = 'Dashboard';

/** A long period (ten years, a whole number of minutes): one statistic for the whole run. */
const WHOLE_RUN_SECONDS = 10 * 365 * 24 * 3600;

/**
 * Every record `stream` has taken in this run, whoever put it (the fleet, `npx producer`, any
 * SDK): the Sum of Kinesis's IncomingRecords metric for the stream, as CloudWatch would give it.
 */
export function streamRecordsIn(metrics: WorkloadContext['metrics'], stream: string): number {
  return metrics
    .statistics(
      'AWS/Kinesis',
      'IncomingRecords',
      [{ name: 'StreamName', value: stream }],
      WHOLE_RUN_SECONDS,
      0,
      Infinity,
      ['Sum'],
    )
    .reduce((n, period) => n + (period.Sum ?? 0), 0);
}

/**
 * `unicorns` simulated unicorns, one record a second each, on the first stack's telemetry
 * stream; its status figure counts every record the stream received, the fleet's and others'.
 */
export function unicornFleet(unicorns: number): Workload {
  return {
    name: 'producers',
    async start({ stacks, clients, clock, log, metrics }) {
      const stream = stacks[0]?.outputs.StreamName;
      if (!stream) return undefined;
      const status = () => ({ [FLEET_RECORDS]: streamRecordsIn(metrics, stream) });
      if (unicorns === 0) return { status, stop: async () => undefined };
      const stop = new AbortController();
      const stats = newProducerStats();
      const run = runProducer(
        { stream, names: fleetNames(unicorns), rate: 1, quiet: true },
        {
          kinesis: clients.kinesis,
          out: () => undefined,
          now: clock.now,
          sleep: clock.sleep,
          stop: stop.signal,
          abandon: new AbortController().signal,
          stats,
        },
      ).catch((error: Error) => log(error.message));
      return {
        status,
        stop: async () => {
          stop.abort();
          await run;
        },
      };
    },
  };
}

/**
 * The log-shipping stack, when synthesized: a web server's access log, written here, shipped by
 * the log agent to its stream, which the stack's delivery stream takes to S3.
 */
export function webServerLogs(): Workload {
  return {
    name: 'log-agent',
    async start({ stacks, roleClients, clock, dataDir }) {
      const stack = stacks.find((s) => s.outputs.WeblogStreamName);
      const stream = stack?.outputs.WeblogStreamName;
      if (!stack || !stream) return undefined;
      // The agent runs on the web server, with its instance profile's role.
      const role = stack.iam.instanceProfiles[0]?.roleArns[0];
      const clients = roleClients(role, 'web-server');
      const random = seededRandom(clock.now() >>> 0);
      const accessLog = path.join(dataDir, 'access_log');
      const writer = setInterval(
        () =>
          appendFileSync(accessLog, `${formatCombinedLogLine(randomAccessLogEntry(random, clock.now()))}\n`),
        200,
      );
      const agent = startLogAgent(
        {
          checkpointFile: path.join(dataDir, 'checkpoints.json'),
          flows: [
            {
              filePattern: path.join(dataDir, 'access_log*'),
              kinesisStream: stream,
              initialPosition: 'START_OF_FILE',
              maxBufferAgeMillis: 1000,
              dataProcessingOptions: [{ optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' }],
            },
          ],
        },
        { kinesis: clients.kinesis, log: () => undefined },
      );
      return {
        status: () => ({ [LOG_LINES_SHIPPED]: agent.stats().flows.reduce((n, f) => n + f.recordsSent, 0) }),
        stop: async () => {
          clearInterval(writer);
          await agent.stop();
        },
      };
    },
  };
}

/**
 * The Unicorn Dashboard on `port` (0: a free one), reading the first stack's telemetry stream;
 * `files` is the built page (the one in the assembly), or it is built when the server starts.
 */
export function unicornDashboard(
  port: number,
  settings: Pick<DashboardConfig, 'expirySeconds' | 'pollSeconds'> = {},
  files?: ReadonlyMap<string, Uint8Array>,
): Workload {
  return {
    name: DASHBOARD,
    async start({ stacks, region, endpoint, monitoring }) {
      const {
        StreamName: streamName,
        IdentityPoolId: identityPoolId,
        GuestRoleArn: guestRoleArn,
      } = stacks[0]?.outputs ?? {};
      if (!streamName) return undefined;
      // The page reads as a guest through Cognito and STS at the endpoint, as on AWS.
      const server = await startDashboardServer({
        config: { region, streamName, identityPoolId, guestRoleArn, endpoint, ...settings },
        port,
        ...(files ? { files } : {}),
        // The template's CloudWatch dashboard with the local metrics, for the Monitoring view.
        monitoring,
      });
      return { url: server.url, stop: () => server.stop() };
    },
  };
}
