/**
 * The dashboard's `config.json`, served next to the page. On AWS the stack writes it from its
 * own outputs; the local runtime serves one that points at the emulator. The page, its local
 * server and the hosting construct all use this one definition.
 */

import { invalid, ok, type Parsed } from '#core/result';

export interface DashboardConfig {
  /** Region of the stream (and of the identity pool). */
  readonly region: string;
  /** The telemetry stream to read: `wildrydes`, or `alice-wildrydes` with a prefix. */
  readonly streamName: string;
  /** Cognito identity pool giving guest credentials (AWS only). */
  readonly identityPoolId?: string;
  /** Role guests assume with the pool's OpenID token, Cognito's basic flow (AWS only). */
  readonly guestRoleArn?: string;
  /**
   * Kinesis endpoint of a local emulator, absolute or relative to the page (`/kinesis` for the
   * local server's proxy). When set, the page uses placeholder credentials and no Cognito.
   * @default unset: the region's AWS endpoint
   */
  readonly endpoint?: string;
  /** Map tile URL template (Leaflet syntax). @default OpenStreetMap's standard tiles */
  readonly tileUrl?: string;
  /** Attribution shown for the tiles. @default OpenStreetMap's */
  readonly tileAttribution?: string;
  /** A unicorn leaves the map this long after its last record. @default 30 */
  readonly expirySeconds?: number;
  /**
   * Seconds between GetRecords calls per shard while caught up.
   * @default 2 (see DEFAULT_POLL_SECONDS)
   */
  readonly pollSeconds?: number;
}

export const DEFAULT_TILE_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
export const DEFAULT_TILE_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
export const DEFAULT_EXPIRY_SECONDS = 30;

/**
 * A shard serves 5 GetRecords calls per second to all of its readers together, and the
 * pipeline's own readers (the aggregation function and Firehose) take one each. Polling every
 * 2 s costs a tab 0.5 calls/s, so six open tabs still leave the pipeline its share; unicorns
 * report once a second, so a marker moves every poll.
 */
export const DEFAULT_POLL_SECONDS = 2;

/** The Cognito identity pool id format: `us-east-1:1a2b...` (region, colon, UUID). */
const IDENTITY_POOL_ID = /^[\w-]+:[0-9a-f-]+$/;

/** Settings with every default filled in. */
export type ResolvedDashboardConfig = DashboardConfig &
  Required<Pick<DashboardConfig, 'tileUrl' | 'tileAttribution' | 'expirySeconds' | 'pollSeconds'>>;

function optionalString(record: Record<string, unknown>, key: string): string | undefined | Error {
  const value = record[key];
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : new Error(`${key} must be a string`);
}

function optionalPositive(
  record: Record<string, unknown>,
  key: string,
  max: number,
): number | undefined | Error {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= max
    ? value
    : new Error(`${key} must be a number above 0 and up to ${max}, got ${JSON.stringify(value)}`);
}

/**
 * Validates a parsed `config.json`, with a reason a person can act on: a region and stream,
 * and either an emulator endpoint or the identity pool and guest role a deployment writes.
 */
export function parseDashboardConfig(value: unknown): Parsed<ResolvedDashboardConfig> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('config.json must hold a JSON object');
  }
  const record = value as Record<string, unknown>;
  const fields = {
    region: optionalString(record, 'region'),
    streamName: optionalString(record, 'streamName'),
    identityPoolId: optionalString(record, 'identityPoolId'),
    guestRoleArn: optionalString(record, 'guestRoleArn'),
    endpoint: optionalString(record, 'endpoint'),
    tileUrl: optionalString(record, 'tileUrl'),
    tileAttribution: optionalString(record, 'tileAttribution'),
    expirySeconds: optionalPositive(record, 'expirySeconds', 24 * 3600),
    pollSeconds: optionalPositive(record, 'pollSeconds', 60),
  };
  for (const field of Object.values(fields)) if (field instanceof Error) return invalid(field.message);
  const f = fields as { [K in keyof typeof fields]: Exclude<(typeof fields)[K], Error> };
  if (!f.region) return invalid('config.json needs a region');
  if (!f.streamName) return invalid('config.json needs a streamName');
  if (!f.endpoint) {
    if (!f.identityPoolId || !f.guestRoleArn) {
      return invalid(
        'config.json needs identityPoolId and guestRoleArn (or an endpoint for a local emulator)',
      );
    }
    if (!IDENTITY_POOL_ID.test(f.identityPoolId)) {
      return invalid(`identityPoolId must look like us-east-1:1a2b3c4d-..., got "${f.identityPoolId}"`);
    }
    if (!f.guestRoleArn.startsWith('arn:')) {
      return invalid(`guestRoleArn must be a role ARN, got "${f.guestRoleArn}"`);
    }
  }
  return ok({
    region: f.region,
    streamName: f.streamName,
    ...(f.identityPoolId ? { identityPoolId: f.identityPoolId } : {}),
    ...(f.guestRoleArn ? { guestRoleArn: f.guestRoleArn } : {}),
    ...(f.endpoint ? { endpoint: f.endpoint } : {}),
    tileUrl: f.tileUrl ?? DEFAULT_TILE_URL,
    tileAttribution: f.tileAttribution ?? (f.tileUrl ? '' : DEFAULT_TILE_ATTRIBUTION),
    expirySeconds: f.expirySeconds ?? DEFAULT_EXPIRY_SECONDS,
    pollSeconds: f.pollSeconds ?? DEFAULT_POLL_SECONDS,
  });
}
