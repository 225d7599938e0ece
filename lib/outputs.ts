import { CfnOutput, type Stack } from 'aws-cdk-lib';
import { STACK_OUTPUTS, type OutputKey } from '#core/outputs';

/** Adds one of the stack outputs defined in `core/outputs.ts`, with its description. */
export function addOutput(stack: Stack, key: OutputKey, value: string): CfnOutput {
  const output = new CfnOutput(stack, key, { value, description: STACK_OUTPUTS[key] });
  output.overrideLogicalId(key);
  return output;
}
