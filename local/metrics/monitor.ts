import type { Clock } from '#core/shard-follower';
import { evaluateAlarm, evaluationWindow, type AlarmDefinition, type AlarmState } from './alarms';
import type { MetricDatum } from './aws-metrics';
import { QueryError, runQueries } from './queries';
import type { MetricStore } from './store';

/**
 * CloudWatch's once-a-minute work for the local run: samples what is published on a schedule
 * (SQS queue depths), then evaluates every alarm of the templates against the metric store and
 * keeps its state, reason and history. Each state change is kept, and so is each alarm action
 * it takes; those into and out of ALARM are logged (SNS is not emulated: the notification is
 * a log line).
 */

export interface AlarmStatus {
  readonly definition: AlarmDefinition;
  readonly state: AlarmState;
  readonly reason: string;
  /** When the state last changed, ms. */
  readonly updated: number;
  /** When the configuration was last updated (the run's start), ms. */
  readonly configurationUpdated: number;
}

export interface AlarmChange {
  readonly name: string;
  readonly from: AlarmState;
  readonly to: AlarmState;
  readonly reason: string;
  readonly at: number;
}

export interface AlarmMonitorOptions {
  readonly store: MetricStore;
  readonly alarms: readonly AlarmDefinition[];
  readonly clock: Clock;
  /** Datapoints published once a minute, before the alarms are evaluated. @default none */
  readonly samplers?: readonly ((now: number) => readonly MetricDatum[])[];
  readonly log: (message: string) => void;
  /** @default 60 s, as CloudWatch evaluates standard alarms */
  readonly intervalMs?: number;
}

const ACTIONS: Record<AlarmState, 'alarmActions' | 'okActions' | 'insufficientDataActions'> = {
  ALARM: 'alarmActions',
  OK: 'okActions',
  INSUFFICIENT_DATA: 'insufficientDataActions',
};

export class AlarmMonitor {
  private readonly states = new Map<string, AlarmStatus>();
  readonly changes: AlarmChange[] = [];
  /** The actions taken: the alarm, the state it went to, and the action's ARN. */
  readonly actions: {
    readonly name: string;
    readonly state: AlarmState;
    readonly action: string;
    readonly at: number;
  }[] = [];
  /** When the alarms were last evaluated (the clock's time), ms. */
  lastEvaluated?: number;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;

  constructor(private readonly options: AlarmMonitorOptions) {
    const now = options.clock.now();
    for (const definition of options.alarms) {
      this.states.set(definition.name, {
        definition,
        state: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        updated: now,
        configurationUpdated: now,
      });
    }
  }

  /** Every alarm's current status, in template order. */
  alarms(): AlarmStatus[] {
    return [...this.states.values()];
  }

  /** Samples, then evaluates every alarm at the clock's time. */
  tick(): void {
    const { store, clock, samplers = [], log } = this.options;
    const now = clock.now();
    for (const sample of samplers) for (const { id, point } of sample(now)) store.put(id, point);
    for (const status of this.states.values()) {
      const { definition } = status;
      const { start, end } = evaluationWindow(definition, now);
      let datapoints: { timestamp: number; value: number }[];
      try {
        const series = runQueries(
          store,
          definition.queries.map((q) => ({ ...q, returnData: q.id === definition.evaluatedId })),
          start,
          end,
        )[0];
        datapoints = series.timestamps.map((timestamp, i) => ({ timestamp, value: series.values[i] }));
      } catch (error) {
        if (!(error instanceof QueryError)) throw error;
        log(`alarm ${definition.name}: ${error.message}`);
        continue;
      }
      const next = evaluateAlarm(definition, datapoints, now, status.state);
      if (next.state === status.state) {
        this.states.set(definition.name, { ...status, reason: next.reason });
        continue;
      }
      this.states.set(definition.name, { ...status, state: next.state, reason: next.reason, updated: now });
      this.changes.push({
        name: definition.name,
        from: status.state,
        to: next.state,
        reason: next.reason,
        at: now,
      });
      // Every change is kept; those into and out of ALARM are told (not the first evaluations).
      const told = status.state === 'ALARM' || next.state === 'ALARM';
      if (told) log(`alarm ${definition.name}: ${status.state} -> ${next.state}: ${next.reason}`);
      if (!definition.actionsEnabled) continue;
      for (const action of definition[ACTIONS[next.state]]) {
        this.actions.push({ name: definition.name, state: next.state, action, at: now });
        if (told)
          log(
            `alarm ${definition.name}: ${next.state} action: notify ${action} (SNS is not emulated: not sent)`,
          );
      }
    }
    this.lastEvaluated = now;
  }

  /** Evaluates now, then at the start of every minute (the clock's), until stopped. */
  start(): void {
    const { clock } = this.options;
    const interval = this.options.intervalMs ?? 60_000;
    const signal = this.stopping.signal;
    this.running = (async () => {
      this.tick();
      while (!signal.aborted) {
        const now = clock.now();
        await clock.sleep(interval - (now % interval), signal);
        if (!signal.aborted) this.tick();
      }
    })().catch((error: Error) => this.options.log(`alarms: ${error.message}`));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }
}
