/**
 * Whether the deployed policies allow a function's requests. Each request, and each KMS request it implies, goes
 * through an IAM policy evaluator (@cloud-copilot/iam-simulate) as AWS evaluates it: the function's role session as
 * the principal, the role's identity policies, the resource's own policy (queue, topic or table policy; the key
 * policy for KMS), and the request context AWS sets for that call. The evaluator leaves out context keys it does not
 * know for an action (it knows no `kms:EncryptionContext:<key>`): a policy that tests one is refused, not passed.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { FUNCTION_CODE, parseArn, type AwsRequest, type KeyUse } from './aws-requests.js';
import type { DeployedFunction, DeployedStack } from './deployed-stack.js';
import { asList, type PolicyDocument } from '../infra/synth.js';

export interface Check {
  readonly action: string;
  readonly resource: string;
  /** The evaluator's decision (Allowed, ImplicitlyDenied, ExplicitlyDenied), or NoSuchResource. */
  readonly decision: string;
  /** The request it is, or the request whose key use it is. */
  readonly request: AwsRequest;
}

/** KMS actions that take an encryption context (DescribeKey does not). */
const CRYPTOGRAPHIC = new Set([
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
]);

/** Services that name themselves in aws:CalledVia when they call another service with the caller's credentials. */
const CALLED_VIA = new Set(['dynamodb']);

export const denied = (checks: readonly Check[]): Check[] => checks.filter((c) => c.decision !== 'Allowed');

export function describeCheck(check: Check): string {
  const { request } = check;
  const forRequest = check.action === request.action ? '' : ` (implied by ${request.action} on ${request.resource})`;
  return `${check.decision}: ${check.action} on ${check.resource}${forRequest}, sent by ${request.sentBy}`;
}

/** Every check of the requests the function's role sends (each distinct request once). */
export async function evaluate(stack: DeployedStack, functionName: string, requests: readonly AwsRequest[]): Promise<Check[]> {
  const fn = stack.lambdaFunction(functionName);
  const identity = stack.rolePolicies(fn);
  const distinct = [...new Map(requests.map((r) => [JSON.stringify(r), r])).values()];
  const checks: Check[] = [];
  for (const request of distinct) {
    const resource = request.resource === '*' ? undefined : stack.resourceAt(request.resource);
    if (request.resource !== '*' && !resource) {
      checks.push({ action: request.action, resource: request.resource, decision: 'NoSuchResource', request });
      continue;
    }
    const decision = await decide(
      stack,
      fn,
      identity,
      request.action,
      request.resource,
      resource && stack.resourcePolicy(resource),
      callerContext(stack, fn, request),
    );
    checks.push({ action: request.action, resource: request.resource, decision, request });
    const key = resource && request.keyUse && stack.keyOf(resource);
    if (!key) continue;
    for (const action of request.keyUse!.actions) {
      const context = keyContext(stack, fn, request, request.keyUse!, action);
      checks.push({
        action,
        resource: key.arn,
        decision: await decide(stack, fn, identity, action, key.arn, stack.resourcePolicy(key), context),
        request,
      });
    }
  }
  return checks;
}

/** What AWS puts in the context of a request signed with the role session's credentials. */
function callerContext(stack: DeployedStack, fn: DeployedFunction, request: AwsRequest): Record<string, string | string[]> {
  return {
    // The SDK and Lambda reach AWS endpoints over HTTPS only.
    'aws:SecureTransport': 'true',
    'aws:PrincipalArn': fn.roleArn,
    'aws:PrincipalAccount': stack.account,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalIsAWSService': 'false',
    'aws:RequestedRegion': stack.region,
    'aws:ViaAWSService': 'false',
    // Set on requests made with the execution role's credentials from the function's code.
    ...(request.sentBy === FUNCTION_CODE && { 'lambda:SourceFunctionArn': fn.arn }),
  };
}

/** The context of a KMS request a service makes with the caller's credentials (a forward access session). */
function keyContext(
  stack: DeployedStack,
  fn: DeployedFunction,
  request: AwsRequest,
  keyUse: KeyUse,
  action: string,
): Record<string, string | string[]> {
  const entries = Object.entries(keyUse.encryptionContext);
  return {
    ...callerContext(stack, fn, request),
    'aws:ViaAWSService': 'true',
    ...(CALLED_VIA.has(keyUse.service) && { 'aws:CalledVia': [`${keyUse.service}.amazonaws.com`] }),
    'kms:ViaService': `${keyUse.service}.${stack.region}.amazonaws.com`,
    'kms:CallerAccount': stack.account,
    ...(CRYPTOGRAPHIC.has(action) && {
      'kms:EncryptionContextKeys': entries.map(([k]) => k),
      ...Object.fromEntries(entries.map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
    }),
  };
}

/** Condition keys the policies test, lowercased. */
function testedKeys(policies: readonly PolicyDocument[]): Set<string> {
  return new Set(
    policies.flatMap((p) =>
      p.Statement.flatMap((s) => Object.values(s.Condition ?? {}).flatMap((keys) => Object.keys(keys).map((k) => k.toLowerCase()))),
    ),
  );
}

async function decide(
  stack: DeployedStack,
  fn: DeployedFunction,
  identity: readonly PolicyDocument[],
  action: string,
  resource: string,
  resourcePolicy: PolicyDocument | undefined,
  context: Record<string, string | string[]>,
): Promise<string> {
  const simulation: Simulation = {
    request: {
      principal: fn.sessionArn,
      action,
      resource: { resource, accountId: resource === '*' ? stack.account : parseArn(resource).account },
      contextVariables: context,
    },
    identityPolicies: identity.map((policy, i) => ({ name: `${fn.roleName}-${i + 1}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy && { resourcePolicy }),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`cannot evaluate ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  // The evaluator leaves out context keys it does not know for the action; a policy must not depend on one.
  const ignored =
    result.resultType === 'single' ? (result.result.ignoredContextKeys ?? []) : result.results.flatMap((r) => r.ignoredContextKeys ?? []);
  const tested = testedKeys([...identity, ...asList(resourcePolicy)]);
  const untestable = ignored.filter((key) => tested.has(key.toLowerCase()));
  if (untestable.length > 0) throw new Error(`a policy tests ${untestable.join(', ')}, which the evaluator leaves out of ${action}`);
  return result.overallResult;
}
