import { Fn, Stack, type StackProps } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  type InstanceType,
  type IVpc,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { resourceNames, type ResourceNames } from '#core/names';
import { addOutput } from './outputs';
import { markLab, markRole } from './roles';
import { WebServer } from './constructs/web-server';
import { WeblogDelivery } from './constructs/weblog-delivery';

/** CloudFormation stack name of the optional web-server stack of one deployment. */
export function weblogStackName(prefix: string): string {
  return prefix === '' ? 'WildRydes-Weblogs' : `WildRydes-${prefix}-Weblogs`;
}

export interface WeblogStackProps extends StackProps {
  /** @default '' (the workshop's own names) */
  readonly prefix?: string;
  /** @default a new VPC: one public subnet in one zone, no NAT gateway */
  readonly vpc?: IVpc;
  /** @default t4g.micro */
  readonly instanceType?: InstanceType;
  /** @default none (see WebServerProps.httpAllowedCidr) */
  readonly httpAllowedCidr?: string;
  /** @default true */
  readonly generateTraffic?: boolean;
}

/**
 * The log-shipping lab's stack (`weblogs`):
 *
 *   Apache ─▶ access_log ─▶ Kinesis Agent ─▶ weblogs ─▶ Firehose ─▶ S3 (weblogs/…)
 *                                   └─ deliveryStream flows ─▶ Firehose (Direct PUT) ─▶ S3 (weblogs-direct/…)
 *
 * Separate from the main stack so that accounts that do not need it create (and pay for)
 * nothing of it.
 */
export class WeblogStack extends Stack {
  public readonly names: ResourceNames;
  public readonly vpc: IVpc;
  public readonly delivery: WeblogDelivery;
  public readonly webServer: WebServer;

  constructor(scope: Construct, id: string, props: WeblogStackProps = {}) {
    super(scope, id, props);
    const names = (this.names = resourceNames(props.prefix ?? ''));

    this.vpc = props.vpc ?? this.smallVpc();
    this.delivery = new WeblogDelivery(this, 'Delivery', {
      streamName: names.weblogStream,
      directDeliveryName: names.weblogDirectDelivery,
    });
    this.webServer = new WebServer(this, 'WebServer', {
      stream: this.delivery.stream,
      vpc: this.vpc,
      instanceType: props.instanceType,
      httpAllowedCidr: props.httpAllowedCidr,
      generateTraffic: props.generateTraffic,
    });

    // The agent's other destination: its deliveryStream flows (PutRecord, PutRecordBatch).
    this.delivery.directDeliveryStream.grantPutRecords(this.webServer.role);

    const instanceId = this.webServer.instance.instanceId;
    addOutput(this, 'WeblogStreamName', this.delivery.stream.streamName);
    addOutput(this, 'WeblogBucketName', this.delivery.bucket.bucketName);
    addOutput(this, 'WeblogPrefix', this.delivery.prefix);
    addOutput(this, 'WeblogDirectDeliveryName', this.delivery.directDeliveryStream.deliveryStreamName);
    addOutput(this, 'WeblogDirectPrefix', this.delivery.directPrefix);
    addOutput(this, 'WebServerInstanceId', instanceId);
    addOutput(this, 'SessionCommand', `aws ssm start-session --target ${instanceId} --region ${this.region}`);
    addOutput(
      this,
      'BrowseCommand',
      `aws ssm start-session --target ${instanceId} --region ${this.region} --document-name AWS-StartPortForwardingSession --parameters portNumber=80,localPortNumber=8080`,
    );
    markRole(this.delivery.stream, 'weblogStream');
    markRole(this.delivery.deliveryStream, 'weblogDelivery');
    markRole(this.delivery.directDeliveryStream, 'weblogDirectDelivery');
    markRole(this.delivery.bucket, 'weblogBucket');
    markRole(this.webServer.role, 'webServerRole');
    markLab(this, 'weblogs');
  }

  /**
   * Availability zones resolved at deploy time (Fn::GetAZs), so the VPC needs no lookup at
   * synth time even when an account and region are set.
   */
  get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }

  /** One public subnet in one zone, no NAT gateway (nothing private to route), rejected traffic logged. */
  private smallVpc(): Vpc {
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    });
    const flowLogs = new LogGroup(this, 'VpcFlowLogs', {
      retention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: FlowLogTrafficType.REJECT,
    });
    return vpc;
  }
}
