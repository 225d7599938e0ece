import { AspectPriority, Aspects, CfnResource, type IAspect } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { LAB_METADATA, type Lab } from '#core/labs';
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

/**
 * Marks every CloudFormation resource under `scope` that has no lab yet with `lab`, so that the
 * cost estimate can show each lab's share. It runs as an aspect, after the app's mutating
 * aspects, so resources added late (log groups, launch templates) are marked too. `base`
 * marks what the labs share (monitoring, custom resources): it runs after every lab's own.
 */
export function markLab(scope: IConstruct, lab: Lab, options: { readonly base?: boolean } = {}): void {
  const marker: IAspect = {
    visit(node) {
      if (node instanceof CfnResource && node.getMetadata(LAB_METADATA) === undefined) {
        node.addMetadata(LAB_METADATA, lab);
      }
    },
  };
  Aspects.of(scope).add(marker, { priority: options.base ? LAB_BASE_PRIORITY : LAB_PRIORITY });
}

/** After the mutating aspects (which add resources), before read-only ones (cdk-nag). */
const LAB_PRIORITY = AspectPriority.MUTATING + 100;
const LAB_BASE_PRIORITY = LAB_PRIORITY + 100;
