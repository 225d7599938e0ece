/**
 * The log agent: every flow of a configuration, their checkpoints, a send loop, the agent's
 * CloudWatch metrics and periodic status lines. `LogAgent` is stepped explicitly (`tick`,
 * `flush`) so tests and the local runtime control time; `startLogAgent` runs it in the
 * background until `stop()`.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { RetryPolicy } from '#core/put-records';
import { sleep as realSleep } from '../cli/run-main';
import { loadCheckpoints, saveCheckpoints, type Checkpoints } from './checkpoints';
import { parseAgentConfig, type AgentConfig, type FlowConfig, type ParseOptions } from './config';
import { Ec2Metadata, noEc2Identity, type Ec2IdentityLookup } from './ec2-metadata';
import { Flow, type FlowStats } from './flow';
import { MetricsPublisher } from './metrics';
import { firehoseSink, kinesisSink, type Sink } from './sinks';

export interface AgentIO {
  /** Client for the flows' Kinesis data streams (see `agentClients`). */
  readonly kinesis?: KinesisClient;
  /** Client for the flows' Firehose delivery streams. */
  readonly firehose?: FirehoseClient;
  /** Where the agent's metrics go when cloudwatch.emitMetrics is on. @default none: not sent */
  readonly cloudwatch?: CloudWatchClient;
  /** For messages about where metrics go. */
  readonly cloudwatchEndpoint?: string;
  /** The instance identity for ADDEC2METADATA. @default none (no metadata service) */
  readonly ec2Identity?: Ec2IdentityLookup;
  /** Status lines and notices. @default a line on stderr */
  readonly log?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Resolves after `ms`, or at once when `signal` aborts. @default a timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For RANDOM partition keys and back-off jitter. @default Math.random */
  readonly random?: () => number;
  /** Per-request PutRecords retries. @default from each flow's retry settings */
  readonly retryPolicy?: RetryPolicy;
}

export interface FlowStatus extends FlowStats {
  /** The Kinesis data stream or Firehose delivery stream. */
  readonly stream: string;
  readonly destination: FlowConfig['destination'];
  readonly filePattern: string;
  /** Files followed now. */
  readonly files: number;
  /** Bytes in the files not read yet. */
  readonly unreadBytes: number;
  /** Records read and not yet accepted. */
  readonly unsentRecords: number;
}

export interface AgentStats {
  readonly flows: readonly FlowStatus[];
}

const number = (n: number) => n.toLocaleString('en-US');
const kib = (bytes: number) =>
  bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function sinkFor(flow: FlowConfig, io: AgentIO): Sink {
  if (flow.destination === 'firehose') {
    if (!io.firehose) throw new Error(`flow ${flow.id} sends to Firehose, but no Firehose client was given`);
    return firehoseSink(io.firehose, flow.streamName);
  }
  if (!io.kinesis) throw new Error(`flow ${flow.id} sends to Kinesis, but no Kinesis client was given`);
  return kinesisSink(io.kinesis, flow.streamName);
}

export class LogAgent {
  readonly flows: readonly Flow[];
  /** Publishes the agent's metrics (cloudwatch.emitMetrics with a CloudWatch client). */
  readonly metrics?: MetricsPublisher;
  private readonly ec2?: Ec2Metadata;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private checkpoints: Checkpoints = { version: 1, flows: {} };
  private started = false;
  private lastReport: { at: number; sent: number[] } | undefined;

  constructor(
    readonly config: AgentConfig,
    io: AgentIO,
  ) {
    this.log = io.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.now = io.now ?? Date.now;
    this.sleep = io.sleep ?? realSleep;
    if (config.metrics.emit && io.cloudwatch) {
      this.metrics = new MetricsPublisher(io.cloudwatch, {
        namespace: config.metrics.namespace,
        bufferTimeMillis: config.metrics.bufferTimeMillis,
        now: this.now,
        log: this.log,
        endpoint: io.cloudwatchEndpoint,
      });
    }
    const usesEc2 = config.flows.some((f) =>
      f.dataProcessingOptions.some((o) => o.optionName === 'ADDEC2METADATA'),
    );
    if (usesEc2) this.ec2 = new Ec2Metadata(io.ec2Identity ?? noEc2Identity, this.now, this.log);
    this.flows = config.flows.map((flow) => {
      const ec2Option = flow.dataProcessingOptions.find((o) => o.optionName === 'ADDEC2METADATA');
      return new Flow(flow, {
        sink: sinkFor(flow, io),
        now: this.now,
        random: io.random ?? Math.random,
        log: this.log,
        retryPolicy: io.retryPolicy,
        ...(this.ec2 && ec2Option?.optionName === 'ADDEC2METADATA'
          ? { ec2Metadata: this.ec2.source(ec2Option) }
          : {}),
        ...(this.metrics ? { onDelivery: (d, counts) => this.metrics!.record(d, counts) } : {}),
      });
    });
  }

  /** Looks up what needs a network call before the first record: the EC2 identity for ADDEC2METADATA. */
  async prepare(): Promise<void> {
    await this.ec2?.refresh();
  }

  /**
   * Reads the checkpoints and finds each flow's files; records where END_OF_FILE flows start.
   * Throws if the checkpoint file exists but cannot be read (starting over would resend all).
   */
  start(): void {
    if (this.started) return;
    this.checkpoints = loadCheckpoints(this.config.checkpointFile);
    for (const flow of this.flows) flow.start(this.checkpoints.flows[flow.config.id]?.sources);
    this.started = true;
    this.save();
    this.lastReport = { at: this.now(), sent: this.flows.map((f) => f.stats.recordsSent) };
  }

  /** Writes every flow's position to the checkpoint file, keeping other flows' entries. */
  save(): void {
    const ttl = this.config.checkpointTimeToLiveDays * 24 * 3600 * 1000;
    const flows = { ...this.checkpoints.flows };
    for (const flow of this.flows) {
      flow.tailer.prune(ttl);
      flows[flow.config.id] = { sources: flow.snapshot() };
    }
    this.checkpoints = { version: 1, flows };
    saveCheckpoints(this.config.checkpointFile, this.checkpoints);
  }

  /**
   * One step: flows whose poll interval has passed look at their files and read new lines;
   * each flow sends a buffer if one is due (`force`: whatever is buffered). The checkpoint is
   * written when something was accepted.
   */
  async tick(force = false): Promise<void> {
    let moved = false;
    for (const flow of this.flows) {
      if (flow.pollDue()) flow.poll();
      if (await flow.send(force)) moved = true;
    }
    if (moved) this.save();
    await this.metrics?.publishIfDue();
  }

  /**
   * Sends everything the files hold now, retrying rejected records until `deadline`
   * (epoch ms). Returns how many records are still not accepted (they are sent after the next
   * start: the checkpoint does not cover them).
   */
  async flush(deadline: number, abandon?: AbortSignal): Promise<number> {
    for (;;) {
      let moved = false;
      for (const flow of this.flows) {
        flow.poll();
        // Send buffer after buffer; a rejected one sets the flow's retry time.
        do {
          const before = flow.unsentRecords;
          if (await flow.send(true)) moved = true;
          if (flow.unsentRecords === 0 || flow.unsentRecords >= before) break;
        } while (this.now() >= flow.retryAt);
      }
      if (moved) this.save();
      const left = this.flows.reduce((n, f) => n + f.unsentRecords, 0);
      if ((left === 0 && this.flows.every((f) => f.idle)) || this.now() >= deadline || abandon?.aborted) {
        return left;
      }
      const retryAt = Math.min(...this.flows.filter((f) => f.unsentRecords > 0).map((f) => f.retryAt));
      if (Number.isFinite(retryAt) && retryAt > this.now()) {
        await this.sleep(Math.min(retryAt, deadline) - this.now(), abandon);
      }
    }
  }

  stats(): AgentStats {
    return {
      flows: this.flows.map((flow) => {
        const backlog = flow.tailer.backlog();
        return {
          ...flow.stats,
          stream: flow.config.streamName,
          destination: flow.config.destination,
          filePattern: flow.config.filePattern,
          files: backlog.files,
          unreadBytes: backlog.bytes,
          unsentRecords: flow.unsentRecords,
        };
      }),
    };
  }

  /** One line per flow: throughput since the last status, backlog, retries, malformed lines. */
  statusLines(): string[] {
    const now = this.now();
    const last = this.lastReport ?? { at: now, sent: this.flows.map(() => 0) };
    const seconds = Math.max(0.001, (now - last.at) / 1000);
    const lines = this.stats().flows.map((s, i) => {
      const rate = (s.recordsSent - (last.sent[i] ?? 0)) / seconds;
      const parts = [
        `${number(s.recordsSent)} records sent (${rate.toFixed(1)}/s, ${kib(s.bytesSent)})`,
        `backlog ${number(s.unsentRecords)} records + ${kib(s.unreadBytes)} unread in ${s.files} file${s.files === 1 ? '' : 's'}`,
        ...(s.retried ? [`${number(s.retried)} retried`] : []),
        ...(s.malformedSkipped ? [`${number(s.malformedSkipped)} malformed skipped`] : []),
        ...(s.malformedSentRaw ? [`${number(s.malformedSentRaw)} malformed sent raw`] : []),
        ...(s.truncatedLines ? [`${number(s.truncatedLines)} long lines cut`] : []),
        ...(s.failedSends && s.lastError ? [`last error: ${s.lastError}`] : []),
      ];
      return `${s.stream} <- ${s.filePattern}: ${parts.join(', ')}`;
    });
    this.lastReport = { at: now, sent: this.stats().flows.map((s) => s.recordsSent) };
    return lines;
  }

  /** How often the run loop wakes: the shortest poll interval of the flows. */
  get pollIntervalMs(): number {
    return Math.min(...this.flows.map((f) => f.config.minTimeBetweenFilePollsMillis));
  }

  /**
   * Runs until `stop` aborts (or, with `once`, until every file has been read and sent), then
   * sends what was read within shutdownTimeoutMillis, saves the checkpoints and closes the files.
   */
  async run(stop: AbortSignal, options: { once?: boolean; abandon?: AbortSignal } = {}): Promise<AgentStats> {
    this.start();
    await this.prepare();
    const period = this.config.statusReportingPeriodSeconds * 1000;
    let nextReport = this.now() + period;
    try {
      while (!stop.aborted) {
        await this.tick(options.once);
        if (options.once && this.flows.every((f) => f.idle)) break;
        if (this.now() >= nextReport) {
          this.statusLines().forEach((line) => this.log(line));
          nextReport = this.now() + period;
        }
        await this.sleep(this.pollIntervalMs, stop);
      }
      const left = await this.flush(this.now() + this.config.shutdownTimeoutMillis, options.abandon);
      if (left > 0) {
        this.log(
          `${number(left)} records were not accepted before the shutdown timeout; they are sent after the next start`,
        );
      }
      this.statusLines().forEach((line) => this.log(line));
      await this.metrics?.publish();
      return this.stats();
    } finally {
      this.save();
      this.close();
    }
  }

  close(): void {
    for (const flow of this.flows) flow.close();
  }
}

export interface LogAgentHandle {
  readonly agent: LogAgent;
  /** Settings of the configuration that deserve a second look. */
  readonly warnings: readonly string[];
  /** Keys of the configuration that have no effect here. */
  readonly notes: readonly string[];
  /** Resolves when the agent has stopped (rejects if it failed). */
  readonly done: Promise<AgentStats>;
  /** Stops reading, sends what was read (within shutdownTimeoutMillis), saves the checkpoints. */
  stop(): Promise<AgentStats>;
  stats(): AgentStats;
}

/**
 * Starts an agent in the background from a configuration in the Kinesis Agent's JSON format
 * (the object `agent.json` holds), with injected clients. Throws a ConfigError for a
 * configuration that cannot work, and a CheckpointError for an unreadable checkpoint file.
 */
export function startLogAgent(
  config: unknown,
  io: AgentIO,
  options: ParseOptions & { readonly once?: boolean } = {},
): LogAgentHandle {
  const parsed = parseAgentConfig(config, options);
  const agent = new LogAgent(parsed.config, io);
  const log = io.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  [...parsed.warnings, ...parsed.notes].forEach((line) => log(line));
  agent.start();
  const stop = new AbortController();
  const done = agent.run(stop.signal, { once: options.once });
  return {
    agent,
    warnings: parsed.warnings,
    notes: parsed.notes,
    done,
    stop: () => {
      stop.abort();
      return done;
    },
    stats: () => agent.stats(),
  };
}
