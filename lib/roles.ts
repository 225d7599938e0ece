import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ROLE_METADATA, type SystemPart } from '#core/names';

/**
 * Marks the CloudFormation resource of `construct` (or `construct` itself, an L1 resource) with
 * the role it plays (`telemetryStream`, `summaryTable`, `aggregationFunction`, …) in its
 * template metadata, so that readers of the synthesized system (the cost estimate, the local
 * runtime, the data-flow table) find resources by role instead of guessing from names.
 */
export function markRole(construct: IConstruct, role: SystemPart): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  (resource as CfnResource).addMetadata(ROLE_METADATA, role);
}
