import { commandLine, helpShown, UsageError } from '../cli/args';
import { runMain } from '../cli/run-main';
import type { OutputFormat } from '../ops/query/format';
import { printResult, repl } from '../ops/query/repl';
import { openSession } from '../ops/query/session';

// The SDK's advance notice about Node.js 22 is noise on a command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `Runs Athena SQL over the Wild Rydes data lake: locally over the running pipeline's S3
(npm start), with the Glue tables of the synthesized templates, or on Athena in a deployed stack.
Without SQL, an interactive prompt (statements end with ;).

Usage: npm run query -- ["SQL"] [--json | --csv] [--aws [--outputs FILE] [--workgroup W] [--database D]]`;

runMain('query', async () => {
  const args = commandLine(process.argv.slice(2), 'query')
    .usage(USAGE)
    // The SQL is the positional argument; unknown flags are still refused.
    .strict(false)
    .strictOptions()
    .options({
      json: { type: 'boolean', default: false, describe: 'Rows as a JSON array of objects' },
      csv: { type: 'boolean', default: false, describe: 'Rows as CSV (RFC 4180) with a header line' },
      aws: { type: 'boolean', default: false, describe: 'Run on Athena instead of the local data lake' },
      outputs: {
        type: 'string',
        requiresArg: true,
        describe: 'cdk deploy --outputs-file output (implies --aws)',
      },
      stack: { type: 'string', requiresArg: true, describe: 'The stack in the outputs file' },
      workgroup: {
        type: 'string',
        requiresArg: true,
        describe: 'Athena workgroup (default: the stack’s, wildrydes)',
      },
      database: {
        type: 'string',
        requiresArg: true,
        describe: 'Database for unqualified table names (default: wildrydes)',
      },
      prefix: {
        type: 'string',
        requiresArg: true,
        describe: 'The deployment’s name prefix (-c prefix=…), for the default names',
      },
      region: {
        type: 'string',
        requiresArg: true,
        describe: 'AWS region (default: from AWS_REGION or your profile)',
      },
      'endpoint-url': { type: 'string', requiresArg: true, describe: 'Athena endpoint (with --aws)' },
      assembly: {
        type: 'string',
        requiresArg: true,
        describe: 'Cloud assembly the local pipeline runs (default: .local/cdk.out)',
      },
    })
    .parseSync();
  if (helpShown(args)) return 0;
  if (args.json && args.csv) throw new UsageError('--json and --csv are alternatives: pass one');
  const awsOnly = (['outputs', 'stack', 'workgroup', 'prefix', 'endpointUrl'] as const).filter(
    (k) => args[k] !== undefined,
  );
  if (!args.aws && !args.outputs && awsOnly.length > 0) {
    throw new UsageError(`--${awsOnly[0].replace('endpointUrl', 'endpoint-url')} is for Athena: add --aws`);
  }
  const format: OutputFormat = args.json ? 'json' : args.csv ? 'csv' : 'table';
  const sql = args._.map(String).join(' ').trim();

  const session = await openSession({
    aws: args.aws,
    outputs: args.outputs,
    stack: args.stack,
    workgroup: args.workgroup,
    database: args.database,
    prefix: args.prefix,
    region: args.region,
    endpointUrl: args.endpointUrl,
    assembly: args.assembly,
  });
  const io = { input: process.stdin, output: process.stdout, errors: process.stderr };
  try {
    if (sql) printResult(await session.run(sql), format, io);
    else await repl(session, format, io);
  } finally {
    await session.close();
  }
  return 0;
});
