import { GetFunctionConfigurationCommand, ResourceNotFoundException, type LambdaClient } from '@aws-sdk/client-lambda';
import { parseAlertRule, parseJson, type AlertRule } from '../domain/index.js';
import { engineSettingsFrom } from '../local/emulation/function-config.js';
import { STACK_OUTPUTS, resourceNames } from '../resources/index.js';
import { UserError } from '../shared/user-error.js';
import { lambdaClient } from './aws-clients.js';
import { endpointOf } from './endpoints.js';
import { ServiceError } from './errors.js';
import type { AwsTarget, Target } from './target.js';

/** The rule for symbols without an override, and where it was read, for people. */
export interface DefaultRule {
  readonly rule: AlertRule;
  readonly source: string;
}

/**
 * The default rule of the target, as its functions apply it. The embedded store: the local defaults (with this
 * shell's ALERT_THRESHOLD_* overrides, which the local runtime also applies). A deployment: never this shell's
 * variables, but the deployment's own rule: its `default_alert_rule` output when an outputs file is given and has
 * it, otherwise the deployed data-processor's environment variables.
 */
export async function defaultRuleOf(target: Target, lambda?: LambdaClient): Promise<DefaultRule> {
  if (target.kind === 'local') return { rule: engineSettingsFrom(process.env).defaultRule, source: 'the local defaults' };
  const published = target.outputs?.get('defaultAlertRule');
  if (published)
    return { rule: parsePublishedRule(published, target.outputs!.file), source: `${STACK_OUTPUTS.defaultAlertRule} in ${target.outputs!.file}` };
  const client = lambda ?? lambdaClient(target);
  try {
    return await functionDefaultRule(client, target);
  } finally {
    if (!lambda) client.destroy();
  }
}

function parsePublishedRule(text: string, file: string): AlertRule {
  const json = parseJson(text);
  const parsed = json.ok ? parseAlertRule(json.value) : { ok: false as const, reason: 'not JSON' };
  if (!parsed.ok) {
    throw new UserError(
      `${file}: ${STACK_OUTPUTS.defaultAlertRule} is not a valid rule (${parsed.reason}): write the outputs file again from the deployment (npm run deploy)`,
    );
  }
  return parsed.value;
}

/** Lambda is called with the standard SDK configuration only: never at --endpoint, which names the DynamoDB server. */
const lambdaEndpointOf = (target: AwsTarget) => endpointOf('Lambda') ?? `https://lambda.${target.region}.amazonaws.com`;

const KMS_ERRORS = new Set(['KMSAccessDeniedException', 'KMSDisabledException', 'KMSInvalidStateException', 'KMSNotFoundException']);

async function functionDefaultRule(lambda: LambdaClient, target: AwsTarget): Promise<DefaultRule> {
  const name = target.outputs?.get('dataProcessorFunction') ?? resourceNames(target.environment).dataProcessor;
  const otherwise = `or pass --outputs <file> with the ${STACK_OUTPUTS.defaultAlertRule} output`;
  const cannotDecrypt = (key: string | undefined, reason: string) =>
    new UserError(
      `cannot read the default alert rule from ${name}: its environment variables are encrypted with the customer managed key ` +
        `${key ?? "(the stack's key)"}, which you may not use (${reason}). Allow kms:Decrypt on that key to the identity running ` +
        `this command (the key policy lets IAM policies grant it), ${otherwise}`,
    );
  let configuration;
  try {
    configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (error instanceof ResourceNotFoundException) {
      throw new UserError(
        `function ${name} was not found in ${target.region}, so its default alert rule cannot be read: deploy the stack ` +
          `(ENVIRONMENT_SUFFIX=${target.environment} npm run deploy), choose the deployment with --env or --region, ${otherwise}`,
      );
    }
    if (e.name && KMS_ERRORS.has(e.name)) throw cannotDecrypt(undefined, `${e.name}: ${e.message ?? ''}`);
    if (e.name === 'AccessDeniedException') {
      throw new UserError(
        `not allowed to read ${name}'s configuration, which holds the deployed default alert rule (${e.message ?? e.name}): ` +
          `allow lambda:GetFunctionConfiguration on it, ${otherwise}`,
      );
    }
    throw new ServiceError(error, { endpoint: lambdaEndpointOf(target), service: 'Lambda' });
  }
  const environment = configuration.Environment;
  // Without kms:Decrypt on a customer managed key, Lambda answers with an error in place of the variables.
  if (environment?.Error && !environment.Variables) {
    throw cannotDecrypt(configuration.KMSKeyArn, `${environment.Error.ErrorCode ?? 'error'}: ${environment.Error.Message ?? ''}`.trim());
  }
  try {
    return { rule: engineSettingsFrom(environment?.Variables ?? {}).defaultRule, source: `the configuration of ${name}` };
  } catch (error) {
    throw new UserError(`${name} has no usable default alert rule (${(error as Error).message}): redeploy the stack, ${otherwise}`);
  }
}
