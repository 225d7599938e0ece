import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resourceNames } from '#core/names';
import { PROJECT_ROOT, readLocalEndpoints } from '../../cli/endpoints-file';
import { parseOutputs } from '../report';
import type { AthenaPolling } from './athena';
import { QueryError } from './errors';
import type { QuerySession } from './run';

/**
 * Which data a query runs on: the local pipeline's data lake when `npm start` runs (the
 * default), or Athena in a deployed stack (`--aws`, or a `cdk deploy --outputs-file` file),
 * with the workgroup and database from the outputs or the names the stack gives them.
 */

export interface SessionChoice {
  readonly aws?: boolean;
  /** `cdk deploy --outputs-file` output: the stack's workgroup and database. */
  readonly outputs?: string;
  readonly stack?: string;
  readonly workgroup?: string;
  readonly database?: string;
  /** The deployment's name prefix (`-c prefix=alice`), for the default names. */
  readonly prefix?: string;
  readonly region?: string;
  /** Athena endpoint (AWS mode). */
  readonly endpointUrl?: string;
  /** The synthesized assembly the local pipeline runs. @default .local/cdk.out */
  readonly assembly?: string;
  readonly polling?: AthenaPolling;
}

export const LOCAL_ASSEMBLY = path.join(PROJECT_ROOT, '.local', 'cdk.out');

function deployedNames(choice: SessionChoice): { workGroup: string; database: string } {
  const names = resourceNames(choice.prefix ?? '');
  let fromOutputs: Record<string, string> = {};
  if (choice.outputs) {
    let text: string;
    try {
      text = readFileSync(choice.outputs, 'utf8');
    } catch (error) {
      throw new QueryError(`Cannot read outputs file ${choice.outputs}: ${(error as Error).message}`);
    }
    const stacks = Object.entries(parseOutputs(text, choice.outputs)).filter(([name, o]) =>
      choice.stack ? name === choice.stack : 'AthenaWorkGroup' in o,
    );
    if (stacks.length !== 1) {
      throw new QueryError(
        `${choice.outputs}: ${stacks.length === 0 ? 'no stack' : 'several stacks'} with an Athena workgroup${choice.stack ? ` named ${choice.stack}` : ''}: pass --stack`,
      );
    }
    fromOutputs = stacks[0][1];
  }
  return {
    workGroup: choice.workgroup ?? fromOutputs.AthenaWorkGroup ?? names.athenaWorkGroup,
    database: choice.database ?? fromOutputs.GlueTable?.split('.')[0] ?? names.glueDatabase,
  };
}

export async function openSession(
  choice: SessionChoice,
  env: NodeJS.ProcessEnv = process.env,
): Promise<QuerySession> {
  // Each mode loads only its own clients: the Athena SDK, or DuckDB and the local runtime.
  if (choice.aws || choice.outputs) {
    const names = deployedNames(choice);
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded for this mode only (startup time) */
    const { AthenaClient } = require('@aws-sdk/client-athena') as typeof import('@aws-sdk/client-athena');
    const { openAthenaSession } = require('./athena') as typeof import('./athena');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const client = new AthenaClient({
      ...(choice.region ? { region: choice.region } : {}),
      ...(choice.endpointUrl ? { endpoint: choice.endpointUrl } : {}),
    });
    return openAthenaSession({ client, ...names, polling: choice.polling });
  }
  const running = readLocalEndpoints(env);
  if (!running) {
    throw new QueryError(
      'No local pipeline is running: start it with npm start, or pass --aws (with --outputs FILE or --workgroup) to query Athena',
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded for this mode only
  const { openLocalSession } = require('./run') as typeof import('./run');
  return openLocalSession({
    assemblyDir: choice.assembly ?? LOCAL_ASSEMBLY,
    endpoint: running.endpoint,
    region: running.region,
    database: choice.database,
    runningOutputs: running.stacks,
  });
}
