/**
 * What ADDEC2METADATA adds to records: the instance's identity from the EC2 instance metadata
 * service (IMDSv2), refreshed every `metadataTTL` seconds. Where there is no metadata service
 * (any machine that is not an EC2 instance, and every local run) the Java agent sends records
 * without metadata, warning that it found none; log-agent does the same and says so once.
 */
import type { DataProcessingOption, Ec2MetadataField } from './config';
import type { Ec2MetadataSource } from './convert';

/** The instance identity document's fields ADDEC2METADATA uses. */
export interface Ec2Identity {
  readonly privateIp: string;
  readonly availabilityZone: string;
  readonly instanceId: string;
  readonly instanceType: string;
  readonly accountId: string;
  readonly imageId: string;
  readonly region: string;
}

export type Ec2IdentityLookup = () => Promise<Ec2Identity | undefined>;

/** No metadata service: every local run. */
export const noEc2Identity: Ec2IdentityLookup = async () => undefined;

/**
 * The identity document from IMDSv2, or undefined when no metadata service answers within a
 * second (or AWS_EC2_METADATA_DISABLED=true, as the SDKs honour it).
 */
export function imdsIdentity(env: NodeJS.ProcessEnv = process.env): Ec2IdentityLookup {
  const base = (env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? 'http://169.254.169.254').replace(/\/$/, '');
  return async () => {
    if (env.AWS_EC2_METADATA_DISABLED?.toLowerCase() === 'true') return undefined;
    try {
      const token = await fetch(`${base}/latest/api/token`, {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' },
        signal: AbortSignal.timeout(1_000),
      });
      if (!token.ok) return undefined;
      const document = await fetch(`${base}/latest/dynamic/instance-identity/document`, {
        headers: { 'x-aws-ec2-metadata-token': await token.text() },
        signal: AbortSignal.timeout(1_000),
      });
      return document.ok ? ((await document.json()) as Ec2Identity) : undefined;
    } catch {
      return undefined;
    }
  };
}

/** `2017-06-05T09:17:00+0000`, Java's `yyyy-MM-dd'T'HH:mm:ssZ` in UTC. */
const metadataTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+0000`;

/** Fields that need the EC2 API (DescribeTags), which log-agent does not call. */
const TAG_FIELDS: readonly Ec2MetadataField[] = ['tags', 'instanceName'];

/** The identity, looked up when first needed and again when older than an option's TTL. */
export class Ec2Metadata {
  private identity: Ec2Identity | undefined;
  private fetchedAt = -Infinity;
  private refreshing: Promise<void> | undefined;
  private said = false;

  constructor(
    private readonly lookup: Ec2IdentityLookup,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  async refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      this.identity = (await this.lookup()) ?? this.identity;
      this.fetchedAt = this.now();
      if (!this.identity && !this.said) {
        this.said = true;
        this.log(
          'ADDEC2METADATA: no EC2 metadata here (no instance metadata service answered), so records are sent without it, as the Kinesis Agent does',
        );
      }
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** What one ADDEC2METADATA option adds: its fields, prefixed, from the latest identity. */
  source(option: Extract<DataProcessingOption, { optionName: 'ADDEC2METADATA' }>): Ec2MetadataSource {
    const fields = option.metadataFields.filter((f) => !TAG_FIELDS.includes(f));
    return () => {
      if (this.now() - this.fetchedAt >= option.metadataTTLSeconds * 1000) void this.refresh();
      const identity = this.identity;
      if (!identity) return undefined;
      const values: Record<Ec2MetadataField, string> = {
        privateIp: identity.privateIp,
        availabilityZone: identity.availabilityZone,
        availabilityZoneInitial: identity.availabilityZone.slice(-1),
        instanceId: identity.instanceId,
        instanceType: identity.instanceType,
        accountId: identity.accountId,
        amiId: identity.imageId,
        region: identity.region,
        metadataTimestamp: metadataTime(this.fetchedAt),
        instanceName: '',
        tags: '',
      };
      return Object.fromEntries(fields.map((f) => [`${option.metadataPrefix}${f}`, values[f]]));
    };
  }

  /** Whether an option asks for fields log-agent cannot add. */
  static tagsAsked(option: Extract<DataProcessingOption, { optionName: 'ADDEC2METADATA' }>): boolean {
    return option.metadataFields.some((f) => TAG_FIELDS.includes(f));
  }
}
