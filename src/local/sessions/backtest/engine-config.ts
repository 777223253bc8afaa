import type { AlertRule } from '../../../domain/index.js';
import { alertingConfigFrom } from '../../../handlers/config.js';
import type { EngineLimits } from '../../../pipeline/index.js';
import { ENV } from '../../../resources/index.js';

/**
 * The default rule and engine limits exactly as the deployed functions read them (ALERT_THRESHOLD_HIGH,
 * ALERT_THRESHOLD_LOW, ALERT_TRIGGER_MODE, ALERT_LATENESS_HORIZON_TICKS and the defaults of src/resources). A backtest
 * has no tables and no topic: those settings are named only because the functions' reader requires them.
 */
export function backtestEngineConfig(env: NodeJS.ProcessEnv = process.env): { defaultRule: AlertRule; limits: EngineLimits } {
  const { defaultRule, limits } = alertingConfigFrom({
    ...env,
    [ENV.environment]: 'backtest',
    [ENV.alertsTable]: 'none',
    [ENV.alertRulesTable]: 'none',
    [ENV.tradingAlertsTopicArn]: 'none',
  });
  return { defaultRule, limits };
}
