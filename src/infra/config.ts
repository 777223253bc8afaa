import { DEFAULTS, defaultAlertRuleFrom, environmentSuffixFrom, regionFrom, type AlertRule, type Env } from '../resources/index.js';

export interface StackConfig {
  readonly environmentSuffix: string;
  readonly region: string;
  /** Default alert rule of both functions (ALERT_THRESHOLD_HIGH, ALERT_THRESHOLD_LOW, ALERT_TRIGGER_MODE). */
  readonly alerting: AlertRule;
}

/** The stack's settings from the synth-time environment; invalid values fail the synth, not the deployed functions. */
export function stackConfigFrom(env: Env = process.env): StackConfig {
  return {
    environmentSuffix: environmentSuffixFrom(env),
    region: regionFrom(env),
    alerting: defaultAlertRuleFrom(env),
  };
}

/**
 * The default rule as the stack publishes it (the `default_alert_rule` output), so that tools read the deployment's
 * rule rather than their own environment. Same keys as a per-symbol override in alert-rules.
 */
export function defaultAlertRuleJson(alerting: AlertRule): string {
  return JSON.stringify({ above: alerting.above, below: alerting.below, mode: alerting.mode });
}

/** Tags every taggable resource carries, through the provider's default_tags. */
export function stackTags(environmentSuffix: string): Record<string, string> {
  return { Environment: environmentSuffix, ...DEFAULTS.tags };
}
