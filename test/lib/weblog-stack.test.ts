import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InstanceClass, InstanceSize, InstanceType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseAgentConfig } from '../../agent/config';
import { kinesisAgentConfig, WebServer } from '../../lib/constructs/web-server';
import { WeblogDelivery } from '../../lib/constructs/weblog-delivery';
import { WeblogStack, weblogStackName, type WeblogStackProps } from '../../lib/weblog-stack';
import { LAB_STREAM_PROPERTIES } from '../support/lab-stream';

function synth(props: WeblogStackProps = {}, checks = false) {
  const app = new App();
  if (checks) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new WeblogStack(app, weblogStackName(props.prefix ?? ''), props);
  return { app, stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth();
const id = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);
const streamId = id(stack.delivery.stream);

/** The instance's user data as text, with CloudFormation references shown as ${Name}. */
function userData(t: Template): string {
  const instance = Object.values(t.findResources('AWS::EC2::Instance'))[0];
  const [, parts] = instance.Properties.UserData['Fn::Base64']['Fn::Join'];
  return (parts as unknown[])
    .map((part) => (typeof part === 'string' ? part : `\${${(part as { Ref: string }).Ref}}`))
    .join('');
}

/** The JSON user data writes to the Kinesis Agent's configuration file. */
function agentJson(text: string): unknown {
  const match = /cat > "\$ROOT\/etc\/aws-kinesis\/agent\.json" <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(text);
  if (!match) throw new Error('no agent.json in the user data');
  return JSON.parse(match[1]);
}

/** Every ingress rule in the template, inline or separate. */
function ingressRules(t: Template): Record<string, unknown>[] {
  const inline = Object.values(t.findResources('AWS::EC2::SecurityGroup')).flatMap(
    (sg) => (sg.Properties.SecurityGroupIngress ?? []) as Record<string, unknown>[],
  );
  const separate = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
  return [...inline, ...separate];
}

describe('weblog stack', () => {
  it('is named apart from the main stack, prefixed for a second attendee', () => {
    expect(weblogStackName('')).toBe('WildRydes-Weblogs');
    expect(weblogStackName('alice')).toBe('WildRydes-alice-Weblogs');
    synth({ prefix: 'alice' }).template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'alice-weblogs',
    });
  });

  it('creates the weblogs stream: one shard, encrypted, 24 h', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      Name: 'weblogs',
      ShardCount: 1,
      ...LAB_STREAM_PROPERTIES,
    });
    template.resourceCountIs('AWS::Kinesis::Stream', 1);
  });

  it('delivers the stream with Firehose into S3 under its own prefix, GZIP, no delimiter added', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': [streamId, 'Arn'] } },
      ExtendedS3DestinationConfiguration: {
        BucketARN: { 'Fn::GetAtt': [id(stack.delivery.bucket), 'Arn'] },
        Prefix:
          'weblogs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        ErrorOutputPrefix: Match.stringLikeRegexp('^weblogs-errors/!\\{firehose:error-output-type\\}/'),
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
        ProcessingConfiguration: Match.absent(),
      },
    });
  });

  it('refuses a prefix that is not a relative key prefix ending with a slash', () => {
    const scope = new Stack(new App(), 'S');
    const props = { streamName: 'w', directDeliveryName: 'd' };
    expect(() => new WeblogDelivery(scope, 'D', { ...props, prefix: '/logs' })).toThrow(
      /Weblog prefix must be a relative S3 key prefix ending with "\/", such as "weblogs\/", got "\/logs"/,
    );
    expect(() => new WeblogDelivery(scope, 'E', { ...props, directPrefix: 'direct' })).toThrow(
      /Weblog direct prefix must be a relative S3 key prefix ending with "\/", such as "weblogs-direct\/", got "direct"/,
    );
  });

  it('refuses a direct prefix inside the stream delivery prefixes, or around them', () => {
    const scope = new Stack(new App(), 'S');
    const props = { streamName: 'w', directDeliveryName: 'd' };
    for (const [directPrefix, id] of [
      ['weblogs/direct/', 'A'],
      ['weblogs-errors/', 'B'],
      ['logs/', 'C'],
    ] as const) {
      const prefix = directPrefix === 'logs/' ? 'logs/web/' : undefined;
      expect(() => new WeblogDelivery(scope, id, { ...props, directPrefix, prefix })).toThrow(
        new RegExp(`Weblog direct prefix "${directPrefix}" overlaps the stream delivery's prefixes`),
      );
    }
    expect(() => new WeblogDelivery(scope, 'D', { ...props, directPrefix: 'weblogs-raw/' })).not.toThrow();
  });

  it('declares a Direct PUT delivery stream by name into the same bucket, under its own prefix, encrypted', () => {
    const directId = id(stack.delivery.directDeliveryStream);
    template.hasResource('AWS::KinesisFirehose::DeliveryStream', {
      Properties: {
        DeliveryStreamName: 'weblogs-direct',
        DeliveryStreamType: 'DirectPut',
        KinesisStreamSourceConfiguration: Match.absent(),
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        ExtendedS3DestinationConfiguration: {
          BucketARN: { 'Fn::GetAtt': [id(stack.delivery.bucket), 'Arn'] },
          Prefix:
            'weblogs-direct/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
          ErrorOutputPrefix: Match.stringLikeRegexp(
            '^weblogs-direct-errors/!\\{firehose:error-output-type\\}/',
          ),
          CompressionFormat: 'GZIP',
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
          ProcessingConfiguration: Match.absent(),
        },
      },
      Metadata: { 'WildRydes::Role': 'weblogDirectDelivery' },
    });
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 2);
    const outputs = template.toJSON().Outputs;
    expect(outputs.WeblogDirectDeliveryName.Value).toEqual({ Ref: directId });
    expect(outputs.WeblogDirectPrefix.Value).toBe('weblogs-direct/');
    synth({ prefix: 'alice' }).template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'alice-weblogs-direct',
    });
  });

  it('runs a small current Amazon Linux 2023 instance: arm64 image from SSM, IMDSv2, encrypted disk, no key pair', () => {
    template.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.micro',
      KeyName: Match.absent(),
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3' } }],
    });
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
    const parameters = Object.values(template.toJSON().Parameters) as { Type: string; Default: string }[];
    expect(parameters).toContainEqual({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    });
    const x86 = synth({ instanceType: InstanceType.of(InstanceClass.T3, InstanceSize.MICRO) }).template;
    expect(JSON.stringify(x86.toJSON().Parameters)).toContain('al2023-ami-kernel-default-x86_64');
  });

  it('needs no lookup at synth time, even with an account and region set', () => {
    const app = new App();
    new WeblogStack(app, 'W', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(app.synth().manifest.missing).toBeUndefined();
  });

  it('builds a small VPC: one public subnet, no NAT gateway, rejected traffic logged', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  it('uses a VPC it is given instead of making one', () => {
    const app = new App();
    const network = new Stack(app, 'Network');
    const vpc = new Vpc(network, 'Shared', { maxAzs: 1, natGateways: 0 });
    const t = Template.fromStack(new WeblogStack(app, 'W', { vpc }));
    t.resourceCountIs('AWS::EC2::VPC', 0);
  });
});

describe('web server user data', () => {
  const text = userData(template);

  it('installs Apache and the Kinesis Agent and starts both', () => {
    expect(text).toContain('dnf install -y httpd\n');
    expect(text).toMatch(
      /dnf install -y aws-kinesis-agent \|\| dnf install -y https:\/\/\S+aws-kinesis-agent\S+\.rpm\n/,
    );
    expect(text).toContain('systemctl enable --now httpd\n');
    expect(text).toContain('systemctl restart aws-kinesis-agent');
    expect(text).toContain(`cat > "$ROOT/var/www/html/index.html" <<'EOF'\n`);
  });

  it('writes the agent configuration: Apache access logs as LOGTOJSON records on the weblogs stream', () => {
    expect(agentJson(text)).toEqual({
      checkpointFile: '/var/lib/aws-kinesis-agent/checkpoints',
      'cloudwatch.emitMetrics': true,
      'cloudwatch.endpoint': 'https://monitoring.${AWS::Region}.${AWS::URLSuffix}',
      'kinesis.endpoint': 'https://kinesis.${AWS::Region}.${AWS::URLSuffix}',
      flows: [
        {
          filePattern: '/var/log/httpd/access_log*',
          kinesisStream: `\${${streamId}}`,
          partitionKeyOption: 'RANDOM',
          initialPosition: 'START_OF_FILE',
          maxBufferAgeMillis: 5000,
          dataProcessingOptions: [{ optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' }],
        },
      ],
    });
  });

  it("lets the agent's user read the log directory, and keeps its checkpoints past a reboot", () => {
    expect(text).toContain('setfacl -m u:aws-kinesis-agent-user:rx "$ROOT/var/log/httpd"\n');
    expect(text).toContain(
      'install -d -o aws-kinesis-agent-user -g aws-kinesis-agent-user -m 0750 "$ROOT/var/lib/aws-kinesis-agent"\n',
    );
  });

  it('generates sample traffic unless told not to', () => {
    expect(text).toMatch(/systemctl enable --now weblog-traffic$/);
    expect(userData(synth({ generateTraffic: false }).template)).not.toContain('weblog-traffic');
  });

  it('is a configuration log-agent reads too, unchanged, every setting applied', () => {
    const config = kinesisAgentConfig('weblogs', 'eu-west-1', 'amazonaws.com');
    const { config: parsed, warnings, notes } = parseAgentConfig(config);
    expect(parsed.flows[0]).toMatchObject({
      kinesisStream: 'weblogs',
      directory: '/var/log/httpd',
      fileGlob: 'access_log*',
    });
    expect(parsed.kinesisEndpoint).toBe('https://kinesis.eu-west-1.amazonaws.com');
    expect(warnings).toEqual([]);
    expect(notes).toEqual([]);
  });
});

describe('web server access', () => {
  const policies = () => {
    const roleId = id(stack.webServer.role);
    return Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
    );
  };

  it('allows writing to the weblogs stream and the direct delivery stream only, CloudWatch metrics in the agent namespace, and Session Manager', () => {
    const statements = policies().flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: { 'Fn::GetAtt': [streamId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: [
          'ssm:UpdateInstanceInformation',
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'AWSKinesisAgent' } },
      },
      {
        Effect: 'Allow',
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        Resource: { 'Fn::GetAtt': [id(stack.delivery.directDeliveryStream), 'Arn'] },
      },
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('opens no port by default: no SSH, HTTP only through a Session Manager port forward', () => {
    expect(ingressRules(template)).toEqual([]);
    const outputs = template.toJSON().Outputs;
    expect(JSON.stringify(outputs.BrowseCommand)).toContain('AWS-StartPortForwardingSession');
  });

  it('opens port 80, and only port 80, to an allowed block; never SSH from anywhere', () => {
    for (const cidr of ['203.0.113.0/24', '0.0.0.0/0']) {
      const rules = ingressRules(synth({ httpAllowedCidr: cidr }).template);
      expect(rules).toEqual([
        expect.objectContaining({ CidrIp: cidr, FromPort: 80, ToPort: 80, IpProtocol: 'tcp' }),
      ]);
      expect(rules.filter((r) => (r.FromPort as number) <= 22 && (r.ToPort as number) >= 22)).toEqual([]);
    }
  });

  it('refuses an allowed block that is not an IPv4 CIDR, naming it', () => {
    const scope = new Stack(new App(), 'S');
    const vpc = new Vpc(scope, 'V', { maxAzs: 1, natGateways: 0 });
    const stream = new Stream(scope, 'Stream');
    expect(() => new WebServer(scope, 'W', { stream, vpc, httpAllowedCidr: '10.0.0.0/33' })).toThrow(
      /httpAllowedCidr must be an IPv4 CIDR block such as 203\.0\.113\.0\/24, got "10\.0\.0\.0\/33"/,
    );
  });
});

describe('cdk-nag AwsSolutions checks on the weblog stack', () => {
  it('report no unacknowledged finding, closed or opened to the world on port 80', () => {
    expect(() => synth({}, true).app.synth()).not.toThrow();
    expect(() => synth({ httpAllowedCidr: '0.0.0.0/0', prefix: 'bob' }, true).app.synth()).not.toThrow();
  });
});
