import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ROLE_METADATA, type ResourceRole } from '#core/names';

/**
 * Marks the CloudFormation resource of `construct` with the role it plays (`telemetryStream`,
 * `summaryTable`, …) in its template metadata, so that readers of the synthesized system (the
 * cost estimate, the local runtime) find resources by role instead of guessing from names.
 */
export function markRole(construct: IConstruct, role: ResourceRole): void {
  (construct.node.defaultChild as CfnResource).addMetadata(ROLE_METADATA, role);
}
