import type { Node } from 'constructs';
import { validatePrefix } from '#core/names';
import type { TelemetryCapacity } from './constructs/unicorn-streams';

/** Everything that varies between deployments, read once in `bin/` and passed to `buildApp`. */
export interface WildRydesConfig {
  /** Prefix for resource names, so attendees sharing an account do not collide. '' = workshop names. */
  readonly prefix: string;
  readonly telemetryCapacity: TelemetryCapacity;
  /** Subscribed to the alarm topic when set. */
  readonly alarmEmail?: string;
  /** Deploy the optional web-server log-shipping stack (`-c weblogs=true`). @default false */
  readonly weblogs?: boolean;
  /** IPv4 block allowed to reach the sample site on port 80 (`-c weblogsHttpCidr=203.0.113.0/24`). */
  readonly weblogsHttpCidr?: string;
  /** Target account and region; unset means environment-agnostic (resolved at deploy time). */
  readonly account?: string;
  readonly region?: string;
}

export const DEFAULT_CONFIG: WildRydesConfig = {
  prefix: '',
  telemetryCapacity: { mode: 'provisioned', shards: 1 },
};

/** The context keys `cdk -c key=value` accepts. */
export const CONTEXT_KEYS = {
  prefix: 'prefix',
  telemetryShards: 'telemetryShards',
  telemetryStreamMode: 'telemetryStreamMode',
  alarmEmail: 'alarmEmail',
  weblogs: 'weblogs',
  weblogsHttpCidr: 'weblogsHttpCidr',
} as const;

function optionalString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  return String(value);
}

/**
 * Reads the deployment settings from CDK context (`-c prefix=alice -c telemetryShards=2`),
 * with clear errors for values that cannot work.
 */
export function configFromContext(node: Node, env: NodeJS.ProcessEnv = process.env): WildRydesConfig {
  const prefix = optionalString(node, CONTEXT_KEYS.prefix) ?? DEFAULT_CONFIG.prefix;
  validatePrefix(prefix);

  const mode = optionalString(node, CONTEXT_KEYS.telemetryStreamMode) ?? 'provisioned';
  const shardsText = optionalString(node, CONTEXT_KEYS.telemetryShards);
  let telemetryCapacity: TelemetryCapacity;
  if (mode === 'on-demand') {
    if (shardsText !== undefined) {
      throw new Error(
        `Context "${CONTEXT_KEYS.telemetryShards}" cannot be set when the stream mode is on-demand`,
      );
    }
    telemetryCapacity = { mode: 'on-demand' };
  } else if (mode === 'provisioned') {
    const shards = shardsText === undefined ? 1 : Number(shardsText);
    if (!Number.isInteger(shards) || shards < 1 || shards > 500) {
      throw new Error(
        `Context "${CONTEXT_KEYS.telemetryShards}" must be a whole number from 1 to 500, got "${shardsText}"`,
      );
    }
    telemetryCapacity = { mode: 'provisioned', shards };
  } else {
    throw new Error(
      `Context "${CONTEXT_KEYS.telemetryStreamMode}" must be "provisioned" or "on-demand", got "${mode}"`,
    );
  }

  const alarmEmail = optionalString(node, CONTEXT_KEYS.alarmEmail);
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`Context "${CONTEXT_KEYS.alarmEmail}" is not an email address: "${alarmEmail}"`);
  }

  const weblogsValue: unknown = node.tryGetContext(CONTEXT_KEYS.weblogs);
  if (weblogsValue !== undefined && ![true, false, 'true', 'false'].includes(weblogsValue as never)) {
    throw new Error(
      `Context "${CONTEXT_KEYS.weblogs}" must be true or false, got ${JSON.stringify(weblogsValue)}`,
    );
  }
  const weblogs = weblogsValue === true || weblogsValue === 'true';
  const weblogsHttpCidr = optionalString(node, CONTEXT_KEYS.weblogsHttpCidr);
  if (weblogsHttpCidr !== undefined && !weblogs) {
    throw new Error(
      `Context "${CONTEXT_KEYS.weblogsHttpCidr}" only applies with -c ${CONTEXT_KEYS.weblogs}=true`,
    );
  }

  return {
    prefix,
    telemetryCapacity,
    alarmEmail,
    weblogs,
    ...(weblogsHttpCidr === undefined ? {} : { weblogsHttpCidr }),
    account: env.CDK_DEFAULT_ACCOUNT,
    region: env.CDK_DEFAULT_REGION,
  };
}
