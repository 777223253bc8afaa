/**
 * IAM policy documents as typed values, rendered to JSON once. Resource ARNs may be CDK Terrain tokens:
 * they survive JSON.stringify as `${...}` interpolations that Terraform resolves at plan time.
 */

export type Principal = { readonly Service: string } | { readonly AWS: string } | '*';

/** `{ operator: { key: value(s) } }`, e.g. `{ Bool: { 'aws:SecureTransport': 'false' } }`. */
export type Conditions = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: 'Allow' | 'Deny';
  /** Resource policies name a principal; identity policies (role policies) must not. */
  readonly principal?: Principal;
  readonly actions: readonly string[];
  /** Omitted only in trust policies, where IAM rejects a Resource element. */
  readonly resources?: readonly string[];
  readonly conditions?: Conditions;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      ...(s.principal ? { Principal: s.principal } : {}),
      Action: single(s.actions),
      ...(s.resources ? { Resource: single(s.resources) } : {}),
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

function single(values: readonly string[]): string | readonly string[] {
  return values.length === 1 ? values[0]! : values;
}

export const servicePrincipal = (service: string): Principal => ({ Service: service });

/** Encryption in transit: refuse every request to the resource that does not arrive over TLS. */
export function denyInsecureTransport(actions: readonly string[], resource: string): PolicyStatement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    principal: '*',
    actions,
    resources: [resource],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** Trust policy letting an AWS service assume a role. */
export function assumeRolePolicy(service: string): string {
  return policyDocument([{ principal: servicePrincipal(service), actions: ['sts:AssumeRole'] }]);
}
