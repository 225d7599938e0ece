import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { Bucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DashboardAccess } from '../../lib/constructs/dashboard-access';
import { DashboardHosting, type DashboardHostingProps } from '../../lib/constructs/dashboard-hosting';
import { bundlingApp } from '../support/synth';

function build(props: Partial<DashboardHostingProps> = {}, env?: { account: string; region: string }) {
  // The page is really built: one test looks at the asset's files.
  const app = bundlingApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Dashboard', { env });
  const stream = new Stream(stack, 'Telemetry', {
    streamName: 'wildrydes',
    encryption: StreamEncryption.MANAGED,
  });
  const access = new DashboardAccess(stack, 'Access', { stream, identityPoolName: 'wildrydes_dashboard' });
  const hosting = new DashboardHosting(stack, 'Hosting', { access, stream, ...props });
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as never);
  return { app, stack, stream, access, hosting, id };
}

const built = build();
const { stack, hosting, access, stream, id } = built;
const template = Template.fromStack(stack);
const site = id(hosting.bucket);
const logs = id(hosting.accessLogs as Bucket);
const distribution = id(hosting.distribution);

describe('DashboardHosting', () => {
  it('keeps the page in a private, encrypted, SSL-only bucket that logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'dashboard-site/' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: site },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets only this CloudFront distribution read it, through origin access control', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: site },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:GetObject',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: {
              StringEquals: {
                'AWS:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([{ Ref: distribution }])],
                },
              },
            },
          }),
        ]),
      },
    });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
  });

  it('serves over HTTPS only, index.html at the root, with logging', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          Compress: true,
        }),
        Origins: [
          Match.objectLike({
            DomainName: { 'Fn::GetAtt': [site, 'RegionalDomainName'] },
            OriginAccessControlId: Match.anyValue(),
          }),
        ],
        Logging: { Bucket: { 'Fn::GetAtt': [logs, 'RegionalDomainName'] }, Prefix: 'dashboard-cdn/' },
      }),
    });
  });

  it('lets CloudFront write its logs through ACLs, and keeps them 90 days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED }] },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, Status: 'Enabled' })] },
    });
  });

  it('deploys the page and a config.json from the stack’s own resources, then invalidates the cache', () => {
    const deployments = template.findResources('Custom::CDKBucketDeployment');
    expect(Object.keys(deployments)).toHaveLength(1);
    const properties = Object.values(deployments)[0].Properties;
    expect(properties).toMatchObject({
      DestinationBucketName: { Ref: site },
      DistributionId: { Ref: distribution },
      DistributionPaths: ['/*'],
      Prune: true,
    });
    expect(properties.SourceObjectKeys).toHaveLength(2);
    // config.json's values are tokens, filled in by the deployment: region, stream, pool, role.
    const markers = JSON.stringify(properties.SourceMarkers);
    expect(markers).toContain(JSON.stringify({ Ref: 'AWS::Region' }));
    expect(markers).toContain(JSON.stringify({ Ref: id(stream) }));
    expect(markers).toContain(JSON.stringify({ Ref: stack.getLogicalId(access.identityPool) }));
    expect(markers).toContain(JSON.stringify({ 'Fn::GetAtt': [id(access.unauthenticatedRole), 'Arn'] }));
    expect(stack.resolve(hosting.config)).toEqual({
      region: { Ref: 'AWS::Region' },
      streamName: { Ref: id(stream) },
      identityPoolId: { Ref: stack.getLogicalId(access.identityPool) },
      guestRoleArn: { 'Fn::GetAtt': [id(access.unauthenticatedRole), 'Arn'] },
    });
  });

  it('builds the page into the asset at synth time: page, script, Leaflet, no config.json', () => {
    const assembly = built.app.synth();
    const keys = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0].Properties
      .SourceObjectKeys as string[];
    const dirs = keys
      .map((key) => join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`))
      .filter((dir) => existsSync(join(dir, 'index.html')));
    expect(dirs).toHaveLength(1);
    const files = readdirSync(dirs[0], { recursive: true }).map(String).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'app.js',
        'index.html',
        'style.css',
        'leaflet/leaflet.css',
        'leaflet/images/layers.png',
      ]),
    );
    expect(files).not.toContain('config.json');
  });

  it('outputs the URL as DashboardUrl', () => {
    template.hasOutput('DashboardUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/']] },
    });
  });

  it('is removed with the stack, objects and all', () => {
    const resources = template.toJSON().Resources;
    for (const bucket of [site, logs]) {
      expect(resources[bucket]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: bucket } });
    }
  });

  it('leaves the guest role read-only on the one stream', () => {
    const role = template.findResources('AWS::IAM::Role', {
      Properties: { Description: 'Dashboard guests: read-only access to one Kinesis stream' },
    });
    const statements = Object.values(role)[0].Properties.Policies.flatMap(
      (p: { PolicyDocument: { Statement: { Action: string[] }[] } }) => p.PolicyDocument.Statement,
    );
    const actions: string[] = statements.flatMap((s: { Action: string[] }) => s.Action);
    expect(actions.every((a) => /^kinesis:(Describe|Get|List|SubscribeToShard)/.test(a))).toBe(true);
  });

  it('passes the tile URL and expiry into config.json', () => {
    const custom = build({ tileUrl: 'https://tiles.example.com/{z}/{x}/{y}.png', expirySeconds: 45 }).hosting;
    expect(custom.config).toMatchObject({
      tileUrl: 'https://tiles.example.com/{z}/{x}/{y}.png',
      expirySeconds: 45,
    });
  });

  it('uses a given log bucket instead of creating one', () => {
    const app = new App();
    const s = new Stack(app, 'Shared');
    const sharedLogs = new Bucket(s, 'Logs', { objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED });
    const telemetry = new Stream(s, 'Telemetry');
    const guest = new DashboardAccess(s, 'Access', { stream: telemetry, identityPoolName: 'pool' });
    const shared = new DashboardHosting(s, 'Hosting', {
      access: guest,
      stream: telemetry,
      accessLogs: sharedLogs,
    });
    expect(shared.accessLogs).toBe(sharedLogs);
    Template.fromStack(s).resourceCountIs('AWS::S3::Bucket', 2);
  });

  it('refuses an impossible expiry or tile URL at synth time', () => {
    expect(() => build({ expirySeconds: 0 })).toThrow(
      'Dashboard expirySeconds must be above 0 and at most 86400, got 0',
    );
    expect(() => build({ tileUrl: 'http://tiles.example.com/{z}/{x}/{y}.png' })).toThrow(
      'Dashboard tileUrl must be an https:// template with {z}, {x} and {y}, got "http://tiles.example.com/{z}/{x}/{y}.png"',
    );
  });

  it.each([
    ['an environment-agnostic stack', undefined],
    ['a stack with account and region', { account: '123456789012', region: 'eu-west-1' }],
  ])('leaves no unacknowledged cdk-nag finding in %s', (_, env) => {
    expect(() => build({}, env).app.synth()).not.toThrow();
  });
});
