import { LogAgent } from '../agent/agent';
import { CheckpointError } from '../agent/checkpoints';
import { ConfigError, readAgentConfig } from '../agent/config';
import { agentKinesisClient } from '../agent/kinesis';
import { commandLine, connectionOptions, helpShown } from '../cli/args';
import { describeAwsError, effectiveEndpoint } from '../cli/aws';
import { checkStream } from '../commands/producer';
import { interruptSignals, runMain } from '../cli/run-main';

const USAGE = `Tails log files into Kinesis data streams, configured like the Kinesis Agent.

Usage: log-agent [--config FILE] [--once] [--check] [--endpoint-url URL] [--region REGION]

FILE is in the Kinesis Agent's own format (/etc/aws-kinesis/agent.json works unchanged): flows of
filePattern and kinesisStream, with LOGTOJSON for Apache access logs. Positions are checkpointed
after each accepted batch (checkpointFile), so a restart resumes where the agent stopped.`;

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
  const { config, warnings } = parsed;
  for (const warning of warnings) process.stderr.write(`log-agent: warning: ${warning}\n`);

  const { client, connection } = agentKinesisClient(config, {
    endpointUrl: args.endpointUrl,
    region: args.region,
  });
  if (args.check) {
    for (const flow of config.flows) {
      process.stdout.write(
        `${flow.filePattern} -> ${flow.kinesisStream} (${flow.dataProcessingOptions.map((o) => o.optionName).join(', ') || 'lines as they are'}; ${flow.initialPosition}, ${flow.partitionKeyOption} keys)\n`,
      );
    }
    process.stdout.write(`checkpoints: ${config.checkpointFile}\n`);
    client.destroy();
    return 0;
  }

  try {
    for (const stream of new Set(config.flows.map((f) => f.kinesisStream))) {
      try {
        await checkStream(client, stream);
      } catch (error) {
        const endpoint = effectiveEndpoint(connection);
        if ((error as { name?: string }).name === 'ResourceNotFoundException') {
          const where = endpoint ?? `AWS${connection.region ? ` (${connection.region})` : ''}`;
          throw new Error(
            `Stream "${stream}" does not exist at ${where}: create it, or change kinesisStream in ${args.config}`,
          );
        }
        throw new Error(describeAwsError(error, { stream, endpoint, region: connection.region }));
      }
    }

    const signals = interruptSignals(() =>
      process.stderr.write('\nStopping: sending what was read (Ctrl-C again to quit now)…\n'),
    );
    const agent = new LogAgent(config, { kinesis: client, log });
    try {
      agent.start();
    } catch (error) {
      if (error instanceof CheckpointError) throw new Error(error.message);
      throw error;
    }
    const stats = await agent.run(signals.stop, { once: args.once, abandon: signals.abandon });
    return stats.flows.some((f) => f.unsentRecords > 0) ? 1 : 0;
  } finally {
    client.destroy();
  }
});
