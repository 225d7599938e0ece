import type { LocalStack } from './assembly';
import type { LocalEndpoints } from './emulators';
import type { LocalClients } from './aws-access';
import type { MonitoringSnapshot } from './metrics/dashboard';
import type { MetricStore } from './metrics/store';
import type { Clock } from './shards';

/**
 * Something that runs beside the local pipeline and feeds or shows it: the unicorn fleet, the
 * web server's log agent, the dashboard. The runtime knows only this shape; `bin/` decides what
 * runs, so the runtime depends on none of them.
 */
export interface Workload {
  /** Shown in problems it reports. */
  readonly name: string;
  /** Starts it, or returns undefined when the synthesized stacks give it nothing to do. */
  start(context: WorkloadContext): Promise<RunningWorkload | undefined>;
}

export interface WorkloadContext {
  readonly stacks: readonly LocalStack[];
  readonly region: string;
  readonly endpoints: LocalEndpoints;
  /** The administrator's clients, at the one endpoint. */
  readonly clients: LocalClients;
  /** Clients acting as a session of one of the templates' roles. */
  readonly roleClients: (roleArn: string | undefined, sessionName: string) => LocalClients;
  /** The one AWS endpoint. */
  readonly endpoint: string;
  readonly clock: Clock;
  /** A folder of its own under the data folder, kept across runs. */
  readonly dataDir: string;
  /**
   * The templates' CloudWatch dashboards drawn with the run's metrics and alarms, over the last
   * `minutes` (the administrator's view, for a local page: no credentials involved).
   */
  readonly monitoring: (minutes?: number) => MonitoringSnapshot;
  /** CloudWatch's metric data at the endpoint (what the services publish for the run), to read. */
  readonly metrics: Pick<MetricStore, 'statistics'>;
  readonly log: (message: string) => void;
}

export interface RunningWorkload {
  /** Where a person can look at it (the dashboard's page). */
  readonly url?: string;
  /** Figures for the status line, by label. */
  status?(): Readonly<Record<string, number>>;
  /** Stops it, letting what is in flight finish. */
  stop(): Promise<void>;
}
