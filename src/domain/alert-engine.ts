import { alertId } from './ids.js';
import type { Alert, AlertRule, AlertType, SymbolState, Tick, TriggerMode, Zone } from './types.js';

/** How many past alerts a symbol's state remembers for redelivered ticks (bounded so the item stays small). */
export const RECENT_ALERTS_KEPT = 20;

export interface RuleOverride {
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
}

/** A per-symbol override on top of the defaults; an override that would leave no NORMAL band is refused. */
export function resolveRule(defaults: AlertRule, override: RuleOverride | undefined): { rule: AlertRule; problem?: string } {
  const rule: AlertRule = {
    above: override?.above ?? defaults.above,
    below: override?.below ?? defaults.below,
    mode: override?.mode ?? defaults.mode,
  };
  if (rule.below >= rule.above) {
    return { rule: defaults, problem: `rule override ignored: below (${rule.below}) must be less than above (${rule.above})` };
  }
  return { rule };
}

export function zoneOf(price: number, rule: AlertRule): Zone {
  if (price > rule.above) return 'HIGH';
  if (price < rule.below) return 'LOW';
  return 'NORMAL';
}

export interface EmittedAlert {
  readonly alert: Alert;
  /** The tick (by key) that raised or re-raised it. */
  readonly tickKey: string;
  /** True when a redelivered tick re-raises an alert already recorded in the state. */
  readonly replay: boolean;
}

export interface Evaluation {
  readonly alerts: readonly EmittedAlert[];
  /** The new state when it changed, otherwise undefined (nothing to write). */
  readonly nextState?: SymbolState;
  /** Keys of ticks older than the state that changed nothing. */
  readonly stale: readonly string[];
}

const byEventTime = (a: Tick, b: Tick): number => a.eventTime - b.eventTime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function makeAlert(tick: Tick, alertType: AlertType, rule: AlertRule): Alert {
  return {
    alertId: alertId(tick.key, alertType),
    symbol: tick.symbol,
    alertType,
    price: tick.price,
    threshold: alertType === 'HIGH' ? rule.above : rule.below,
    mode: rule.mode,
    eventTime: tick.eventTime,
    tickKey: tick.key,
  };
}

/** `every` mode: each tick in HIGH or LOW is an alert (the source documents' behaviour); no state. */
function evaluateEvery(rule: AlertRule, ticks: readonly Tick[]): Evaluation {
  const alerts: EmittedAlert[] = [];
  for (const tick of [...ticks].sort(byEventTime)) {
    const zone = zoneOf(tick.price, rule);
    if (zone !== 'NORMAL') alerts.push({ alert: makeAlert(tick, zone, rule), tickKey: tick.key, replay: false });
  }
  return { alerts, stale: [] };
}

/**
 * `cross` mode: an alert when the symbol enters HIGH or LOW from another zone. Ticks apply in event-time order;
 * a tick older than the state changes nothing; a tick that already raised a remembered alert re-raises it.
 */
function evaluateCross(rule: AlertRule, state: SymbolState | undefined, ticks: readonly Tick[]): Evaluation {
  let current: SymbolState = state ?? { zone: 'NORMAL', since: Number.NEGATIVE_INFINITY, tickKey: '', recentAlerts: [] };
  let changed = false;
  const alerts: EmittedAlert[] = [];
  const stale: string[] = [];
  for (const tick of [...ticks].sort(byEventTime)) {
    const remembered = current.recentAlerts.find((a) => a.tickKey === tick.key);
    if (remembered) {
      alerts.push({ alert: remembered, tickKey: tick.key, replay: true });
      continue;
    }
    if (tick.eventTime < current.since || tick.key === current.tickKey) {
      stale.push(tick.key);
      continue;
    }
    const zone = zoneOf(tick.price, rule);
    if (zone === current.zone) continue;
    let recentAlerts = current.recentAlerts;
    if (zone !== 'NORMAL') {
      const alert = makeAlert(tick, zone, rule);
      alerts.push({ alert, tickKey: tick.key, replay: false });
      recentAlerts = [...recentAlerts, alert].slice(-RECENT_ALERTS_KEPT);
    }
    current = { zone, since: tick.eventTime, tickKey: tick.key, recentAlerts };
    changed = true;
  }
  return changed ? { alerts, stale, nextState: current } : { alerts, stale };
}

/** Evaluate one symbol's ticks against its rule and state. Pure: the caller persists `nextState`. */
export function evaluate(rule: AlertRule, state: SymbolState | undefined, ticks: readonly Tick[]): Evaluation {
  return rule.mode === 'every' ? evaluateEvery(rule, ticks) : evaluateCross(rule, state, ticks);
}
