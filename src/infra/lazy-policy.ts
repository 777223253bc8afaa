import { Lazy } from 'cdktn';
import { policyDocument, type PolicyStatement } from './policy.js';

/**
 * A policy document that collects statements while the stack is built and renders at synth time, so a
 * resource's policy can be completed by the constructs that later grant access to it.
 */
export class LazyPolicy {
  private readonly statements: PolicyStatement[];
  /** The JSON document, as a token resolved at synth time. */
  readonly document: string;

  constructor(initial: readonly PolicyStatement[] = []) {
    this.statements = [...initial];
    this.document = Lazy.stringValue({ produce: () => policyDocument(this.statements) });
  }

  add(...statements: PolicyStatement[]): void {
    this.statements.push(...statements);
  }
}
