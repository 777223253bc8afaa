import type { Alert, AlertRule, RuleOverride } from '../../domain/index.js';
import type { AlertingPorts, EngineLimits } from '../../pipeline/ports.js';
import { MemoryAlertStore } from './alert-store.js';
import { SilentNotifier } from './notifier.js';
import { MemoryRuleStateStore } from './rule-state-store.js';

export * from './alert-store.js';
export * from './notifier.js';
export * from './rule-state-store.js';

export interface MemoryPortsOptions {
  readonly defaultRule: AlertRule;
  /** Per-symbol overrides, as the alert-rules table holds them. */
  readonly overrides?: ReadonlyMap<string, RuleOverride>;
  readonly limits: EngineLimits;
  /** Each alert, once, when it is recorded. */
  readonly onAlert?: (alert: Alert) => void;
}

/** The alerting ports in memory: nothing is written anywhere, and a lost race cannot happen, so there is no pause. */
export function memoryAlertingPorts(options: MemoryPortsOptions): AlertingPorts {
  return {
    rules: new MemoryRuleStateStore(options.overrides),
    alerts: new MemoryAlertStore(options.onAlert),
    notifier: new SilentNotifier(),
    defaultRule: options.defaultRule,
    limits: options.limits,
  };
}
