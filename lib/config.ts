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

  return {
    prefix,
    telemetryCapacity,
    alarmEmail,
    account: env.CDK_DEFAULT_ACCOUNT,
    region: env.CDK_DEFAULT_REGION,
  };
}
