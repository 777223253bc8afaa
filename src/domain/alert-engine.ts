import { alertId, tickKey } from './ids.js';
import type { Alert, AlertRule, AlertType, Observation, RaisedAlert, SymbolWindow, Thresholds, Tick, TriggerMode, Zone } from './types.js';
import { compareEventTime as compare, keyOfObservation, rezoned, runAlerts, runZone, zoneAlerts, zoneOf } from './window.js';

const EMPTY_WINDOW: SymbolWindow = { observations: [], truncated: false };

export interface Evaluation {
  /** Alerts this batch raises, each owned by the tick that caused it. */
  readonly raised: readonly RaisedAlert[];
  /** The new window when it changed, otherwise undefined (nothing to write). */
  readonly next?: SymbolWindow;
  /** Ticks that sort before the window's horizon: counted and reported, not applied. */
  readonly late: readonly Tick[];
}

/** The threshold an alert is about: the one crossed, or for a run inside a channel the edge nearer its price. */
function thresholdOf(alertType: AlertType, price: number, rule: AlertRule): number {
  if (alertType === 'INSIDE') return rule.above - price <= price - rule.below ? rule.above : rule.below;
  return alertType === 'HIGH' ? rule.above : rule.below;
}

function makeAlert(symbol: string, observation: Observation, alertType: AlertType, rule: AlertRule, mode: TriggerMode): Alert {
  const key = tickKey(symbol, observation.eventTime, observation.price);
  return {
    alertId: alertId(key, alertType),
    symbol,
    alertType,
    price: observation.price,
    threshold: thresholdOf(alertType, observation.price, rule),
    mode,
    eventTime: observation.eventTime,
    tickKey: key,
    ...(rule.crossing && { kind: 'crosses' as const }),
    ...(rule.channel && { kind: 'channel' as const }),
  };
}

/** `every` mode: each tick in HIGH or LOW is an alert of its own (the source documents' behaviour); no state. */
function evaluateEvery(rule: AlertRule, ticks: readonly Tick[]): Evaluation {
  const raised: RaisedAlert[] = [];
  for (const tick of [...ticks].sort((a, b) => compare(a.eventTime, a.key, b.eventTime, b.key))) {
    const zone = zoneOf(tick.price, rule);
    if (zone === 'NORMAL' || tick.eventTime > (rule.until ?? Number.POSITIVE_INFINITY)) continue;
    raised.push({
      alert: makeAlert(tick.symbol, { eventTime: tick.eventTime, price: tick.price, zone, marked: false }, zone, rule, 'every'),
      owner: tick.key,
    });
  }
  return { raised, late: [] };
}

/** The window with the batch's ticks merged in, and which entries the batch brought (by tick key). */
interface Merged {
  readonly entries: Observation[];
  /** Parallel to `entries`: the tick key of an entry this batch brought, undefined for a remembered one. */
  readonly fresh: (string | undefined)[];
  /** Index of the first entry the batch brought, or -1. */
  readonly first: number;
  readonly late: Tick[];
}

/**
 * Merge the batch's ticks into the remembered observations in event-time order. Duplicates (a redelivered or
 * re-sent tick: same event time and price) change nothing; ticks that sort before a truncated window are late.
 * Remembered observations are reused, not copied.
 */
function merge(symbol: string, window: SymbolWindow, ticks: readonly Tick[], rule: Thresholds): Merged {
  const incoming =
    ticks.length === 1 ? ticks : [...new Map(ticks.map((t) => [t.key, t])).values()].sort((a, b) => compare(a.eventTime, a.key, b.eventTime, b.key));
  const remembered = window.observations;
  const observe = (tick: Tick): Observation => ({ eventTime: tick.eventTime, price: tick.price, zone: zoneOf(tick.price, rule), marked: false });
  const last = remembered.at(-1);
  // Keys are only needed to order ticks within the same millisecond.
  const after = (tick: Tick, o: Observation) =>
    tick.eventTime > o.eventTime || (tick.eventTime === o.eventTime && tick.key > keyOfObservation(symbol, o));

  // In order (the common case): everything new comes after what is remembered.
  if (!last || after(incoming[0]!, last)) {
    const entries = remembered.slice();
    const fresh: (string | undefined)[] = new Array<string | undefined>(entries.length);
    for (const tick of incoming) {
      entries.push(observe(tick));
      fresh.push(tick.key);
    }
    return { entries, fresh, first: remembered.length, late: [] };
  }

  const entries: Observation[] = [];
  const fresh: (string | undefined)[] = [];
  const late: Tick[] = [];
  let first = -1;
  let i = 0;
  for (const tick of incoming) {
    while (i < remembered.length && after(tick, remembered[i]!)) {
      entries.push(remembered[i++]!);
      fresh.push(undefined);
    }
    const next = remembered[i];
    if (next && next.eventTime === tick.eventTime && next.price === tick.price) continue;
    if (window.truncated && entries.length === 0) {
      late.push(tick);
      continue;
    }
    if (first < 0) first = entries.length;
    entries.push(observe(tick));
    fresh.push(tick.key);
  }
  while (i < remembered.length) {
    entries.push(remembered[i++]!);
    fresh.push(undefined);
  }
  return { entries, fresh, first, late };
}

/**
 * Ticks that the horizon drops in the very write that folds them in are late, not applied: a tick counts as taken in
 * only when the window it is folded into keeps it. Dropping any makes the window truncated (its history is no longer
 * whole, so anything older is late too).
 */
function withinHorizon(merged: Merged, horizon: number, ticks: readonly Tick[]): Merged & { readonly cut: boolean } {
  const drop = merged.entries.length - horizon;
  if (drop <= 0 || !merged.fresh.slice(0, drop).some(Boolean)) return { ...merged, cut: false };
  const byKey = new Map(ticks.map((t) => [t.key, t]));
  const entries: Observation[] = [];
  const fresh: (string | undefined)[] = [];
  const late = [...merged.late];
  let first = -1;
  merged.entries.forEach((entry, j) => {
    const key = merged.fresh[j];
    if (j < drop && key) {
      late.push(byKey.get(key)!);
      return;
    }
    if (key && first < 0) first = entries.length;
    entries.push(entry);
    fresh.push(key);
  });
  return { entries, fresh, first, late, cut: true };
}

/**
 * Give every entry from `first` on the zone of its run: a new tick's price may continue the run before it (while it is
 * re-arming), and a new tick can end or continue the run of remembered entries after it. Entries before `first` are
 * as they were. Without hysteresis each entry keeps its price's zone.
 */
function settleZones(entries: Observation[], first: number, thresholds: Thresholds): void {
  if (thresholds.rearm === undefined) return;
  for (let j = Math.max(first, 0); j < entries.length; j++) {
    const entry = entries[j]!;
    const zone = runZone(entry.price, thresholds, entries[j - 1]?.zone);
    if (zone !== entry.zone) entries[j] = { ...entry, zone };
  }
}

/**
 * The tick responsible for a run's new alert: the first of the batch's ticks inside the run, else the batch's tick
 * that split the run off from its marked part (it sits right next to the run).
 */
function ownerOf({ fresh }: Merged, start: number, end: number): string {
  for (let j = start; j < end; j++) if (fresh[j]) return fresh[j]!;
  // A remembered run without a mark (a window written by an older version) is owned by the batch's first tick.
  return fresh[start - 1] ?? fresh[end] ?? fresh.find(Boolean)!;
}

/**
 * `cross` mode on event time. All of a symbol's ticks, ordered by event time (ties by tick key): every maximal run
 * of consecutive HIGH (or LOW) ticks is one alert. Each run in the window carries one mark once its alert is raised,
 * so whichever batch brings a run's ticks, in whatever order, the run alerts once; a late tick that splits a marked
 * run leaves one part unmarked, which then raises its own alert. Nothing raised is ever taken back.
 */
function evaluateCross(symbol: string, rule: AlertRule, stored: SymbolWindow, ticks: readonly Tick[], horizon: number): Evaluation {
  // Zones and thresholds always come from one rule: the one in force now (see rezoned).
  const thresholds = thresholdsOf(rule);
  const window = rezoned(stored, thresholds);
  const merged = withinHorizon(merge(symbol, window, ticks, thresholds), horizon, ticks);
  const { entries, first, late } = merged;
  if (first < 0) return { raised: [], late };
  settleZones(entries, first, thresholds);
  const raised: RaisedAlert[] = [];
  // Runs that end before the first new entry are unchanged, and were marked when they were evaluated.
  let start = Math.max(0, first - 1);
  while (start > 0 && entries[start - 1]!.zone === entries[start]!.zone) start--;
  while (start < entries.length) {
    const zone = entries[start]!.zone;
    let end = start + 1;
    let marked = entries[start]!.marked;
    for (; end < entries.length && entries[end]!.zone === zone; end++) marked ||= entries[end]!.marked;
    // The first run of a truncated window had one before it (dropped), and began no later than its first entry.
    if (!marked && runAlerts(zone, thresholds, start > 0 || window.truncated, entries[start]!.eventTime)) {
      raised.push({
        alert: makeAlert(symbol, entries[start]!, zone === 'NORMAL' ? 'INSIDE' : zone, rule, 'cross'),
        owner: ownerOf(merged, start, end),
      });
      entries[start] = { ...entries[start]!, marked: true };
    }
    start = end;
  }
  return {
    raised,
    late,
    next: { ...bounded(entries, window.truncated || merged.cut, horizon, thresholds), thresholds },
  };
}

/**
 * Keep the newest `horizon` observations. When the run at the edge of a truncated window has no mark (it lost it
 * with the dropped part, or it is a crossing whose start, or what came before it, is beyond the horizon), the edge
 * carries one: that run never alerts again, and a crossing with nothing before it never will.
 */
function bounded(entries: Observation[], truncated: boolean, horizon: number, thresholds: Thresholds): SymbolWindow {
  const kept = entries.length <= horizon ? entries : entries.slice(entries.length - horizon);
  const cut = truncated || kept.length < entries.length;
  const edge = kept[0];
  if (cut && edge && zoneAlerts(edge.zone, thresholds)) {
    let marked = false;
    for (let j = 0; j < kept.length && kept[j]!.zone === edge.zone && !marked; j++) marked = kept[j]!.marked;
    if (!marked) kept[0] = { ...edge, marked: true };
  }
  return { observations: kept, truncated: cut };
}

/** Evaluate one symbol's ticks against its rule and window. Pure: the caller persists `next`. */
export function evaluate(symbol: string, rule: AlertRule, window: SymbolWindow | undefined, ticks: readonly Tick[], horizon: number): Evaluation {
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new RangeError(`the lateness horizon must be a positive whole number of ticks (got ${horizon})`);
  return rule.mode === 'every' ? evaluateEvery(rule, ticks) : evaluateCross(symbol, rule, window ?? EMPTY_WINDOW, ticks, horizon);
}

/** The thresholds of a rule, as a window keeps them. */
export const thresholdsOf = (rule: Thresholds): Thresholds => ({
  above: rule.above,
  below: rule.below,
  ...(rule.rearm !== undefined && rule.rearm !== 0 && { rearm: rule.rearm }),
  ...(rule.crossing && { crossing: rule.crossing }),
  ...(rule.channel && { channel: rule.channel }),
  ...(rule.until !== undefined && { until: rule.until }),
});

/** The zone the symbol is in now: that of its newest observation's run under the rule in force. */
export const currentZone = (window: SymbolWindow | undefined, rule: Thresholds): Zone | undefined =>
  window && rezoned(window, thresholdsOf(rule)).observations.at(-1)?.zone;
