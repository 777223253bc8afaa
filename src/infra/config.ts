import { DEFAULTS, defaultAlertRuleFrom, environmentSuffixFrom, regionFrom, type AlertRule, type Env } from '../resources/index.js';

/**
 * Where Terraform keeps the stack's state: a local file in the project root (the default), or an object in an
 * existing S3 bucket, always encrypted, when TF_STATE_BUCKET is set. Never `use_lockfile` (DESIGN §2); DynamoDB
 * locking is optional.
 */
export type StateBackend =
  | { readonly kind: 'local' }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly key: string;
      readonly region: string;
      readonly kmsKeyId?: string;
      readonly dynamodbTable?: string;
    };

export interface StackConfig {
  readonly environmentSuffix: string;
  readonly region: string;
  /** Default alert rule of both functions (ALERT_THRESHOLD_HIGH, ALERT_THRESHOLD_LOW, ALERT_TRIGGER_MODE, ALERT_REARM). */
  readonly alerting: AlertRule;
  /** TF_STATE_BUCKET, TF_STATE_KEY, TF_STATE_REGION, TF_STATE_KMS_KEY_ID, TF_STATE_DYNAMODB_TABLE. */
  readonly stateBackend: StateBackend;
}

/** The stack's settings from the synth-time environment; invalid values fail the synth, not the deployed functions. */
export function stackConfigFrom(env: Env = process.env): StackConfig {
  const environmentSuffix = environmentSuffixFrom(env);
  const region = regionFrom(env);
  return {
    environmentSuffix,
    region,
    alerting: defaultAlertRuleFrom(env),
    stateBackend: stateBackendFrom(env, stackId(environmentSuffix), region),
  };
}

/** Stack id, and so the folder under cdktf.out/stacks and the state file or key: one per environment. */
export function stackId(environmentSuffix: string): string {
  return `market-data-pipeline-${environmentSuffix}`;
}

/** The local state file of a stack, in the project root. */
export function localStateFile(id: string): string {
  return `terraform.${id}.tfstate`;
}

const STATE = {
  bucket: 'TF_STATE_BUCKET',
  key: 'TF_STATE_KEY',
  region: 'TF_STATE_REGION',
  kmsKeyId: 'TF_STATE_KMS_KEY_ID',
  dynamodbTable: 'TF_STATE_DYNAMODB_TABLE',
} as const;

// The names and identifiers AWS and Terraform's S3 backend accept; checked here so that a typo fails the synth with
// the variable's name instead of `terraform init` failing later.
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const KEY_ID = '(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})';
const ALIAS = 'alias/[A-Za-z0-9/_-]+';
const KMS_ARN = 'arn:aws[a-z-]*:kms:[a-z]{2}(?:-[a-z]+)+-\\d+:\\d{12}:';
const KMS_KEY = new RegExp(`^(?:${KEY_ID}|${ALIAS}|${KMS_ARN}key/${KEY_ID}|${KMS_ARN}${ALIAS})$`);
const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

const RULES = {
  bucket: 'use an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit',
  key: 'use an S3 object key of at most 1024 characters, without a leading or trailing slash or an empty segment (//)',
  region: 'use an AWS region code such as eu-west-1',
  kmsKeyId: 'use a KMS key id, key ARN, alias (alias/...) or alias ARN',
  dynamodbTable: 'use a DynamoDB table name: 3-255 letters, digits, underscores, hyphens or dots',
} as const;

/**
 * The state backend from TF_STATE_* (blank counts as unset). TF_STATE_BUCKET opts in to S3; the key defaults to
 * `{stack id}/terraform.tfstate`, one per environment, and the region to the stack's.
 */
export function stateBackendFrom(env: Env, id: string, stackRegion: string): StateBackend {
  const read = (name: string) => env[name]?.trim() || undefined;
  const bucket = read(STATE.bucket);
  if (!bucket) {
    const stray = [STATE.key, STATE.region, STATE.kmsKeyId, STATE.dynamodbTable].filter((name) => read(name));
    if (stray.length > 0) {
      const names = stray.join(', ');
      throw new Error(
        `${names} ${stray.length === 1 ? 'is' : 'are'} set but ${STATE.bucket} is not: set ${STATE.bucket} to keep the state in S3, or unset ${names} to keep it in a local file`,
      );
    }
    return { kind: 'local' };
  }
  const valid = (field: keyof typeof STATE, value: string, ok: boolean) => {
    if (!ok) throw new Error(`${STATE[field]} "${value}" is invalid: ${RULES[field]}`);
    return value;
  };
  const key = read(STATE.key) ?? `${id}/terraform.tfstate`;
  const region = read(STATE.region);
  const kmsKeyId = read(STATE.kmsKeyId);
  const dynamodbTable = read(STATE.dynamodbTable);
  return {
    kind: 's3',
    bucket: valid('bucket', bucket, BUCKET.test(bucket)),
    key: valid('key', key, key.length <= 1024 && !key.startsWith('/') && !key.endsWith('/') && !key.includes('//')),
    region: region ? valid('region', region, REGION.test(region)) : stackRegion,
    ...(kmsKeyId && { kmsKeyId: valid('kmsKeyId', kmsKeyId, KMS_KEY.test(kmsKeyId)) }),
    ...(dynamodbTable && { dynamodbTable: valid('dynamodbTable', dynamodbTable, DYNAMODB_TABLE.test(dynamodbTable)) }),
  };
}

/**
 * The default rule as the stack publishes it (the `default_alert_rule` output), so that tools read the deployment's
 * rule rather than their own environment. Same keys as a per-symbol override in alert-rules.
 */
export function defaultAlertRuleJson(alerting: AlertRule): string {
  return JSON.stringify({ above: alerting.above, below: alerting.below, mode: alerting.mode, ...(alerting.rearm && { rearm: alerting.rearm }) });
}

/** Tags every taggable resource carries, through the provider's default_tags. */
export function stackTags(environmentSuffix: string): Record<string, string> {
  return { Environment: environmentSuffix, ...DEFAULTS.tags };
}
