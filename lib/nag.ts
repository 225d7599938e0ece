import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A finding as the synth reports it: a rule of cdk-nag's AwsSolutions pack (with the one
 * finding it is about in brackets, such as `AwsSolutions-IAM5[Resource::*]`), or a warning of
 * CloudFormation's template validation.
 */
export type FindingId = `AwsSolutions-${string}` | `CloudFormation-Validate::${string}`;

/** cdk-nag's own floor for a reason: shorter ones say nothing a reviewer can check. */
const MIN_REASON_LENGTH = 10;

/**
 * Acknowledges a finding on `scope` and what is under it, with why it is right here; the synth
 * then reports it as acknowledged instead of failing. Every acknowledgement in the app goes
 * through here, next to the resource it is about.
 */
export function acknowledgeFinding(scope: IConstruct, id: FindingId, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `The acknowledgement of ${id} on ${scope.node.path || 'the app'} needs a reason of at least ${MIN_REASON_LENGTH} characters, got ${JSON.stringify(reason)}`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}
