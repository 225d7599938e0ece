import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { LogAgent } from '../agent/agent';
import { CheckpointError } from '../agent/checkpoints';
import { agentClients, type AgentClients } from '../agent/clients';
import { ConfigError, readAgentConfig, type AgentConfig, type FlowConfig } from '../agent/config';
import { imdsIdentity, noEc2Identity } from '../agent/ec2-metadata';
import { commandLine, connectionOptions, helpShown } from '../cli/args';
import { describeAwsError } from '../cli/aws';
import { interruptSignals, runMain } from '../cli/run-main';

const USAGE = `Tails log files into Kinesis data streams and Firehose delivery streams, configured like the Kinesis Agent.

Usage: log-agent [--config FILE] [--once] [--check] [--endpoint-url URL] [--region REGION]

FILE is in the Kinesis Agent's own format (/etc/aws-kinesis/agent.json works unchanged, comments
included): flows of filePattern and kinesisStream or deliveryStream, with the agent's data
processing options. Positions are checkpointed after each accepted batch (checkpointFile), so a
restart resumes where the agent stopped.`;

function describeFlow(flow: FlowConfig): string {
  const options = flow.dataProcessingOptions.map((o) => o.optionName).join(', ') || 'lines as they are';
  const records = [
    flow.multiLineStartPattern ? `records start at /${flow.multiLineStartPattern}/` : '',
    flow.skipHeaderLines
      ? `${flow.skipHeaderLines} header line${flow.skipHeaderLines === 1 ? '' : 's'} skipped`
      : '',
  ].filter(Boolean);
  const target =
    flow.destination === 'kinesis' ? flow.streamName : `Firehose delivery stream ${flow.streamName}`;
  const keys = flow.destination === 'kinesis' ? `, ${flow.partitionKeyOption} keys` : '';
  return `${flow.filePattern} -> ${target} (${[options, ...records].join('; ')}; ${flow.initialPosition}${keys})`;
}

function describeSetup(config: AgentConfig, clients: AgentClients): string[] {
  const where = (service: 'kinesis' | 'firehose' | 'cloudwatch') =>
    clients.connections[service].endpointUrl ??
    `AWS${clients.connections[service].region ? ` (${clients.connections[service].region})` : ''}`;
  const credentials = config.assumeRole
    ? `role ${config.assumeRole.roleArn}, assumed with ${config.credentials ? 'awsAccessKeyId' : 'the default credentials'}`
    : config.credentials
      ? `awsAccessKeyId ${config.credentials.accessKeyId}`
      : 'the default chain (environment, profile, instance role)';
  return [
    `checkpoints: ${config.checkpointFile}`,
    `credentials: ${credentials}`,
    config.metrics.emit
      ? `metrics: CloudWatch namespace ${config.metrics.namespace} at ${where('cloudwatch')}, every ${config.metrics.bufferTimeMillis / 1000} s`
      : 'metrics: off (cloudwatch.emitMetrics)',
    ...(['kinesis', 'firehose'] as const)
      .filter((d) => config.flows.some((f) => f.destination === d))
      .map((d) => `${d === 'kinesis' ? 'Kinesis' : 'Firehose'}: ${where(d)}`),
  ];
}

/**
 * Names a Kinesis stream that does not exist (or cannot be reached) before anything is read.
 * Asked with ListShards, which a role that may write a stream has (`grantWrite`); a role with
 * only the agent's documented minimum (PutRecords) skips the check, as the Java agent never makes it.
 */
async function checkStreams(config: AgentConfig, clients: AgentClients, file: string): Promise<void> {
  const connection = clients.connections.kinesis;
  for (const stream of new Set(
    config.flows.filter((f) => f.destination === 'kinesis').map((f) => f.streamName),
  )) {
    try {
      await clients.kinesis!.send(new ListShardsCommand({ StreamName: stream, MaxResults: 1 }));
    } catch (error) {
      if ((error as { name?: string }).name === 'AccessDeniedException') continue;
      const endpoint = connection.endpointUrl;
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        const where = endpoint ?? `AWS${connection.region ? ` (${connection.region})` : ''}`;
        throw new Error(
          `Stream "${stream}" does not exist at ${where}: create it, or change kinesisStream in ${file}`,
        );
      }
      throw new Error(describeAwsError(error, { stream, endpoint, region: connection.region }));
    }
  }
}

runMain('log-agent', async () => {
  const args = commandLine(process.argv.slice(2), 'log-agent')
    .usage(USAGE)
    .options({
      config: {
        type: 'string',
        requiresArg: true,
        default: '/etc/aws-kinesis/agent.json',
        describe: 'Agent configuration (Kinesis Agent JSON format)',
      },
      once: { type: 'boolean', default: false, describe: 'Send what the files hold now, then exit' },
      check: { type: 'boolean', default: false, describe: 'Check the configuration and exit' },
      ...connectionOptions,
      'endpoint-url': {
        ...connectionOptions['endpoint-url'],
        describe:
          'Endpoint for every service the configuration uses, e.g. http://127.0.0.1:4567 for a local emulator',
      },
    })
    .parseSync();
  if (helpShown(args)) return 0;

  const stamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const log = (line: string) => process.stderr.write(`${stamp()} ${line}\n`);

  let parsed;
  try {
    parsed = readAgentConfig(args.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`log-agent: ${error.message}\n`);
    return 2;
  }
  const { config, warnings, notes } = parsed;
  for (const warning of warnings) process.stderr.write(`log-agent: warning: ${warning}\n`);
  for (const note of notes) process.stderr.write(`log-agent: note: ${note}\n`);

  const clients = agentClients(config, { endpointUrl: args.endpointUrl, region: args.region });
  try {
    if (args.check) {
      for (const flow of config.flows) process.stdout.write(`${describeFlow(flow)}\n`);
      for (const line of describeSetup(config, clients)) process.stdout.write(`${line}\n`);
      return 0;
    }
    await checkStreams(config, clients, args.config);
    const signals = interruptSignals(() =>
      process.stderr.write('\nStopping: sending what was read (Ctrl-C again to quit now)…\n'),
    );
    const agent = new LogAgent(config, {
      kinesis: clients.kinesis,
      firehose: clients.firehose,
      cloudwatch: clients.cloudwatch,
      cloudwatchEndpoint: clients.connections.cloudwatch.endpointUrl,
      ec2Identity: clients.local ? noEc2Identity : imdsIdentity(),
      log,
    });
    try {
      agent.start();
    } catch (error) {
      if (error instanceof CheckpointError) throw new Error(error.message);
      throw error;
    }
    const stats = await agent.run(signals.stop, { once: args.once, abandon: signals.abandon });
    return stats.flows.some((f) => f.unsentRecords > 0) ? 1 : 0;
  } finally {
    clients.destroy();
  }
});
