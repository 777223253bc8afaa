/** How the functions are set up on this machine: their configuration, the bus rules, the engine settings. */
import { marketEventConfigFrom, type MarketEventConfig } from '../../handlers/config.js';
import { BASE_NAMES, ENV, EVENT_RULES, EVENT_SOURCE, TABLES, resourceNames, type TableKey } from '../../resources/index.js';
import type { BusRule } from './event-bus.js';

/** The default rule and engine limits exactly as the deployed functions read them (see the handlers' config). */
export { engineSettingsFrom } from '../../handlers/config.js';

/**
 * The handlers' configuration as the stack would set it. Default thresholds and trigger mode still come from the
 * user's environment (ALERT_THRESHOLD_HIGH, ALERT_THRESHOLD_LOW, ALERT_TRIGGER_MODE), as they do for the functions.
 */
export function localHandlerConfig(environment: string, region: string, tableNames: Partial<Record<TableKey, string>> = {}): MarketEventConfig {
  const names = resourceNames(environment);
  const table = (key: TableKey) => tableNames[key] ?? names[TABLES[key].resource];
  return marketEventConfigFrom({
    ...process.env,
    [ENV.environment]: environment,
    [ENV.alertsTable]: table('alerts'),
    [ENV.alertRulesTable]: table('alertRules'),
    [ENV.marketDataTable]: table('marketData'),
    [ENV.auditTrailTable]: table('auditTrail'),
    // Never called: the local notifier takes SNS's place, and the local events DLQ file SQS's.
    [ENV.tradingAlertsTopicArn]: `arn:aws:sns:${region}:000000000000:${names.tradingAlertsTopic}`,
    [ENV.marketEventsDlqUrl]: `https://sqs.${region}.amazonaws.com/000000000000/${names.marketEventsDlq}`,
  });
}

/** The stack's EventBridge rules, as the local bus matches them (targets added by the caller). */
export const busRules = (): { name: string; pattern: BusRule['pattern'] }[] =>
  (Object.keys(EVENT_RULES) as (keyof typeof EVENT_RULES)[]).map((rule) => ({
    name: BASE_NAMES[rule],
    pattern: { source: [EVENT_SOURCE], 'detail-type': EVENT_RULES[rule] },
  }));
