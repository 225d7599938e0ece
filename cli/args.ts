import yargs, { type Argv } from 'yargs';

/** Thrown for a command line that cannot work; the entry point prints it as one line. */
export class UsageError extends Error {}

/**
 * A yargs parser that accepts the workshop's single-dash long flags (`-name Bucephalus`,
 * `-stream wildrydes-summary`) as well as GNU style (`--name`), rejects unknown flags, and
 * reports problems as a UsageError instead of exiting.
 */
export function commandLine(argv: readonly string[], scriptName: string): Argv {
  return yargs([...argv])
    .scriptName(scriptName)
    .parserConfiguration({ 'short-option-groups': false, 'strip-dashed': true, 'strip-aliased': true })
    .strict()
    .version(false)
    .help('help')
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw error instanceof UsageError
        ? error
        : new UsageError(message || error?.message || 'invalid arguments');
    });
}

/** Whether yargs printed help (it does not exit the process here), so the command should stop. */
export function helpShown(args: object): boolean {
  return (args as { help?: unknown }).help === true;
}

export const connectionOptions = {
  'endpoint-url': {
    type: 'string',
    describe: 'Kinesis endpoint, e.g. http://127.0.0.1:4567 for a local emulator',
  },
  region: {
    type: 'string',
    requiresArg: true,
    describe: 'AWS region (default: from AWS_REGION or your profile)',
  },
} as const;

/** `-c key=value`, repeatable: CDK context passed to the synth, as `cdk synth -c` takes it. */
export const contextOption = {
  context: {
    alias: 'c',
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'CDK context, as for cdk synth',
  },
} as const;

/** The workshop file the workshop commands work on. */
export const workshopFileOption = {
  workshop: {
    type: 'string',
    requiresArg: true,
    demandOption: true,
    describe: 'Workshop file (JSON or YAML)',
  },
} as const;

export function positiveNumber(name: string, { integer = false, max = Infinity } = {}) {
  return (value: unknown) => {
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)) || n > max) {
      throw new UsageError(
        `--${name} must be a positive ${integer ? 'whole ' : ''}number${max < Infinity ? ` up to ${max}` : ''}, got "${value}"`,
      );
    }
    return n;
  };
}

export function yesNo(name: string) {
  return (value: unknown) => {
    if (value === true || value === '' || value === 'yes' || value === 'true') return true;
    if (value === false || value === 'no' || value === 'false') return false;
    throw new UsageError(`--${name} takes yes or no, got "${value}"`);
  };
}
