import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktn';
import { STACK_OUTPUTS } from '../resources/index.js';

type OutputKey = keyof typeof STACK_OUTPUTS;

/** Declares the stack's outputs under the names in src/resources, which the deployed-system tests read. */
export function defineOutputs(scope: Construct, values: { readonly [K in OutputKey]: { value: string; description: string } }): void {
  for (const [key, { value, description }] of Object.entries(values) as [OutputKey, { value: string; description: string }][]) {
    const output = new TerraformOutput(scope, STACK_OUTPUTS[key], { value, description });
    output.overrideLogicalId(STACK_OUTPUTS[key]);
  }
}
