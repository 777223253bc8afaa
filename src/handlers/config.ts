import {
  DEFAULTS,
  ENV,
  EVENT_RULES,
  EVENT_SOURCE,
  defaultAlertRuleFrom,
  positiveNumberVariable,
  requiredVariable,
  wholeNumberVariable,
  type Env,
} from '../resources/index.js';
import type { AlertRule, MarketEventRouting } from '../domain/index.js';
import type { EngineLimits } from '../pipeline/index.js';
import { DAY_MS } from '../shared/time.js';

export interface AlertingConfig extends EngineSettings {
  readonly environment: string;
  readonly alertsTable: string;
  readonly alertRulesTable: string;
  readonly topicArn: string;
}

export interface EngineSettings {
  readonly defaultRule: AlertRule;
  readonly limits: EngineLimits;
}

/**
 * The default rule and the engine's limits, as both functions read them at cold start (and the local runtime, a
 * backtest and `rules` from a shell's or a deployed function's variables): ALERT_THRESHOLD_HIGH, ALERT_THRESHOLD_LOW,
 * ALERT_TRIGGER_MODE and ALERT_LATENESS_HORIZON_TICKS over the defaults of src/resources.
 */
export function engineSettingsFrom(env: Env): EngineSettings {
  return {
    defaultRule: defaultAlertRuleFrom(env),
    limits: {
      horizon: wholeNumberVariable(env, ENV.latenessHorizonTicks, DEFAULTS.latenessHorizonTicks),
      maxPending: DEFAULTS.maxPendingAlerts,
      deliveryGraceMs: DEFAULTS.deliveryGraceSeconds * 1000,
      // A pending alert's owner message cannot come back once the queues' retention has passed.
      pendingRetentionMs: Math.max(DEFAULTS.queueRetentionDays, DEFAULTS.dlqRetentionDays) * DAY_MS,
    },
  };
}

/** The data-processor's settings; the defaults of src/resources apply where the stack sets nothing. */
export function alertingConfigFrom(env: Env): AlertingConfig {
  return {
    environment: requiredVariable(env, ENV.environment),
    alertsTable: requiredVariable(env, ENV.alertsTable),
    alertRulesTable: requiredVariable(env, ENV.alertRulesTable),
    topicArn: requiredVariable(env, ENV.tradingAlertsTopicArn),
    ...engineSettingsFrom(env),
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
    marketDataTable: requiredVariable(env, ENV.marketDataTable),
    auditTrailTable: requiredVariable(env, ENV.auditTrailTable),
    eventsDlqUrl: requiredVariable(env, ENV.marketEventsDlqUrl),
    ttlDays: positiveNumberVariable(env, ENV.marketDataTtlDays, DEFAULTS.marketDataTtlDays),
  };
}

/** The stack's EventBridge rules, as the handler checks them. */
export const MARKET_EVENT_ROUTING: MarketEventRouting = {
  source: EVENT_SOURCE,
  detailTypes: { trade: EVENT_RULES.tradeEventsRule, quote: EVENT_RULES.quoteEventsRule },
};
