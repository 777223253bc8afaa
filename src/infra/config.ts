import {
  DEFAULTS,
  ENV,
  TRIGGER_MODES,
  environmentSuffixFrom,
  regionFrom,
  type TriggerMode,
} from '../resources/index.js';
import type { AlertingSettings } from './processing.js';

export interface StackConfig {
  readonly environmentSuffix: string;
  readonly region: string;
  readonly alerting: AlertingSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_ALERTING: AlertingSettings = {
  above: DEFAULTS.thresholds.above,
  below: DEFAULTS.thresholds.below,
  mode: DEFAULTS.triggerMode,
};

/** The stack's settings from the synth-time environment; invalid values fail the synth, not the deployed functions. */
export function stackConfigFrom(env: Env = process.env): StackConfig {
  return {
    environmentSuffix: environmentSuffixFrom(env),
    region: regionFrom(env),
    alerting: alertingSettingsFrom(env),
  };
}

/**
 * Default alert thresholds and trigger mode: the variables the functions read (ALERT_THRESHOLD_HIGH,
 * ALERT_THRESHOLD_LOW, ALERT_TRIGGER_MODE), set at synth time and passed through to both functions.
 */
export function alertingSettingsFrom(env: Env): AlertingSettings {
  const above = positive(env, ENV.thresholdAbove, DEFAULT_ALERTING.above);
  const below = positive(env, ENV.thresholdBelow, DEFAULT_ALERTING.below);
  if (below >= above) throw new Error(`${ENV.thresholdBelow} (${below}) must be less than ${ENV.thresholdAbove} (${above})`);
  const mode = env[ENV.triggerMode]?.trim() || DEFAULT_ALERTING.mode;
  if (!isTriggerMode(mode)) throw new Error(`${ENV.triggerMode} must be one of ${TRIGGER_MODES.join(', ')} (got "${mode}")`);
  return { above, below, mode };
}

/**
 * The default rule as the stack publishes it (the `default_alert_rule` output), so that tools read the deployment's
 * rule rather than their own environment. Same keys as a per-symbol override in alert-rules.
 */
export function defaultAlertRuleJson(alerting: AlertingSettings): string {
  return JSON.stringify({ above: alerting.above, below: alerting.below, mode: alerting.mode });
}

function positive(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return value;
}

function isTriggerMode(value: string): value is TriggerMode {
  return (TRIGGER_MODES as readonly string[]).includes(value);
}

/** Tags every taggable resource carries, through the provider's default_tags. */
export function stackTags(environmentSuffix: string): Record<string, string> {
  return { Environment: environmentSuffix, ...DEFAULTS.tags };
}
