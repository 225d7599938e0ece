import { Stack, Token } from 'aws-cdk-lib';
import {
  AmazonLinux2023ImageSsmParameter,
  AmazonLinux2023Kernel,
  AmazonLinuxCpuType,
  BlockDeviceVolume,
  EbsDeviceVolumeType,
  Instance,
  InstanceArchitecture,
  InstanceClass,
  InstanceSize,
  InstanceType,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  UserData,
} from 'aws-cdk-lib/aws-ec2';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { EC2_UNIQUE_IMDSV2_LAUNCH_TEMPLATE_NAME } from 'aws-cdk-lib/cx-api';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { Construct } from 'constructs';
import { acknowledgeFinding } from '../nag';

/** Where Apache on Amazon Linux writes its access log, and the rotated copies beside it. */
export const ACCESS_LOG_PATTERN = '/var/log/httpd/access_log*';
/** CloudWatch namespace the Kinesis Agent publishes its metrics in; the only one the role may write. */
export const AGENT_METRICS_NAMESPACE = 'AWSKinesisAgent';
/** The Kinesis Agent's configuration file, and its checkpoints (kept where a reboot leaves them). */
const AGENT_CONFIG_FILE = '/etc/aws-kinesis/agent.json';
const AGENT_CHECKPOINTS = '/var/lib/aws-kinesis-agent/checkpoints';
const AGENT_USER = 'aws-kinesis-agent-user';
/** The agent is packaged for Amazon Linux 2; the RPM installs on AL2023 too, with its Java. */
const AGENT_RPM = 'https://s3.amazonaws.com/streaming-data-agent/aws-kinesis-agent-latest.amzn2.noarch.rpm';

/**
 * The Kinesis Agent configuration the instance runs: Apache's access logs (combined format)
 * as LOGTOJSON records on the stream. `region` and `urlSuffix` may be tokens.
 */
export function kinesisAgentConfig(streamName: string, region: string, urlSuffix: string) {
  return {
    checkpointFile: AGENT_CHECKPOINTS,
    'cloudwatch.emitMetrics': true,
    'cloudwatch.endpoint': `https://monitoring.${region}.${urlSuffix}`,
    'kinesis.endpoint': `https://kinesis.${region}.${urlSuffix}`,
    flows: [
      {
        filePattern: ACCESS_LOG_PATTERN,
        kinesisStream: streamName,
        partitionKeyOption: 'RANDOM',
        initialPosition: 'START_OF_FILE',
        // Batches within 5 s, so a visitor sees their requests in the stream almost at once.
        maxBufferAgeMillis: 5000,
        dataProcessingOptions: [{ optionName: 'LOGTOJSON', logFormat: 'COMBINEDAPACHELOG' }],
      },
    ],
  };
}

const PAGES: Record<string, string> = {
  'index.html':
    '<h1>Wild Rydes</h1><p>Unicorns on demand.</p><p><a href="ride.html">Request a unicorn</a> · <a href="unicorns.html">Meet the unicorns</a></p>',
  'ride.html':
    '<h1>Request a unicorn</h1><p>Click the map to set your pickup location.</p><p><a href="index.html">Home</a></p>',
  'unicorns.html':
    '<h1>Our unicorns</h1><ul><li>Shadowfax</li><li>Bucephalus</li><li>Rocinante</li></ul><p><a href="index.html">Home</a></p>',
};

/** A loop requesting the sample pages (and the odd missing one) so the access log keeps growing. */
const TRAFFIC_SCRIPT = [
  '#!/bin/bash',
  '# Requests the sample site a few times a minute so its access log keeps growing.',
  'pages=(/ /index.html /ride.html /unicorns.html /favicon.ico /missing.html)',
  'agents=("Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)" "curl/8.5.0")',
  'while true; do',
  '  page=${pages[RANDOM % ${#pages[@]}]}',
  '  agent=${agents[RANDOM % ${#agents[@]}]}',
  '  curl -s -o /dev/null -A "$agent" -e "http://localhost/" "http://localhost$page" || true',
  '  sleep $((RANDOM % 5 + 1))',
  'done',
];

const TRAFFIC_UNIT = [
  '[Unit]',
  'Description=Sample traffic for the Wild Rydes web site',
  'After=httpd.service',
  '[Service]',
  'ExecStart=/usr/local/bin/weblog-traffic',
  'Restart=always',
  'DynamicUser=yes',
  '[Install]',
  'WantedBy=multi-user.target',
];

/** Files the script writes are under `$ROOT` (empty on the instance; a test runs it in a scratch root). */
const heredoc = (file: string, lines: readonly string[]) => [`cat > "$ROOT${file}" <<'EOF'`, ...lines, 'EOF'];

/** Where a failed setup says so besides cloud-init's output log (`/var/log/cloud-init-output.log`). */
export const SETUP_LOG = '/var/log/wildrydes-setup.log';
/** The line a failed setup writes to the instance console (EC2 "Get system log") and the setup log. */
export const SETUP_FAILED = 'wildrydes-setup: FAILED';

/**
 * The start of the user data: stop at the first failing command (`set -euo pipefail`) and say
 * so in one line on the instance console and in the setup log, with the exit code, line and
 * command, instead of leaving a half-configured instance that looks healthy.
 */
const FAIL_LOUDLY = [
  'set -euo pipefail',
  'ROOT="${WILDRYDES_ROOT:-}"',
  `SETUP_LOG="\${WILDRYDES_SETUP_LOG:-${SETUP_LOG}}"`,
  'CONSOLE="${WILDRYDES_CONSOLE:-/dev/console}"',
  'fail() {',
  `  local message="${SETUP_FAILED} (exit $1) at line $2: $3"`,
  '  echo "$message" >> "$SETUP_LOG" || true',
  '  echo "$message" > "$CONSOLE" || true',
  '  echo "$message" >&2',
  '  exit "$1"',
  '}',
  `trap 'fail "$?" "$LINENO" "$BASH_COMMAND"' ERR`,
];

/**
 * The Kinesis Agent's user and group, created when its RPM did not (on Amazon Linux 2023 it may
 * not: awslabs/amazon-kinesis-agent issue #269); the service runs as that user.
 */
const AGENT_ACCOUNT = [
  `getent group ${AGENT_USER} >/dev/null || groupadd --system ${AGENT_USER}`,
  `id -u ${AGENT_USER} >/dev/null 2>&1 || useradd --system --gid ${AGENT_USER} --no-create-home --shell /sbin/nologin ${AGENT_USER}`,
];

/** Validates an IPv4 CIDR block, such as 203.0.113.0/24. */
function validCidr(cidr: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  return match !== null && match.slice(1, 5).every((o) => Number(o) <= 255) && Number(match[5]) <= 32;
}

export interface WebServerProps {
  /** The stream the instance's Kinesis Agent writes access logs to. */
  readonly stream: IStream;
  /** A VPC with a public subnet (the instance reaches AWS endpoints without a NAT gateway). */
  readonly vpc: IVpc;
  /**
   * @default t4g.micro: the Kinesis Agent is a Java program that wants about half a gigabyte,
   * more than a nano instance has
   */
  readonly instanceType?: InstanceType;
  /**
   * An IPv4 CIDR block allowed to reach the site on port 80, e.g. `203.0.113.0/24`.
   * @default none: browse through a Session Manager port forward instead
   */
  readonly httpAllowedCidr?: string;
  /**
   * Request the sample pages from the instance itself, so access logs flow with no visitor.
   * @default true
   */
  readonly generateTraffic?: boolean;
}

/**
 * An Amazon Linux 2023 instance running Apache with a small sample site and the Kinesis Agent,
 * set up by user data to ship `/var/log/httpd/access_log*` to the stream. No SSH: the role
 * allows Session Manager, writing to the one stream and the agent's CloudWatch metrics, and
 * nothing else.
 */
export class WebServer extends Construct {
  public readonly instance: Instance;
  public readonly role: Role;
  public readonly securityGroup: SecurityGroup;
  /** The Kinesis Agent configuration user data writes to /etc/aws-kinesis/agent.json. */
  public readonly agentConfig: ReturnType<typeof kinesisAgentConfig>;

  constructor(scope: Construct, id: string, props: WebServerProps) {
    super(scope, id);
    // requireImdsv2 adds a launch template. Without this flag CDK names it after the construct
    // id alone ("InstanceLaunchTemplate"), and launch template names are unique per account and
    // region, so a second deployment in the same account (another attendee) would fail.
    this.node.setContext(EC2_UNIQUE_IMDSV2_LAUNCH_TEMPLATE_NAME, true);
    validateHttpAllowedCidr(props.httpAllowedCidr);
    this.role = webServerRole(this, props.stream);
    this.securityGroup = webServerSecurityGroup(this, props.vpc, props.httpAllowedCidr);
    const stack = Stack.of(this);
    this.agentConfig = kinesisAgentConfig(props.stream.streamName, stack.region, stack.urlSuffix);
    this.instance = webServerInstance(this, {
      vpc: props.vpc,
      instanceType: props.instanceType ?? InstanceType.of(InstanceClass.T4G, InstanceSize.MICRO),
      role: this.role,
      securityGroup: this.securityGroup,
      userData: webServerUserData(this.agentConfig, props.generateTraffic !== false),
    });
  }
}

function validateHttpAllowedCidr(cidr: string | undefined): void {
  if (cidr !== undefined && !Token.isUnresolved(cidr) && !validCidr(cidr)) {
    throw new Error(
      `Web server httpAllowedCidr must be an IPv4 CIDR block such as 203.0.113.0/24, got "${cidr}"`,
    );
  }
}

/** The instance's role: Session Manager, writing to the stream, and the agent's metrics. */
function webServerRole(scope: Construct, stream: IStream): Role {
  const role = new Role(scope, 'Role', {
    assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
    description: 'Web server: Session Manager, the weblogs stream, Kinesis Agent metrics',
  });
  stream.grantWrite(role);
  // Session Manager's minimum for the instance side (no session logging to S3 or KMS).
  role.addToPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: [
        'ssm:UpdateInstanceInformation',
        'ssmmessages:CreateControlChannel',
        'ssmmessages:CreateDataChannel',
        'ssmmessages:OpenControlChannel',
        'ssmmessages:OpenDataChannel',
      ],
      resources: ['*'],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': AGENT_METRICS_NAMESPACE } },
    }),
  );
  acknowledgeFinding(
    role,
    'AwsSolutions-IAM5[Resource::*]',
    'Session Manager actions (ssm:UpdateInstanceInformation, ssmmessages:*Channel) and cloudwatch:PutMetricData support no resource-level permissions; metrics are limited to the agent namespace by condition.',
  );
  return role;
}

/** No SSH; HTTP on port 80 from `cidr` only, when one is given. */
function webServerSecurityGroup(scope: Construct, vpc: IVpc, cidr: string | undefined): SecurityGroup {
  const securityGroup = new SecurityGroup(scope, 'SecurityGroup', {
    vpc,
    description: 'Web server: no SSH; HTTP only from the allowed block, if any',
    allowAllOutbound: true,
  });
  if (cidr !== undefined) {
    securityGroup.addIngressRule(Peer.ipv4(cidr), Port.tcp(80), 'HTTP to the sample site');
    if (cidr === '0.0.0.0/0') {
      acknowledgeFinding(
        securityGroup,
        'AwsSolutions-EC23',
        'A public sample web site, opened by request (httpAllowedCidr 0.0.0.0/0): port 80 only, no SSH.',
      );
    }
  }
  return securityGroup;
}

/**
 * The instance's setup: Apache with the sample pages, the Kinesis Agent reading its access logs
 * with `agentConfig`, and, with `generateTraffic`, a service requesting the pages.
 */
function webServerUserData(agentConfig: ReturnType<typeof kinesisAgentConfig>, generateTraffic: boolean) {
  const userData = UserData.forLinux();
  userData.addCommands(
    ...FAIL_LOUDLY,
    'dnf install -y httpd',
    `dnf install -y aws-kinesis-agent || dnf install -y ${AGENT_RPM}`,
    ...AGENT_ACCOUNT,
    ...Object.entries(PAGES).flatMap(([name, body]) =>
      heredoc(`/var/www/html/${name}`, [`<!doctype html><title>Wild Rydes</title>${body}`]),
    ),
    'systemctl enable --now httpd',
    '# httpd keeps its logs in a root-only directory: let the agent read them, nothing more.',
    `setfacl -m u:${AGENT_USER}:rx "$ROOT/var/log/httpd"`,
    `setfacl -d -m u:${AGENT_USER}:r "$ROOT/var/log/httpd"`,
    `install -d -o ${AGENT_USER} -g ${AGENT_USER} -m 0750 "$ROOT${AGENT_CHECKPOINTS.slice(0, AGENT_CHECKPOINTS.lastIndexOf('/'))}"`,
    ...heredoc(AGENT_CONFIG_FILE, JSON.stringify(agentConfig, null, 2).split('\n')),
    // The RPM ships a SysV script: systemd enables it through chkconfig, where that is installed.
    'systemctl enable aws-kinesis-agent || chkconfig aws-kinesis-agent on',
    'systemctl restart aws-kinesis-agent',
    'systemctl is-active --quiet aws-kinesis-agent',
    ...(generateTraffic
      ? [
          ...heredoc('/usr/local/bin/weblog-traffic', TRAFFIC_SCRIPT),
          'chmod 755 "$ROOT/usr/local/bin/weblog-traffic"',
          ...heredoc('/etc/systemd/system/weblog-traffic.service', TRAFFIC_UNIT),
          'systemctl daemon-reload',
          'systemctl enable --now weblog-traffic',
        ]
      : []),
  );
  return userData;
}

interface WebServerInstanceProps {
  readonly vpc: IVpc;
  readonly instanceType: InstanceType;
  readonly role: Role;
  readonly securityGroup: SecurityGroup;
  readonly userData: UserData;
}

/** The current Amazon Linux 2023 for the instance type's architecture, in a public subnet, IMDSv2 only. */
function webServerInstance(scope: Construct, props: WebServerInstanceProps): Instance {
  const arm = props.instanceType.architecture === InstanceArchitecture.ARM_64;
  const instance = new Instance(scope, 'Instance', {
    vpc: props.vpc,
    vpcSubnets: { subnetType: SubnetType.PUBLIC },
    instanceType: props.instanceType,
    // The current AL2023 image (default kernel), resolved by CloudFormation from its public
    // SSM parameter at deploy time: no lookup at synth time. (MachineImage.latestAmazonLinux2023
    // pins the 6.1 kernel series instead.)
    machineImage: new AmazonLinux2023ImageSsmParameter({
      cpuType: arm ? AmazonLinuxCpuType.ARM_64 : AmazonLinuxCpuType.X86_64,
      kernel: AmazonLinux2023Kernel.DEFAULT,
      cachedInContext: false,
    }),
    role: props.role,
    securityGroup: props.securityGroup,
    userData: props.userData,
    userDataCausesReplacement: true,
    requireImdsv2: true,
    blockDevices: [
      {
        deviceName: '/dev/xvda',
        volume: BlockDeviceVolume.ebs(8, { encrypted: true, volumeType: EbsDeviceVolumeType.GP3 }),
      },
    ],
  });
  acknowledgeFinding(
    instance,
    'AwsSolutions-EC28',
    'A disposable workshop instance: basic five-minute monitoring is enough, detailed monitoring would add cost.',
  );
  acknowledgeFinding(
    instance,
    'AwsSolutions-EC29',
    'A disposable workshop instance, deleted with its stack; termination protection would only get in the way.',
  );
  return instance;
}
