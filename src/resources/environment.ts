/**
 * Environment variables: their names and the one parser of each variable that more than one part reads (the stack
 * at synth time, the handlers at cold start, the local runtime and the CLI). Every error names the variable and the
 * value it got, so that a bad setting fails where it is read with a message that says what to fix.
 */
import { RULE_FIELD_SCHEMAS, THRESHOLDS_FIELDS, ruleProblem, type ThresholdsField } from '../domain/index.js';
import { DEFAULT_ALERT_RULE, type AlertRule } from './defaults.js';

/** Environment variables the handlers read; the stack and the local runtime set them. */
export const ENV = {
  environment: 'ENVIRONMENT',
  alertsTable: 'ALERTS_TABLE',
  alertRulesTable: 'ALERT_RULES_TABLE',
  tradingAlertsTopicArn: 'TRADING_ALERTS_TOPIC_ARN',
  thresholdAbove: 'ALERT_THRESHOLD_HIGH',
  thresholdBelow: 'ALERT_THRESHOLD_LOW',
  triggerMode: 'ALERT_TRIGGER_MODE',
  /** Hysteresis of the default rule: an amount or a percentage (`0.5%`). */
  rearm: 'ALERT_REARM',
  marketDataTable: 'MARKET_DATA_TABLE',
  auditTrailTable: 'AUDIT_TRAIL_TABLE',
  marketDataTtlDays: 'MARKET_DATA_TTL_DAYS',
  /** market-processor sends invalid events straight to this queue (a retry cannot make them valid). */
  marketEventsDlqUrl: 'MARKET_EVENTS_DLQ_URL',
  /** How many of a symbol's newest ticks the cross engine remembers: older arrivals are late. */
  latenessHorizonTicks: 'ALERT_LATENESS_HORIZON_TICKS',
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_ENVIRONMENT_SUFFIX = 'dev';
const DEFAULT_REGION = 'us-east-1';

/** `ENVIRONMENT_SUFFIX` must be usable in every AWS name it ends (SQS, Lambda, DynamoDB, IAM, KMS alias). */
export const ENVIRONMENT_SUFFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,19}$/;

export function environmentSuffixFrom(env: Env = process.env): string {
  const suffix = env.ENVIRONMENT_SUFFIX?.trim() || DEFAULT_ENVIRONMENT_SUFFIX;
  if (!ENVIRONMENT_SUFFIX_PATTERN.test(suffix)) {
    throw new Error(`ENVIRONMENT_SUFFIX "${suffix}" is invalid: use 1-20 lowercase letters, digits or hyphens, starting with a letter or digit`);
  }
  return suffix;
}

export function regionFrom(env: Env = process.env): string {
  return env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || DEFAULT_REGION;
}

/** A variable that must be set (blank counts as unset). */
export function requiredVariable(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`missing required environment variable ${name}`);
  return value;
}

/** A finite number above 0, or the fallback when the variable is unset or blank. */
export function positiveNumberVariable(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`environment variable ${name} must be a positive number (got "${raw}")`);
  return value;
}

/** A whole number above 0, or the fallback when the variable is unset or blank. */
export function wholeNumberVariable(env: Env, name: string, fallback: number): number {
  const value = positiveNumberVariable(env, name, fallback);
  if (!Number.isInteger(value)) throw new Error(`environment variable ${name} must be a whole number (got "${value}")`);
  return value;
}

/** The variable that sets each attribute of the default rule. */
const RULE_VARIABLES = {
  above: ENV.thresholdAbove,
  below: ENV.thresholdBelow,
  mode: ENV.triggerMode,
  rearm: ENV.rearm,
} as const satisfies Record<ThresholdsField, string>;

/**
 * The rule for symbols without their own in alert-rules: ALERT_THRESHOLD_HIGH, ALERT_THRESHOLD_LOW (prices, low
 * below high), ALERT_TRIGGER_MODE and ALERT_REARM, each defaulting to DEFAULT_ALERT_RULE and checked by the rule's one
 * parser.
 * The stack reads them at synth time and passes the result to both functions, which read them again at cold start.
 */
export function defaultAlertRuleFrom(env: Env): AlertRule {
  const rule = Object.fromEntries(
    THRESHOLDS_FIELDS.flatMap((field) => {
      const name = RULE_VARIABLES[field];
      const raw = env[name]?.trim();
      if (!raw) return DEFAULT_ALERT_RULE[field] === undefined ? [] : [[field, DEFAULT_ALERT_RULE[field]]];
      // Prices are numbers; a mode is a word, and a rearm amount or percentage is read from its text.
      const parsed = RULE_FIELD_SCHEMAS[field].safeParse(field === 'above' || field === 'below' ? Number(raw) : raw);
      if (!parsed.success) throw new Error(`environment variable ${name} ${parsed.error.issues.map((i) => i.message).join('; ')} (got "${raw}")`);
      return parsed.data === 0 && field === 'rearm' ? [] : [[field, parsed.data]];
    }),
  ) as unknown as AlertRule;
  if (rule.below >= rule.above) throw new Error(`${ENV.thresholdBelow} (${rule.below}) must be less than ${ENV.thresholdAbove} (${rule.above})`);
  const problem = ruleProblem(rule);
  if (problem) throw new Error(`${ENV.rearm}: ${problem}`);
  return rule;
}
