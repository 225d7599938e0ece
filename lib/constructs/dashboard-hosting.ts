import {
  AssetHashType,
  BOOTSTRAP_QUALIFIER_CONTEXT,
  DefaultStackSynthesizer,
  DockerImage,
  Stack,
  Token,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  Signing,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Bucket, type CfnBucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { addOutput } from '../outputs';
import { accessLogBucket, PRIVATE_REMOVABLE_BUCKET } from './buckets';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { takePrebuilt } from '../asset-prebuild';
import { dashboardPageBuild } from './dashboard-page';
import type { DashboardConfig } from '../../dashboard/config';
import type { DashboardAccess } from './dashboard-access';
import { acknowledgeFinding, type FindingId } from '../nag';

export interface DashboardHostingProps {
  /** The guest access the page uses: its identity pool and role go into `config.json`. */
  readonly access: DashboardAccess;
  /** The stream the page reads (the one `access` grants). */
  readonly stream: IStream;
  /**
   * Map tile URL template for the page (Leaflet syntax, HTTPS).
   * @default OpenStreetMap's standard tiles
   */
  readonly tileUrl?: string;
  /**
   * Seconds after its last record a unicorn leaves the map.
   * @default 30
   */
  readonly expirySeconds?: number;
  /**
   * Where CloudFront and the site bucket write access logs; needs ACLs enabled
   * (ObjectOwnership.BUCKET_OWNER_PREFERRED), which CloudFront standard logging requires.
   * @default a log bucket of its own, logs kept 90 days
   */
  readonly accessLogs?: IBucket;
}

const DASHBOARD_DIR = join(__dirname, '..', '..', 'dashboard');

let builtPage: Map<string, Uint8Array> | undefined;

/**
 * Writes the built page into `outDir`. It is built once per process (one esbuild run, in a
 * prebuild worker when the app started one) and written into every synth that needs it: the
 * files do not depend on where they are written.
 */
function writeDashboard(outDir: string): void {
  builtPage ??= (takePrebuilt('dashboard') as Map<string, Uint8Array> | undefined) ?? dashboardPageBuild();
  for (const [file, contents] of builtPage) {
    const target = join(outDir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, contents);
  }
}

/**
 * The Unicorn Dashboard on the web: the built page in a private S3 bucket, served over HTTPS by
 * CloudFront through origin access control, with a `config.json` written from the stack's own
 * resources (region, stream, identity pool, guest role). A deployment uploads both and
 * invalidates CloudFront's cache. Outputs `DashboardUrl`.
 */
export class DashboardHosting extends Construct {
  public readonly bucket: Bucket;
  public readonly accessLogs: IBucket;
  public readonly distribution: Distribution;
  public readonly deployment: BucketDeployment;
  /** `https://d1234.cloudfront.net/` */
  public readonly url: string;
  /** The `config.json` the page reads (with tokens, resolved at deploy time). */
  public readonly config: DashboardConfig;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    validateProps(props);
    this.accessLogs = props.accessLogs ?? accessLogBucket(this);
    this.bucket = new Bucket(this, 'Site', {
      ...PRIVATE_REMOVABLE_BUCKET,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'dashboard-site/',
    });
    this.distribution = siteDistribution(this, this.bucket, this.accessLogs);
    this.url = `https://${this.distribution.distributionDomainName}/`;
    this.config = pageConfig(Stack.of(this).region, props);
    this.deployment = new BucketDeployment(this, 'Deployment', {
      destinationBucket: this.bucket,
      sources: [dashboardPageSource(), Source.jsonData('config.json', this.config)],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 256,
    });
    this.acknowledgeDeploymentFindings();

    addOutput(Stack.of(this), 'DashboardUrl', this.url);
  }

  /**
   * Findings on CDK's own bucket-deployment function (a singleton per stack, created by CDK,
   * which runs only while CloudFormation deploys), each with its reason.
   */
  private acknowledgeDeploymentFindings() {
    const handler = this.deployment.handlerRole.node.scope!;
    const stack = Stack.of(this);
    const siteArn = stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    const qualifier =
      (stack.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) as string | undefined) ??
      DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const acknowledge = (id: FindingId, reason: string) => acknowledgeFinding(handler, id, reason);

    acknowledge(
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "The bucket-deployment function writes its own logs with AWS's basic Lambda execution policy.",
    );
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-${account}-${region}/*`,
      `Resource::<${siteArn}.Arn>/*`,
    ]) {
      acknowledge(
        `AwsSolutions-IAM5[${finding}]`,
        'The bucket-deployment function reads the page from the CDK asset bucket and replaces (prunes) the objects of this site bucket; the grants are limited to those two buckets.',
      );
    }
    acknowledge(
      'AwsSolutions-IAM5[Resource::*]',
      'CDK grants the bucket-deployment function cloudfront:CreateInvalidation and GetInvalidation without a resource; it is given only this distribution to invalidate, after each deployment.',
    );
    acknowledge(
      'AwsSolutions-L1',
      "CDK chooses the bucket-deployment function's runtime, matched to the AWS CLI layer it ships with.",
    );
  }
}

function validateProps(props: DashboardHostingProps) {
  const { expirySeconds, tileUrl } = props;
  if (
    expirySeconds !== undefined &&
    !Token.isUnresolved(expirySeconds) &&
    !(Number.isFinite(expirySeconds) && expirySeconds > 0 && expirySeconds <= 24 * 3600)
  ) {
    throw new Error(`Dashboard expirySeconds must be above 0 and at most 86400, got ${expirySeconds}`);
  }
  if (
    tileUrl !== undefined &&
    !Token.isUnresolved(tileUrl) &&
    !(tileUrl.startsWith('https://') && ['{z}', '{x}', '{y}'].every((part) => tileUrl.includes(part)))
  ) {
    throw new Error(`Dashboard tileUrl must be an https:// template with {z}, {x} and {y}, got "${tileUrl}"`);
  }
}

/** CloudFront in front of the private `bucket`, HTTPS only, through origin access control. */
function siteDistribution(scope: Construct, bucket: IBucket, accessLogs: IBucket): Distribution {
  // Origin access control names are unique in the whole account (CloudFront is global), and
  // CDK's default name comes from the construct path alone: the same stack in a second region
  // would collide. Stack names are unique per region, so name and region together are not.
  const stack = Stack.of(scope);
  const originAccessControl = new S3OriginAccessControl(scope, 'OriginAccessControl', {
    originAccessControlName: `${stack.stackName}-${stack.region}-dashboard`,
    signing: Signing.SIGV4_ALWAYS,
  });
  const distribution = new Distribution(scope, 'Distribution', {
    comment: 'Wild Rydes Unicorn Dashboard',
    defaultRootObject: 'index.html',
    defaultBehavior: {
      origin: S3BucketOrigin.withOriginAccessControl(bucket, { originAccessControl }),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      compress: true,
    },
    httpVersion: HttpVersion.HTTP2_AND_3,
    // Workshop audiences are mostly in North America and Europe; other viewers still get the page.
    priceClass: PriceClass.PRICE_CLASS_100,
    enableLogging: true,
    logBucket: accessLogs,
    logFilePrefix: 'dashboard-cdn/',
  });
  acknowledgeFinding(
    distribution,
    'AwsSolutions-CFR4',
    'The distribution has no custom domain, so it uses the default *.cloudfront.net certificate, whose minimum TLS version CloudFront fixes; a custom domain with its own certificate would allow TLSv1.2_2021.',
  );
  acknowledgeFinding(
    distribution,
    'AwsSolutions-CFR1',
    'The dashboard is for workshop attendees wherever they are; there is no country to exclude.',
  );
  acknowledgeFinding(
    distribution,
    'AwsSolutions-CFR2',
    'The distribution serves only static files from S3 (GET/HEAD); the data is read by the browser from Kinesis with read-only guest credentials, so a WAF would have nothing to inspect.',
  );
  return distribution;
}

/** The page's `config.json`: the stack's region, stream, identity pool and guest role, and the page options set. */
function pageConfig(region: string, props: DashboardHostingProps): DashboardConfig {
  return {
    region,
    streamName: props.stream.streamName,
    identityPoolId: props.access.identityPool.ref,
    guestRoleArn: props.access.unauthenticatedRole.roleArn,
    ...(props.tileUrl === undefined ? {} : { tileUrl: props.tileUrl }),
    ...(props.expirySeconds === undefined ? {} : { expirySeconds: props.expirySeconds }),
  };
}

/** The built page as an asset: built at synth time with esbuild on this machine (no Docker); the asset hash is the output's. */
function dashboardPageSource() {
  return Source.asset(DASHBOARD_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('scratch'), // never pulled: local bundling always succeeds or throws
      local: {
        tryBundle(outputDir: string) {
          writeDashboard(outputDir);
          return true;
        },
      },
    },
  });
}
