import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cleanEnv } from './run-command';

/**
 * The AWS CLI v2 a workshop attendee types, run against a local endpoint with made-up
 * credentials and none of this machine's AWS configuration. Debian's (2.9, at /usr/bin/aws)
 * unless AWS_CLI_PATH names another; `scripts/install-system-tools.sh` installs it, and without
 * it the tests that use it fail rather than skip.
 */
export const AWS_CLI = process.env.AWS_CLI_PATH ?? '/usr/bin/aws';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `aws <args> --endpoint-url <endpoint> --output json`. */
export function awsCli(endpoint: string, args: readonly string[]): Promise<CliResult> {
  if (!existsSync(AWS_CLI)) {
    throw new Error(
      `No AWS CLI at ${AWS_CLI}: run scripts/install-system-tools.sh (Debian's awscli) or set AWS_CLI_PATH`,
    );
  }
  const env = cleanEnv({
    AWS_ACCESS_KEY_ID: 'anything',
    AWS_SECRET_ACCESS_KEY: 'anything',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  });
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      [...args, '--endpoint-url', endpoint, '--output', 'json'],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs the CLI and parses what it printed; fails with its stderr when it fails. */
export async function awsCliJson(
  endpoint: string,
  args: readonly string[],
): Promise<Record<string, unknown>> {
  const result = await awsCli(endpoint, args);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
}
