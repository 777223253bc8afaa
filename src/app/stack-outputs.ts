import { readFile } from 'node:fs/promises';
import { BASE_NAMES, ENVIRONMENT_SUFFIX_PATTERN, STACK_OUTPUTS } from '../resources/index.js';
import { UserError } from '../shared/user-error.js';

/** Where `npm run deploy` leaves the stack outputs. */
export const DEFAULT_OUTPUTS_FILE = 'cfn-outputs/flat-outputs.json';

/** The stack outputs this tool reads (their names are the stack's, from src/resources). */
export const OUTPUT_KEYS = {
  queueUrl: STACK_OUTPUTS.sqsQueueUrl,
  ticksDlqUrl: STACK_OUTPUTS.marketDataDlqUrl,
  eventsDlqUrl: STACK_OUTPUTS.marketEventsDlqUrl,
  eventBusName: STACK_OUTPUTS.eventBusName,
  alertsTable: STACK_OUTPUTS.dynamodbTableName,
  alertRulesTable: STACK_OUTPUTS.alertRulesTableName,
  marketDataTable: STACK_OUTPUTS.marketDataTableName,
  auditTrailTable: STACK_OUTPUTS.auditTrailTableName,
  topicArn: STACK_OUTPUTS.snsTopicArn,
  environment: STACK_OUTPUTS.environmentSuffix,
  region: STACK_OUTPUTS.awsRegion,
  dataProcessorFunction: STACK_OUTPUTS.lambdaFunctionName,
  defaultAlertRule: STACK_OUTPUTS.defaultAlertRule,
} as const;

export type OutputKey = keyof typeof OUTPUT_KEYS;

/** A deployment's outputs, flat (`{"sqs_queue_url": "…"}`), or nested one level under a stack name. */
export class StackOutputs {
  constructor(
    readonly file: string,
    private readonly values: Readonly<Record<string, string>>,
  ) {}

  get(key: OutputKey): string | undefined {
    return this.values[OUTPUT_KEYS[key]] || undefined;
  }

  require(key: OutputKey): string {
    const value = this.get(key);
    if (!value) throw new UserError(`${this.file} has no ${OUTPUT_KEYS[key]} output; redeploy with npm run deploy, or pass the value as an option`);
    return value;
  }

  /** The environment suffix the stack was deployed with: its output, or read off a resource name (market-alerts-<suffix>). */
  environment(): string | undefined {
    const declared = this.get('environment');
    if (declared && ENVIRONMENT_SUFFIX_PATTERN.test(declared)) return declared;
    const table = this.get('alertsTable');
    const prefix = `${BASE_NAMES.alertsTable}-`;
    const suffix = table?.startsWith(prefix) ? table.slice(prefix.length) : undefined;
    return suffix && ENVIRONMENT_SUFFIX_PATTERN.test(suffix) ? suffix : undefined;
  }
}

export async function readStackOutputs(file: string): Promise<StackOutputs> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(
      error.code === 'ENOENT'
        ? `outputs file not found: ${file} (it is written by npm run deploy; or name the resources with --env and standard AWS configuration)`
        : `cannot read outputs file ${file}: ${error.message}`,
    );
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`outputs file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UserError(`outputs file ${file} must hold a JSON object`);
  const flat: Record<string, string> = {};
  const collect = (object: Record<string, unknown>, depth: number) => {
    for (const [key, value] of Object.entries(object)) {
      if (typeof value === 'string') flat[key] ??= value;
      // Terraform's `output -json` shape: {"name": {"value": "…"}}; stacks nest outputs under their name.
      else if (typeof value === 'object' && value !== null && depth < 2) {
        const v = value as Record<string, unknown>;
        if (typeof v.value === 'string') flat[key] ??= v.value;
        else collect(v, depth + 1);
      }
    }
  };
  collect(parsed as Record<string, unknown>, 0);
  return new StackOutputs(file, flat);
}
