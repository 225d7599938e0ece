import type { RuleContext } from './context';
import { priceTables } from './dynamodb';
import { priceInstances } from './ec2';
import { priceDeliveryStreams } from './firehose';
import { collectStreams, priceStreams } from './kinesis';
import { countStreamInvocations, priceFunctions } from './lambda';
import { priceAlarms, priceDashboards } from './monthly';
import { priceDistributions, priceWorkGroups } from './queries';

export { ruleContext, type CostLine, type RuleContext } from './context';

/**
 * The pricing rules, keyed by the resource type each one reads, in the order they run: streams
 * first (their traffic), then what reads them (event source mappings, delivery streams: the
 * functions' invocations and the streams' readers), then the functions and the streams
 * themselves, then everything priced on its own.
 */
export const PRICING_RULES: readonly { readonly type: string; readonly apply: (ctx: RuleContext) => void }[] =
  [
    { type: 'AWS::Kinesis::Stream', apply: collectStreams },
    { type: 'AWS::Lambda::EventSourceMapping', apply: countStreamInvocations },
    { type: 'AWS::KinesisFirehose::DeliveryStream', apply: priceDeliveryStreams },
    { type: 'AWS::Lambda::Function', apply: priceFunctions },
    { type: 'AWS::Kinesis::Stream', apply: priceStreams },
    { type: 'AWS::DynamoDB::Table', apply: priceTables },
    { type: 'AWS::CloudWatch::Alarm', apply: priceAlarms },
    { type: 'AWS::CloudWatch::Dashboard', apply: priceDashboards },
    { type: 'AWS::EC2::Instance', apply: priceInstances },
    { type: 'AWS::CloudFront::Distribution', apply: priceDistributions },
    { type: 'AWS::Athena::WorkGroup', apply: priceWorkGroups },
  ];

export const TYPES_WITH_RULES: ReadonlySet<string> = new Set(PRICING_RULES.map((rule) => rule.type));

/** Resource types with no charge of their own while the workshop runs, and why. */
export const NO_HOURLY_CHARGE: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'no charge',
  'AWS::IAM::Policy': 'no charge',
  'AWS::IAM::ManagedPolicy': 'no charge',
  'AWS::IAM::Group': 'no charge',
  'AWS::IAM::InstanceProfile': 'no charge',
  'AWS::Cognito::IdentityPool': 'identity pools are free',
  'AWS::Cognito::IdentityPoolRoleAttachment': 'no charge',
  'AWS::Glue::Database': 'first million catalog objects free',
  'AWS::Glue::Table': 'first million catalog objects free',
  'AWS::SQS::Queue': 'failure queues: requests only when a batch fails',
  'AWS::SQS::QueuePolicy': 'no charge',
  'AWS::SNS::Topic': 'alarm notifications only',
  'AWS::SNS::TopicPolicy': 'no charge',
  'AWS::S3::Bucket': 'storage priced with what Firehose writes',
  'AWS::S3::BucketPolicy': 'no charge',
  'AWS::Logs::LogGroup': 'ingestion priced with the functions that log',
  'AWS::Logs::LogStream': 'no charge',
  'AWS::Lambda::EventSourceMapping': 'priced with its function',
  'AWS::Lambda::LayerVersion': 'no charge',
  'AWS::Lambda::Permission': 'no charge',
  'AWS::CloudFront::OriginAccessControl': 'no charge',
  'AWS::EC2::VPC': 'no charge',
  'AWS::EC2::Subnet': 'no charge',
  'AWS::EC2::RouteTable': 'no charge',
  'AWS::EC2::SubnetRouteTableAssociation': 'no charge',
  'AWS::EC2::Route': 'no charge',
  'AWS::EC2::InternetGateway': 'no charge (no NAT gateway)',
  'AWS::EC2::VPCGatewayAttachment': 'no charge',
  'AWS::EC2::SecurityGroup': 'no charge',
  'AWS::EC2::SecurityGroupIngress': 'no charge',
  'AWS::EC2::LaunchTemplate': 'no charge',
  'AWS::EC2::FlowLog': 'rejected packets only: a few log lines',
  'AWS::CDK::Metadata': 'no charge',
};
