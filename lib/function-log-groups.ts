import { CfnResource, RemovalPolicy, type IAspect } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

const LAMBDA_FUNCTION = 'AWS::Lambda::Function';

/**
 * Gives every Lambda function that has no log group of its own one that its stack creates and
 * deletes, with a retention.
 *
 * CDK's own functions (the S3 auto-delete provider, the bucket deployment) log to the log
 * group Lambda creates on first use, `/aws/lambda/<name>`: CloudFormation never created it, so
 * `cdk destroy` leaves it behind, kept forever. With `LoggingConfig.LogGroup` pointing at a
 * stack log group, the function depends on the group, so CloudFormation deletes the group only
 * after the function, which is after the custom resources that invoke it while the stack is
 * being deleted: their last logs still land in the group, and nothing is left.
 */
export class FunctionLogGroups implements IAspect {
  constructor(private readonly retention: RetentionDays = RetentionDays.ONE_WEEK) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== LAMBDA_FUNCTION) return;
    if (hasLogGroup(node)) return;
    const scope = node.node.scope;
    if (!scope) return;
    const logGroup = new LogGroup(scope, `${node.node.id}LogGroup`, {
      retention: this.retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (node instanceof CfnFunction) {
      node.loggingConfig = { ...(node.loggingConfig as object | undefined), logGroup: logGroup.logGroupName };
    } else {
      // A plain CfnResource (CustomResourceProvider's handler): only property overrides reach it.
      node.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
    }
  }
}

function hasLogGroup(node: CfnResource): boolean {
  if (node instanceof CfnFunction) {
    const config = node.loggingConfig as { logGroup?: unknown } | undefined;
    return config?.logGroup !== undefined;
  }
  // The properties a plain CfnResource was created with (CfnResource keeps them protected).
  const properties = (node as unknown as { _cfnProperties?: { LoggingConfig?: { LogGroup?: unknown } } })
    ._cfnProperties;
  return properties?.LoggingConfig?.LogGroup !== undefined;
}
