/**
 * A symbol's window: the observations the `cross` engine remembers. Its invariants live here, in one place, and
 * `windowProblems` checks them (the engine's property tests run it after every step):
 *
 * - order: observations sorted by event time, ties by tick key, each key once (a redelivered tick is not added);
 * - zones: every observation's zone is that of its price under the window's thresholds;
 * - marks: NORMAL observations carry none, and every maximal run of HIGH (or LOW) observations carries exactly one,
 *   the sign that its alert was raised;
 * - bounds: at most `horizon` observations; `truncated` once any were dropped, and only then is a tick that sorts
 *   before the first observation late.
 */
import { tickKey } from './ids.js';
import type { Observation, SymbolWindow, Thresholds, Zone } from './types.js';

export function zoneOf(price: number, thresholds: Thresholds): Zone {
  if (price > thresholds.above) return 'HIGH';
  if (price < thresholds.below) return 'LOW';
  return 'NORMAL';
}

/** Event-time order, ties by tick key: the one order every instance agrees on. */
export const compareEventTime = (aTime: number, aKey: string, bTime: number, bKey: string): number =>
  aTime - bTime || Number(aKey > bKey) - Number(aKey < bKey);

export const keyOfObservation = (symbol: string, o: Observation): string => tickKey(symbol, o.eventTime, o.price);

const sameThresholds = (a: Thresholds | undefined, b: Thresholds): boolean => a !== undefined && a.above === b.above && a.below === b.below;

/** What in `window` breaks an invariant above; empty when it holds them all. */
export function windowProblems(symbol: string, window: SymbolWindow, horizon: number): string[] {
  const problems: string[] = [];
  const { observations, thresholds } = window;
  if (observations.length > horizon) problems.push(`${observations.length} observations, more than the horizon of ${horizon}`);
  let runMarks = 0;
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i]!;
    const previous = observations[i - 1];
    if (previous && compareEventTime(previous.eventTime, keyOfObservation(symbol, previous), o.eventTime, keyOfObservation(symbol, o)) >= 0) {
      problems.push(`observation ${i} (${o.price}@${o.eventTime}) does not sort after the one before it`);
    }
    if (thresholds && o.zone !== zoneOf(o.price, thresholds))
      problems.push(`observation ${i} (${o.price}) is ${o.zone} under ${thresholds.above}/${thresholds.below}`);
    if (o.zone === 'NORMAL' && o.marked) problems.push(`observation ${i} is NORMAL and marked`);
    if (previous?.zone !== o.zone) runMarks = 0;
    if (o.marked) runMarks++;
    const endsRun = observations[i + 1]?.zone !== o.zone;
    if (o.zone !== 'NORMAL' && endsRun && runMarks !== 1) problems.push(`the ${o.zone} run ending at observation ${i} carries ${runMarks} marks`);
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
    const zone = zoneOf(o.price, thresholds);
    observations.push({ ...o, zone, marked: zone !== 'NORMAL' && observations.at(-1)?.zone !== zone });
  }
  return { observations, truncated: window.truncated, thresholds };
}
