import { Construct } from 'constructs';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy/index.js';
import type { Encryption } from './encryption.js';
import { LazyPolicy } from './lazy-policy.js';
import { assumeRolePolicy, type PolicyStatement } from './policy.js';

/**
 * A Lambda function's execution role with one inline policy that grants fill in: a statement per granted resource,
 * and one statement per key for all the key actions its resources need. Rendered at synth time.
 */
export class ExecutionRole extends Construct {
  readonly role: IamRole;
  /** Depend on this before anything AWS validates against the role's permissions (mappings, DLQ config). */
  readonly policy: IamRolePolicy;
  private readonly statements = new LazyPolicy([], () => this.keyStatements());
  private readonly keyActions = new Map<Encryption, Set<string>>();

  constructor(scope: Construct, id: string, name: string) {
    super(scope, id);
    this.role = new IamRole(this, 'role', { name, assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com') });
    this.policy = new IamRolePolicy(this, 'policy', { name, role: this.role.id, policy: this.statements.document });
  }

  get arn(): string {
    return this.role.arn;
  }

  /** Adds a statement; the same actions granted twice on the same resources (two uses of one queue) render once. */
  allow(actions: readonly string[], resources: readonly string[], sid?: string): void {
    this.statements.add({ ...(sid && { sid }), actions, resources });
  }

  allowKey(encryption: Encryption, actions: readonly string[]): void {
    const granted = this.keyActions.get(encryption) ?? new Set<string>();
    actions.forEach((action) => granted.add(action));
    this.keyActions.set(encryption, granted);
  }

  private keyStatements(): PolicyStatement[] {
    return [...this.keyActions].map(([encryption, actions]): PolicyStatement => ({ actions: [...actions].sort(), resources: [encryption.arn] }));
  }
}
