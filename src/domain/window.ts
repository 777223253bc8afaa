/**
 * A symbol's window: the observations the `cross` engine remembers. Its invariants live here, in one place, and
 * `windowProblems` checks them (the engine's property tests run it after every step):
 *
 * - order: observations sorted by event time, ties by tick key, each key once (a redelivered tick is not added);
 * - zones: every observation's zone is its run zone (runZone) under the window's thresholds: its price's zone, or,
 *   while the price is re-arming (hysteresis), the zone of the observation before it; the first observation of a
 *   truncated window may keep the zone it had before its predecessors were dropped;
 * - marks: every maximal run of one zone that alerts (runAlerts: HIGH or LOW; for a crossing, one with a run before
 *   it; with an expiry, one that starts by then) carries exactly one, the sign that its alert was raised, and every
 *   other run none; the first run of a truncated window, whose start is gone, carries one if its zone can alert;
 * - bounds: at most `horizon` observations; `truncated` once any were dropped, and only then is a tick that sorts
 *   before the first observation late.
 */
import { tickKey } from './ids.js';
import type { AlertType, Observation, Rearm, SymbolWindow, Thresholds, Zone } from './types.js';

/** Whether a run of `zone` can alert under these thresholds, whatever comes before it. */
export function zoneAlerts(zone: Zone, thresholds: Thresholds): boolean {
  const { channel } = thresholds;
  if (channel) return (channel === 'inside' || channel === 'entering') === (zone === 'NORMAL');
  if (zone === 'NORMAL') return false;
  const { crossing } = thresholds;
  return crossing === undefined || crossing === 'either' || (crossing === 'up') === (zone === 'HIGH');
}

/** Whether a run alerts only when a run came before it: a crossing, or going into or out of a channel. */
const needsRunBefore = ({ crossing, channel }: Thresholds): boolean => crossing !== undefined || channel === 'entering' || channel === 'exiting';

/**
 * Whether a run of `zone` that starts at `start` (event time) alerts: a HIGH or LOW run does (for a channel: the
 * runs in it, or out of it); for a crossing, entering or exiting, only one with a run before it in event time (the
 * price came from somewhere else); and, for a rule with an expiry, only one that starts by then.
 */
export const runAlerts = (zone: Zone, thresholds: Thresholds, hasRunBefore: boolean, start: number): boolean =>
  zoneAlerts(zone, thresholds) && (!needsRunBefore(thresholds) || hasRunBefore) && start <= (thresholds.until ?? Number.POSITIVE_INFINITY);

export function zoneOf(price: number, thresholds: Thresholds): Zone {
  if (price > thresholds.above) return 'HIGH';
  if (price < thresholds.below) return 'LOW';
  return 'NORMAL';
}

/** How far back past `level` the price must come to re-arm it: the amount, or the percentage of the level. */
export function rearmDistance(level: number, rearm: Rearm | undefined): number {
  if (rearm === undefined) return 0;
  return typeof rearm === 'number' ? rearm : (Math.abs(level) * Number(rearm.slice(0, -1))) / 100;
}

/** The threshold whose re-arm band holds a NORMAL price (within the re-arm distance inside it), if any. */
function rearming(price: number, thresholds: Thresholds): AlertType | undefined {
  if (thresholds.rearm === undefined) return undefined;
  if (price <= thresholds.above && price > thresholds.above - rearmDistance(thresholds.above, thresholds.rearm)) return 'HIGH';
  if (price >= thresholds.below && price < thresholds.below + rearmDistance(thresholds.below, thresholds.rearm)) return 'LOW';
  return undefined;
}

/**
 * The zone of an observation's run, given the zone of the one before it in event time: its price's zone, except that
 * a price that has not come back far enough to re-arm the threshold of the run before it continues that run.
 * Without hysteresis, just the price's zone.
 */
export function runZone(price: number, thresholds: Thresholds, previous: Zone | undefined): Zone {
  const zone = zoneOf(price, thresholds);
  return zone === 'NORMAL' && previous !== undefined && previous !== 'NORMAL' && rearming(price, thresholds) === previous ? previous : zone;
}

/** Event-time order, ties by tick key: the one order every instance agrees on. */
export const compareEventTime = (aTime: number, aKey: string, bTime: number, bKey: string): number =>
  aTime - bTime || Number(aKey > bKey) - Number(aKey < bKey);

export const keyOfObservation = (symbol: string, o: Observation): string => tickKey(symbol, o.eventTime, o.price);

const sameThresholds = (a: Thresholds | undefined, b: Thresholds): boolean =>
  a !== undefined &&
  a.above === b.above &&
  a.below === b.below &&
  (a.rearm ?? 0) === (b.rearm ?? 0) &&
  a.crossing === b.crossing &&
  a.channel === b.channel &&
  a.until === b.until;

/** The zone the first observation of a window takes under `thresholds`, given the zone it had. */
const edgeZone = (window: SymbolWindow, o: Observation, thresholds: Thresholds): Zone =>
  window.truncated ? runZone(o.price, thresholds, o.zone) : zoneOf(o.price, thresholds);

/** What in `window` breaks an invariant above; empty when it holds them all. */
export function windowProblems(symbol: string, window: SymbolWindow, horizon: number): string[] {
  const problems: string[] = [];
  const { observations, thresholds } = window;
  if (observations.length > horizon) problems.push(`${observations.length} observations, more than the horizon of ${horizon}`);
  let runMarks = 0;
  let runStart = 0;
  // Windows stored before they kept thresholds: HIGH and LOW runs alert.
  const judged = thresholds ?? { above: Number.POSITIVE_INFINITY, below: Number.NEGATIVE_INFINITY };
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i]!;
    const previous = observations[i - 1];
    if (previous && compareEventTime(previous.eventTime, keyOfObservation(symbol, previous), o.eventTime, keyOfObservation(symbol, o)) >= 0) {
      problems.push(`observation ${i} (${o.price}@${o.eventTime}) does not sort after the one before it`);
    }
    if (thresholds && o.zone !== (i === 0 ? edgeZone(window, o, thresholds) : runZone(o.price, thresholds, previous?.zone)))
      problems.push(
        `observation ${i} (${o.price}) is ${o.zone} under ${thresholds.above}/${thresholds.below}${thresholds.rearm ? ` rearm ${thresholds.rearm}` : ''}`,
      );
    if (previous?.zone !== o.zone) {
      runMarks = 0;
      runStart = i;
    }
    if (o.marked) runMarks++;
    if (observations[i + 1]?.zone !== o.zone) {
      // The first run of a truncated window had a run before it, and began before its first observation: dropped since.
      const edge = runStart === 0 && window.truncated;
      const marks = (edge ? zoneAlerts(o.zone, judged) : runAlerts(o.zone, judged, runStart > 0, observations[runStart]!.eventTime)) ? 1 : 0;
      if (runMarks !== marks) problems.push(`the ${o.zone} run ending at observation ${i} carries ${runMarks} marks`);
    }
  }
  return problems;
}

/**
 * The window under other thresholds: each observation's zone decided again from its price, and every HIGH or LOW run
 * of the result marked once, so that a rule change raises nothing for what was already seen (whether that run is
 * over or still going on); what arrives from then on, late ticks included, is judged under the new thresholds.
 */
export function rezoned(window: SymbolWindow, thresholds: Thresholds): SymbolWindow {
  if (sameThresholds(window.thresholds, thresholds)) return window;
  // A window stored before windows kept their thresholds: its zones are taken as they are.
  if (!window.thresholds) return { ...window, thresholds };
  const observations: Observation[] = [];
  for (const o of window.observations) {
    const previous = observations.at(-1);
    const zone = previous ? runZone(o.price, thresholds, previous.zone) : edgeZone(window, o, thresholds);
    const edge = !previous && window.truncated;
    const marked =
      previous?.zone !== zone && (edge ? zoneAlerts(zone, thresholds) : runAlerts(zone, thresholds, previous !== undefined, o.eventTime));
    observations.push({ ...o, zone, marked });
  }
  return { observations, truncated: window.truncated, thresholds };
}
