import { DEFAULTS, ENV, EVENT_RULES, EVENT_SOURCE, TRIGGER_MODES, type TriggerMode } from '../resources/index.js';
import type { AlertRule, MarketEventRouting } from '../domain/index.js';
import type { EngineLimits } from '../pipeline/index.js';

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`missing required environment variable ${name}`);
  return value;
}

function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`environment variable ${name} must be a positive number (got "${raw}")`);
  return value;
}

export interface AlertingConfig {
  readonly environment: string;
  readonly alertsTable: string;
  readonly alertRulesTable: string;
  readonly topicArn: string;
  readonly defaultRule: AlertRule;
  readonly limits: EngineLimits;
}

const DAY_MS = 86_400_000;

function wholeNumber(env: Env, name: string, fallback: number): number {
  const value = positiveNumber(env, name, fallback);
  if (!Number.isInteger(value)) throw new Error(`environment variable ${name} must be a whole number (got "${env[name]}")`);
  return value;
}

/** The data-processor's settings; the defaults of src/resources apply where the stack sets nothing. */
export function alertingConfigFrom(env: Env): AlertingConfig {
  const mode = (env[ENV.triggerMode]?.trim() || DEFAULTS.triggerMode) as TriggerMode;
  if (!TRIGGER_MODES.includes(mode)) throw new Error(`environment variable ${ENV.triggerMode} must be one of ${TRIGGER_MODES.join(', ')} (got "${mode}")`);
  const defaultRule: AlertRule = {
    above: positiveNumber(env, ENV.thresholdAbove, DEFAULTS.thresholds.above),
    below: positiveNumber(env, ENV.thresholdBelow, DEFAULTS.thresholds.below),
    mode,
  };
  if (defaultRule.below >= defaultRule.above) {
    throw new Error(`${ENV.thresholdBelow} (${defaultRule.below}) must be less than ${ENV.thresholdAbove} (${defaultRule.above})`);
  }
  return {
    environment: required(env, ENV.environment),
    alertsTable: required(env, ENV.alertsTable),
    alertRulesTable: required(env, ENV.alertRulesTable),
    topicArn: required(env, ENV.tradingAlertsTopicArn),
    defaultRule,
    limits: {
      horizon: wholeNumber(env, ENV.latenessHorizonTicks, DEFAULTS.latenessHorizonTicks),
      maxPending: DEFAULTS.maxPendingAlerts,
      // A pending alert's owner message cannot come back once the queues' retention has passed.
      pendingRetentionMs: Math.max(DEFAULTS.queueRetentionDays, DEFAULTS.dlqRetentionDays) * DAY_MS,
    },
  };
}

export interface MarketEventConfig extends AlertingConfig {
  readonly marketDataTable: string;
  readonly auditTrailTable: string;
  readonly eventsDlqUrl: string;
  readonly ttlDays: number;
}

export function marketEventConfigFrom(env: Env): MarketEventConfig {
  return {
    ...alertingConfigFrom(env),
    marketDataTable: required(env, ENV.marketDataTable),
    auditTrailTable: required(env, ENV.auditTrailTable),
    eventsDlqUrl: required(env, ENV.marketEventsDlqUrl),
    ttlDays: positiveNumber(env, ENV.marketDataTtlDays, DEFAULTS.marketDataTtlDays),
  };
}

/** The stack's EventBridge rules, as the handler checks them. */
export const MARKET_EVENT_ROUTING: MarketEventRouting = {
  source: EVENT_SOURCE,
  detailTypes: { trade: EVENT_RULES.tradeEventsRule, quote: EVENT_RULES.quoteEventsRule },
};
