import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { isLab, LABS } from '#core/labs';
import { validatePrefix } from '#core/names';
import { parseWith } from '#core/schema';

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
  /**
   * The labs every attendee gets (`core/labs.ts`): lab names, or `all` / `default`;
   * `-c labs=…` wins. @default the default labs (Wild Rydes without sensors and log shipping)
   */
  readonly labs?: readonly string[];
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

const attendeeSchema = z.strictObject(
  {
    id: z.string({ error: 'must be a string' }).refine(
      (id) => {
        try {
          validatePrefix(id);
          return id !== '';
        } catch {
          return false;
        }
      },
      { error: 'must be 1-20 lowercase letters, digits or hyphens, starting with a letter' },
    ),
    // YAML reads an unquoted 012345678901 as a number; account ids are text.
    account: z
      .string({ error: 'must be a 12-digit account id in quotes' })
      .regex(ACCOUNT_PATTERN, { error: 'must be a 12-digit account id in quotes' })
      .optional(),
    region: z
      .string({ error: 'must be a region code such as "us-east-1"' })
      .regex(REGION_PATTERN, { error: 'must be a region code such as "us-east-1"' })
      .optional(),
  },
  { error: 'must be an object with "id"' },
);

const LAB_LIST_ERROR = `must be one of ${LABS.join(', ')}, all, default`;

const workshopSchema = z
  .strictObject(
    {
      name: z
        .string({ error: 'must be a non-empty string' })
        .refine((name) => name.trim() !== '', { error: 'must be a non-empty string' })
        .optional(),
      attendees: z
        .array(attendeeSchema, { error: 'must be a non-empty list of {"id": ...}' })
        .min(1, { error: 'must be a non-empty list of {"id": ...}' }),
      labs: z
        .array(
          z
            .string({ error: LAB_LIST_ERROR })
            .refine((name) => isLab(name) || name === 'all' || name === 'default', {
              error: LAB_LIST_ERROR,
            }),
          { error: `must be a list of labs (${LABS.join(', ')})` },
        )
        .min(1, { error: `must be a list of labs (${LABS.join(', ')})` })
        .optional(),
      prefixNames: z
        .enum(['shared-accounts', 'always'], { error: 'must be "shared-accounts" or "always"' })
        .optional(),
      settings: z
        .strictObject(
          Object.fromEntries(
            WORKSHOP_SETTING_KEYS.map((key) => [
              key,
              z
                .union([z.string(), z.number(), z.boolean()], {
                  error: 'must be a string, number or boolean',
                })
                .optional(),
            ]),
          ) as Record<
            WorkshopSettingKey,
            z.ZodOptional<z.ZodUnion<[z.ZodString, z.ZodNumber, z.ZodBoolean]>>
          >,
          { error: 'must be an object' },
        )
        .optional(),
      durationHours: z
        .number({ error: 'must be a positive number' })
        .positive({ error: 'must be a positive number' })
        .refine(Number.isFinite, { error: 'must be a positive number' })
        .optional(),
    },
    { error: 'expected an object with "attendees"' },
  )
  .superRefine((spec, ctx) => {
    const seen = new Map<string, number>();
    spec.attendees.forEach(({ id }, index) => {
      if (seen.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['attendees', index, 'id'],
          message: `"${id}" is already the id of attendees[${seen.get(id)}]`,
          params: { withoutInput: true },
        });
      seen.set(id, index);
    });
  });

/**
 * Validates a parsed workshop file. `source` names the file in messages. Every problem is an
 * error with the offending value: a typo in an attendee must never deploy something else.
 */
export function validateWorkshop(value: unknown, source: string): WorkshopSpec {
  return parseWith(workshopSchema, value, source, WorkshopFileError) as WorkshopSpec;
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
