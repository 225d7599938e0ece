import type { Node } from 'constructs';
import { DEFAULT_LABS, parseLabList, resolveLabs, type Lab } from '#core/labs';
import { validatePrefix } from '#core/names';
import type { TelemetryCapacity } from './constructs/unicorn-streams';
import { planWorkshop, readWorkshopFile, type AttendeePlan, type WorkshopSpec } from './workshop';

/** Everything that varies between deployments, read once in `bin/` and passed to `buildApp`. */
export interface WildRydesConfig {
  /** Prefix for resource names, so attendees sharing an account do not collide. '' = workshop names. */
  readonly prefix: string;
  readonly telemetryCapacity: TelemetryCapacity;
  /** Subscribed to the alarm topic when set. */
  readonly alarmEmail?: string;
  /**
   * The labs deployed (`core/labs.ts`), prerequisites checked, in canonical order: `-c labs=…`,
   * else the workshop file's `labs`, else `DEFAULT_LABS`. The `weblogs` lab is the separate
   * log-shipping stack.
   */
  readonly labs: readonly Lab[];
  /** IPv4 block allowed to reach the sample site on port 80 (`-c weblogsHttpCidr=203.0.113.0/24`). */
  readonly weblogsHttpCidr?: string;
  /** Target account and region; unset means environment-agnostic (resolved at deploy time). */
  readonly account?: string;
  readonly region?: string;
  /**
   * One deployment per attendee, each in its own CDK Stage (`-c workshop=FILE`); the fields
   * above are their shared settings (`prefix`, `account` and `region` come from each attendee).
   * @default none: one deployment from the fields above
   */
  readonly workshop?: WorkshopConfig;
}

/** A workshop file, read and planned. */
export interface WorkshopConfig {
  /** The file it was read from, as given. */
  readonly file: string;
  readonly spec: WorkshopSpec;
  readonly attendees: readonly AttendeePlan[];
}

export const DEFAULT_CONFIG: WildRydesConfig = {
  prefix: '',
  telemetryCapacity: { mode: 'provisioned', shards: 1 },
  labs: DEFAULT_LABS,
};

/** The context keys `cdk -c key=value` accepts. */
export const CONTEXT_KEYS = {
  prefix: 'prefix',
  telemetryShards: 'telemetryShards',
  telemetryStreamMode: 'telemetryStreamMode',
  alarmEmail: 'alarmEmail',
  /** The labs to deploy: `streaming,aggregation,persistence,datalake`, `all`, `default,sensors`. */
  labs: 'labs',
  /** `true` adds the log-shipping lab, `false` removes it (the flag from before labs). */
  weblogs: 'weblogs',
  weblogsHttpCidr: 'weblogsHttpCidr',
  /** A workshop file (JSON or YAML): one Stage per attendee. */
  workshop: 'workshop',
} as const;

/** Where settings come from: `-c key=value` first, then the workshop file's `settings`. */
interface Settings {
  get(key: string): unknown;
  /** How a message names the key: `Context "key"` or `Setting "key" in workshop.json`. */
  label(key: string): string;
}

function contextSettings(node: Node, workshop?: WorkshopConfig): Settings {
  const fileValue = (key: string): unknown =>
    (workshop?.spec.settings as Record<string, unknown> | undefined)?.[key];
  const fromContext = (key: string) => node.tryGetContext(key) !== undefined;
  return {
    get: (key) => (fromContext(key) ? node.tryGetContext(key) : fileValue(key)),
    label: (key) =>
      fromContext(key) || fileValue(key) === undefined
        ? `Context "${key}"`
        : `Setting "${key}" in ${workshop?.file}`,
  };
}

function optionalString(settings: Settings, key: string): string | undefined {
  const value: unknown = settings.get(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`${settings.label(key)} must be a string, got ${JSON.stringify(value)}`);
  }
  return String(value);
}

/** Reads and plans the workshop file named by `-c workshop=FILE`, if any. */
function workshopFromContext(node: Node, env: NodeJS.ProcessEnv): WorkshopConfig | undefined {
  const file = optionalString(contextSettings(node), CONTEXT_KEYS.workshop);
  if (file === undefined) return undefined;
  const spec = readWorkshopFile(file);
  return { file, spec, attendees: planWorkshop(spec, env) };
}

/**
 * The labs: `-c labs=…` first, then the workshop file's `labs`, then the default; the `weblogs`
 * flag adds (or removes) the log-shipping lab. Prerequisites are checked, not added.
 */
function labsFromSettings(node: Node, settings: Settings, workshop?: WorkshopConfig): Lab[] {
  const fromContext = optionalString(contextSettings(node), CONTEXT_KEYS.labs);
  const label =
    fromContext !== undefined
      ? `Context "${CONTEXT_KEYS.labs}"`
      : `${CONTEXT_KEYS.labs} in ${workshop?.file}`;
  let labs: Lab[] =
    fromContext !== undefined
      ? parseLabList(fromContext, label)
      : workshop?.spec.labs
        ? parseLabList(workshop.spec.labs.join(','), label)
        : [...DEFAULT_LABS];
  const weblogs: unknown = settings.get(CONTEXT_KEYS.weblogs);
  if (weblogs !== undefined && ![true, false, 'true', 'false'].includes(weblogs as never)) {
    throw new Error(
      `${settings.label(CONTEXT_KEYS.weblogs)} must be true or false, got ${JSON.stringify(weblogs)}`,
    );
  }
  if (weblogs === true || weblogs === 'true') labs = [...labs, 'weblogs'];
  if (weblogs === false || weblogs === 'false') labs = labs.filter((lab) => lab !== 'weblogs');
  return resolveLabs(labs, fromContext !== undefined || workshop?.spec.labs ? label : 'labs');
}

/**
 * Reads the deployment settings from CDK context (`-c prefix=alice -c telemetryShards=2`) and
 * the workshop file it names (`-c workshop=examples/workshop.json`), with clear errors for
 * values that cannot work.
 */
export function configFromContext(node: Node, env: NodeJS.ProcessEnv = process.env): WildRydesConfig {
  const workshop = workshopFromContext(node, env);
  const settings = contextSettings(node, workshop);
  const prefix = optionalString(settings, CONTEXT_KEYS.prefix) ?? DEFAULT_CONFIG.prefix;
  validatePrefix(prefix);
  if (workshop && prefix !== '') {
    throw new Error(
      `Context "${CONTEXT_KEYS.prefix}" cannot be combined with a workshop file: each attendee's id is its prefix`,
    );
  }

  const mode = optionalString(settings, CONTEXT_KEYS.telemetryStreamMode) ?? 'provisioned';
  const shardsText = optionalString(settings, CONTEXT_KEYS.telemetryShards);
  let telemetryCapacity: TelemetryCapacity;
  if (mode === 'on-demand') {
    if (shardsText !== undefined) {
      throw new Error(
        `${settings.label(CONTEXT_KEYS.telemetryShards)} cannot be set when the stream mode is on-demand`,
      );
    }
    telemetryCapacity = { mode: 'on-demand' };
  } else if (mode === 'provisioned') {
    const shards = shardsText === undefined ? 1 : Number(shardsText);
    if (!Number.isInteger(shards) || shards < 1 || shards > 500) {
      throw new Error(
        `${settings.label(CONTEXT_KEYS.telemetryShards)} must be a whole number from 1 to 500, got "${shardsText}"`,
      );
    }
    telemetryCapacity = { mode: 'provisioned', shards };
  } else {
    throw new Error(
      `${settings.label(CONTEXT_KEYS.telemetryStreamMode)} must be "provisioned" or "on-demand", got "${mode}"`,
    );
  }

  const alarmEmail = optionalString(settings, CONTEXT_KEYS.alarmEmail);
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`${settings.label(CONTEXT_KEYS.alarmEmail)} is not an email address: "${alarmEmail}"`);
  }

  const labs = labsFromSettings(node, settings, workshop);
  const weblogsHttpCidr = optionalString(settings, CONTEXT_KEYS.weblogsHttpCidr);
  if (weblogsHttpCidr !== undefined && !labs.includes('weblogs')) {
    throw new Error(
      `${settings.label(CONTEXT_KEYS.weblogsHttpCidr)} only applies with the weblogs lab (-c ${CONTEXT_KEYS.labs}=default,weblogs)`,
    );
  }

  return {
    prefix,
    telemetryCapacity,
    alarmEmail,
    labs,
    ...(weblogsHttpCidr === undefined ? {} : { weblogsHttpCidr }),
    account: env.CDK_DEFAULT_ACCOUNT,
    region: env.CDK_DEFAULT_REGION,
    ...(workshop ? { workshop } : {}),
  };
}
