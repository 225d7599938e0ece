/**
 * The dashboard's `config.json`, served next to the page. On AWS the stack writes it from its
 * own outputs; the local runtime serves one that points at the emulator. The page, its local
 * server and the hosting construct all use this one definition.
 */

// The mini build: the page bundles this module, and it adds ~15 KB rather than ~90 KB.
import * as z from 'zod/mini';
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
  /**
   * Draw the simplified offline map of Manhattan under the tiles, so the fleet has a map even
   * when no tile loads (offline, or a blocked tile server). @default true
   */
  readonly offlineMap?: boolean;
  /** Seconds of each unicorn's path drawn behind it; 0 draws none. @default 60 */
  readonly trailSeconds?: number;
}

export const DEFAULT_TILE_URL = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
export const DEFAULT_TILE_ATTRIBUTION =
  '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors';
export const DEFAULT_EXPIRY_SECONDS = 30;
export const DEFAULT_TRAIL_SECONDS = 60;

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
  Required<
    Pick<
      DashboardConfig,
      'tileUrl' | 'tileAttribution' | 'expirySeconds' | 'pollSeconds' | 'offlineMap' | 'trailSeconds'
    >
  >;

const shown = (value: unknown) => JSON.stringify(value) ?? String(value);

/** Absent and null (and "" for strings) mean unset. */
const unset =
  (...blanks: unknown[]) =>
  (value: unknown) =>
    value === null || blanks.includes(value) ? undefined : value;

const optionalString = (key: string) =>
  z.pipe(
    z.transform(unset('')),
    z.optional(z.string({ error: (issue) => `${key} must be a string, got ${shown(issue.input)}` })),
  );

/** A number in (0, max], or [0, max] when zero is allowed. */
const optionalNumber = (key: string, max: number, { zeroAllowed = false } = {}) => {
  const error = (issue: { input?: unknown }) =>
    `${key} must be a number ${zeroAllowed ? 'from 0' : 'above 0 and'} up to ${max}, got ${shown(issue.input)}`;
  const number = z
    .number({ error })
    .check(zeroAllowed ? z.gte(0, { error }) : z.gt(0, { error }), z.lte(max, { error }));
  return z.pipe(z.transform(unset()), z.optional(number));
};

const optionalBoolean = (key: string) =>
  z.pipe(
    z.transform(unset()),
    z.optional(z.boolean({ error: (issue) => `${key} must be true or false, got ${shown(issue.input)}` })),
  );

/** Each field's type and range; which fields go together is checked after. */
const DashboardConfigFields = z.object(
  {
    region: optionalString('region'),
    streamName: optionalString('streamName'),
    identityPoolId: optionalString('identityPoolId'),
    guestRoleArn: optionalString('guestRoleArn'),
    endpoint: optionalString('endpoint'),
    tileUrl: optionalString('tileUrl'),
    tileAttribution: optionalString('tileAttribution'),
    expirySeconds: optionalNumber('expirySeconds', 24 * 3600),
    pollSeconds: optionalNumber('pollSeconds', 60),
    offlineMap: optionalBoolean('offlineMap'),
    trailSeconds: optionalNumber('trailSeconds', 600, { zeroAllowed: true }),
  },
  { error: () => 'config.json must hold a JSON object' },
);

type Fields = z.infer<typeof DashboardConfigFields>;

/** What is wrong with how the page gets credentials, if anything. */
function credentialsProblem(f: Fields): string | undefined {
  if (f.endpoint) return undefined;
  if (!f.identityPoolId || !f.guestRoleArn) {
    return 'config.json needs identityPoolId and guestRoleArn (or an endpoint for a local emulator)';
  }
  if (!IDENTITY_POOL_ID.test(f.identityPoolId)) {
    return `identityPoolId must look like us-east-1:1a2b3c4d-..., got "${f.identityPoolId}"`;
  }
  if (!f.guestRoleArn.startsWith('arn:')) return `guestRoleArn must be a role ARN, got "${f.guestRoleArn}"`;
  return undefined;
}

/**
 * Validates a parsed `config.json`, with a one-line reason a person can act on (the field and
 * the value received): a region and stream, and either an emulator endpoint or the identity
 * pool and guest role a deployment writes.
 */
export function parseDashboardConfig(value: unknown): Parsed<ResolvedDashboardConfig> {
  const parsed = DashboardConfigFields.safeParse(value);
  if (!parsed.success) return invalid(parsed.error.issues[0].message);
  const f = parsed.data;
  const { region, streamName } = f;
  if (!region) return invalid('config.json needs a region');
  if (!streamName) return invalid('config.json needs a streamName');
  const problem = credentialsProblem(f);
  if (problem) return invalid(problem);
  return ok({
    region,
    streamName,
    ...(f.identityPoolId ? { identityPoolId: f.identityPoolId } : {}),
    ...(f.guestRoleArn ? { guestRoleArn: f.guestRoleArn } : {}),
    ...(f.endpoint ? { endpoint: f.endpoint } : {}),
    tileUrl: f.tileUrl ?? DEFAULT_TILE_URL,
    tileAttribution: f.tileAttribution ?? (f.tileUrl ? '' : DEFAULT_TILE_ATTRIBUTION),
    expirySeconds: f.expirySeconds ?? DEFAULT_EXPIRY_SECONDS,
    pollSeconds: f.pollSeconds ?? DEFAULT_POLL_SECONDS,
    offlineMap: f.offlineMap ?? true,
    trailSeconds: f.trailSeconds ?? DEFAULT_TRAIL_SECONDS,
  });
}
