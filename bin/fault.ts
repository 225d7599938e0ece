import { commandLine, helpShown, UsageError } from '../cli/args';
import { readLocalEndpoints } from '../cli/endpoints-file';
import { runMain } from '../cli/run-main';
import { FaultSpecError, FAULTS, parseFault } from '../local/faults';

const USAGE = `Adds, lists or clears faults in the running local pipeline (npm start), named as AWS Fault
Injection Service names its actions.

Usage: npm run fault -- add NAME[:PERCENT][@TARGET][?PARAMETER=VALUE&...] ...
       npm run fault -- clear [NAME]
       npm run fault -- list

Faults: ${Object.keys(FAULTS).join(', ')}.
TARGET is a stream, table, function or delivery stream name (all when absent); the Kinesis faults
take operations after a slash: aws:kinesis:inject-api-throttle-error:50@wildrydes/PutRecords.`;

/** One call to the running pipeline's fault route (unsigned AWS JSON at its endpoint). */
async function call(endpoint: string, operation: string, body: object): Promise<{ Faults: string[] }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `LocalFaults.${operation}` },
    body: JSON.stringify(body),
  }).catch((error: Error) => {
    throw new Error(
      `The local pipeline at ${endpoint} does not answer (${error.message}): is npm start running?`,
    );
  });
  const answer = (await response.json()) as { Faults?: string[]; message?: string; __type?: string };
  if (!response.ok)
    throw new Error(answer.message ?? `${answer.__type ?? 'error'} (HTTP ${response.status})`);
  return { Faults: answer.Faults ?? [] };
}

runMain('fault', async () => {
  const args = commandLine(process.argv.slice(2), 'npm run fault --')
    .usage(USAGE)
    .strict(false)
    .strictOptions()
    .options({
      endpoint: {
        type: 'string',
        requiresArg: true,
        describe: "The pipeline's AWS endpoint (default: the running one)",
      },
    })
    .parseSync();
  if (helpShown(args)) return 0;
  const [verb, ...rest] = args._.map(String);
  if (verb === 'add') {
    if (rest.length === 0) throw new UsageError('add takes one or more faults');
    try {
      rest.forEach(parseFault); // one clear line before anything is sent
    } catch (error) {
      if (error instanceof FaultSpecError) throw new UsageError(error.message.replace(/^--fault /, ''));
      throw error;
    }
  }
  const endpoint = args.endpoint ?? readLocalEndpoints()?.endpoint;
  if (!endpoint)
    throw new Error('No local pipeline is running (start one with npm start), or pass --endpoint');
  let result: { Faults: string[] };
  switch (verb) {
    case 'add':
      result = await call(endpoint, 'Add', { Faults: rest });
      break;
    case 'clear':
      if (rest.length > 1) throw new UsageError('clear takes at most one fault name');
      result = await call(endpoint, 'Clear', rest[0] ? { Name: rest[0] } : {});
      break;
    case 'list':
    case undefined:
      result = await call(endpoint, 'List', {});
      break;
    default:
      throw new UsageError(`Unknown command "${verb}": add, clear or list`);
  }
  process.stdout.write(
    result.Faults.length === 0
      ? 'No faults in force.\n'
      : `Faults in force:\n${result.Faults.map((f) => `  ${f}\n`).join('')}`,
  );
  return 0;
});
