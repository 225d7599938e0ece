import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { validatePrefix } from '#core/names';

/**
 * A workshop file: the attendees a facilitator provisions one Wild Rydes system for, each in
 * its own CDK Stage, in their own account or side by side in a shared one.
 *
 * ```json
 * { "attendees": [{ "id": "alice", "account": "111111111111", "region": "us-east-1" }] }
 * ```
 *
 * JSON or YAML. Only `attendees` is required; `account` and `region` default to the
 * facilitator's CLI environment.
 */
export interface WorkshopSpec {
  /** Title of the facilitator report. @default 'Wild Rydes workshop' */
  readonly name?: string;
  readonly attendees: readonly AttendeeSpec[];
  /**
   * When resource names get the attendee's id as a prefix: `shared-accounts` prefixes only
   * attendees who share an account (or may, when an account is not given), so an attendee
   * alone in an account gets the seed's own names; `always` prefixes everyone.
   * @default 'shared-accounts'
   */
  readonly prefixNames?: PrefixNames;
  /** Deployment settings for every attendee, the same keys as `-c key=value` (which wins). */
  readonly settings?: Readonly<Record<WorkshopSettingKey, string | number | boolean>>;
  /** Length of the workshop in hours, for the cost estimate. @default 4 */
  readonly durationHours?: number;
}

export interface AttendeeSpec {
  /** Short lowercase name; the Stage id and, when names are prefixed, the prefix. */
  readonly id: string;
  /** 12-digit AWS account id. @default the facilitator's (CDK_DEFAULT_ACCOUNT) */
  readonly account?: string;
  /** @default the facilitator's (CDK_DEFAULT_REGION) */
  readonly region?: string;
}

export type PrefixNames = 'shared-accounts' | 'always';

/** The settings a workshop file may give for all attendees (the context keys minus `prefix`). */
export const WORKSHOP_SETTING_KEYS = [
  'telemetryShards',
  'telemetryStreamMode',
  'alarmEmail',
  'weblogs',
  'weblogsHttpCidr',
] as const;
export type WorkshopSettingKey = (typeof WORKSHOP_SETTING_KEYS)[number];

export const DEFAULT_WORKSHOP_HOURS = 4;

/** One attendee's deployment, as the CDK app builds it. */
export interface AttendeePlan {
  readonly id: string;
  /** '' keeps the seed's names (the attendee is alone in the account). */
  readonly prefix: string;
  /** Resolved account; undefined means environment-agnostic (the deploying credentials' account). */
  readonly account?: string;
  readonly region?: string;
  /** Stage construct id: `cdk deploy '<stageId>/*'` selects the attendee's stacks. */
  readonly stageId: string;
  /** CloudFormation stack names, unique across the workshop (outputs files are keyed by them). */
  readonly stackName: string;
  readonly weblogStackName: string;
}

/** A workshop file that cannot be used; the message says where and why, on one line. */
export class WorkshopFileError extends Error {}

const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const WORKSHOP_KEYS = ['name', 'attendees', 'prefixNames', 'settings', 'durationHours'];
const ATTENDEE_KEYS = ['id', 'account', 'region'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function rejectUnknownKeys(value: Record<string, unknown>, allowed: readonly string[], where: string) {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new WorkshopFileError(
      `${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed.join(', ')})`,
    );
  }
}

/**
 * Validates a parsed workshop file. `source` names the file in messages. Every problem is an
 * error with the offending value: a typo in an attendee must never deploy something else.
 */
export function validateWorkshop(value: unknown, source: string): WorkshopSpec {
  if (!isObject(value)) {
    throw new WorkshopFileError(
      `${source}: expected an object with "attendees", got ${JSON.stringify(value)}`,
    );
  }
  rejectUnknownKeys(value, WORKSHOP_KEYS, source);

  const { name, attendees, prefixNames, settings, durationHours } = value;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    throw new WorkshopFileError(`${source}: "name" must be a non-empty string, got ${JSON.stringify(name)}`);
  }
  if (prefixNames !== undefined && prefixNames !== 'shared-accounts' && prefixNames !== 'always') {
    throw new WorkshopFileError(
      `${source}: "prefixNames" must be "shared-accounts" or "always", got ${JSON.stringify(prefixNames)}`,
    );
  }
  if (
    durationHours !== undefined &&
    !(typeof durationHours === 'number' && Number.isFinite(durationHours) && durationHours > 0)
  ) {
    throw new WorkshopFileError(
      `${source}: "durationHours" must be a positive number, got ${JSON.stringify(durationHours)}`,
    );
  }
  if (settings !== undefined) {
    if (!isObject(settings)) {
      throw new WorkshopFileError(`${source}: "settings" must be an object, got ${JSON.stringify(settings)}`);
    }
    rejectUnknownKeys(settings, WORKSHOP_SETTING_KEYS, `${source} settings`);
    for (const [key, setting] of Object.entries(settings)) {
      if (!['string', 'number', 'boolean'].includes(typeof setting)) {
        throw new WorkshopFileError(
          `${source}: settings.${key} must be a string, number or boolean, got ${JSON.stringify(setting)}`,
        );
      }
    }
  }

  if (!Array.isArray(attendees) || attendees.length === 0) {
    throw new WorkshopFileError(
      `${source}: "attendees" must be a non-empty list of {"id": ...}, got ${JSON.stringify(attendees)}`,
    );
  }
  const seen = new Map<string, number>();
  const parsed = attendees.map((attendee: unknown, index): AttendeeSpec => {
    const where = `${source}: attendees[${index}]`;
    if (!isObject(attendee)) {
      throw new WorkshopFileError(`${where} must be an object with "id", got ${JSON.stringify(attendee)}`);
    }
    rejectUnknownKeys(attendee, ATTENDEE_KEYS, where);
    const { id, account, region } = attendee;
    if (typeof id !== 'string') {
      throw new WorkshopFileError(`${where}.id must be a string, got ${JSON.stringify(id)}`);
    }
    try {
      if (id === '') throw new Error('empty');
      validatePrefix(id);
    } catch {
      throw new WorkshopFileError(
        `${where}.id must be 1-20 lowercase letters, digits or hyphens, starting with a letter, got "${id}"`,
      );
    }
    if (seen.has(id)) {
      throw new WorkshopFileError(`${where}.id "${id}" is already the id of attendees[${seen.get(id)}]`);
    }
    seen.set(id, index);
    // YAML reads an unquoted 012345678901 as a number; account ids are text.
    if (account !== undefined && (typeof account !== 'string' || !ACCOUNT_PATTERN.test(account))) {
      throw new WorkshopFileError(
        `${where}.account must be a 12-digit account id in quotes, got ${JSON.stringify(account)}`,
      );
    }
    if (region !== undefined && (typeof region !== 'string' || !REGION_PATTERN.test(region))) {
      throw new WorkshopFileError(
        `${where}.region must be a region code such as "us-east-1", got ${JSON.stringify(region)}`,
      );
    }
    return {
      id,
      ...(account === undefined ? {} : { account }),
      ...(region === undefined ? {} : { region }),
    };
  });

  return {
    ...(name === undefined ? {} : { name: name as string }),
    attendees: parsed,
    ...(prefixNames === undefined ? {} : { prefixNames: prefixNames as PrefixNames }),
    ...(settings === undefined ? {} : { settings: settings as WorkshopSpec['settings'] }),
    ...(durationHours === undefined ? {} : { durationHours: durationHours as number }),
  };
}

/** Parses workshop file text (JSON is YAML too), with the line of a syntax error. */
export function parseWorkshop(text: string, source: string): WorkshopSpec {
  let value: unknown;
  try {
    // Loaded here: an app without a workshop file (every synth of the default app) never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse: parseYaml } = require('yaml') as typeof import('yaml');
    value = parseYaml(text);
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new WorkshopFileError(`${source}: ${first.replace(/:$/, '')}`);
  }
  return validateWorkshop(value, source);
}

/** Reads and validates a workshop file (`-c workshop=FILE`), relative to the working directory. */
export function readWorkshopFile(file: string): WorkshopSpec {
  let text: string;
  try {
    text = readFileSync(path.resolve(file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WorkshopFileError(
      `Cannot read workshop file ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  return parseWorkshop(text, file);
}

/** CloudFormation stack names of an attendee's deployment. */
export function attendeeStackName(id: string): string {
  return `WildRydes-${id}`;
}
export function attendeeWeblogStackName(id: string): string {
  return `WildRydes-${id}-Weblogs`;
}

/**
 * Turns the attendees into deployments. An attendee keeps the seed's unprefixed names only
 * when no other attendee can be in the same account: the only attendee, or one with an
 * account of their own that no other attendee names, while every other attendee names one
 * (an attendee without an account deploys into the facilitator's, which could be any). Everyone
 * else gets their id as the prefix, so streams, tables, the identity pool, workgroup, Glue
 * database and dashboard never collide. The decision reads only the file, so names do not
 * change with the credentials a command runs with. Accounts and regions not given come from
 * `env` (the facilitator's CLI environment), as for a single deployment.
 */
export function planWorkshop(
  spec: WorkshopSpec,
  env: { readonly CDK_DEFAULT_ACCOUNT?: string; readonly CDK_DEFAULT_REGION?: string } = {},
): AttendeePlan[] {
  return spec.attendees.map((attendee, index) => {
    const own = attendee.account;
    const alone =
      spec.attendees.length === 1 ||
      (own !== undefined &&
        spec.attendees.every(
          (other, j) => j === index || (other.account !== undefined && other.account !== own),
        ));
    const prefixed = spec.prefixNames === 'always' || !alone;
    const account = own ?? env.CDK_DEFAULT_ACCOUNT;
    const region = attendee.region ?? env.CDK_DEFAULT_REGION;
    return {
      id: attendee.id,
      prefix: prefixed ? attendee.id : '',
      ...(account === undefined ? {} : { account }),
      ...(region === undefined ? {} : { region }),
      stageId: attendee.id,
      stackName: attendeeStackName(attendee.id),
      weblogStackName: attendeeWeblogStackName(attendee.id),
    };
  });
}
