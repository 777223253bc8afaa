import { LIMITS } from '../../../domain/index.js';
import { withChange, type RuleSet } from './rule-set.js';

export type SweptAttribute = 'above' | 'below' | 'rearm' | 'level';
const SWEPT_ATTRIBUTES: readonly SweptAttribute[] = ['above', 'below', 'rearm', 'level'];

/** One `--sweep` option: an attribute and the values it takes, in order. */
export interface Sweep {
  readonly attribute: SweptAttribute;
  readonly values: readonly number[];
}

/** More settings than this is a typo (a step of 0.001), not a what-if: each setting runs the engine once more. */
export const MAX_SWEEP_SETTINGS = 500;

const decimals = (n: number): number => (String(n).split(/e/i)[0]!.split('.')[1] ?? '').length;

/** A price, or for rearm an amount of price that may also be 0 (no hysteresis). */
function price(text: string, what: string, zero = false): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !zero) || n > LIMITS.maxPrice) {
    throw new RangeError(`${what} must be a price ${zero ? '0 or more' : 'greater than 0'} and at most ${LIMITS.maxPrice} (got "${text}")`);
  }
  return n;
}

/**
 * `above=148:156:1` (from 148 to 156 inclusive, in steps of 1) or `below=45,48,50` (a list). Values are computed on
 * the step's decimals, so 0.1 steps give 148.1, not 148.10000000000002.
 */
export function parseSweep(text: string): Sweep {
  const match = /^\s*(\w+)\s*=\s*(.+)$/.exec(text);
  const usage = 'use above=<from>:<to>:<step> or below=<v1>,<v2>,… (e.g. above=148:156:1, rearm=0:1:0.25)';
  if (!match) throw new RangeError(`"${text}": ${usage}`);
  const attribute = match[1] as SweptAttribute;
  if (!SWEPT_ATTRIBUTES.includes(attribute))
    throw new RangeError(`"${text}": only ${SWEPT_ATTRIBUTES.slice(0, -1).join(', ')} and ${SWEPT_ATTRIBUTES.at(-1)} can be swept`);
  const spec = match[2]!.trim();
  if (spec.includes(':')) {
    const parts = spec.split(':');
    if (parts.length !== 3) throw new RangeError(`"${text}": ${usage}`);
    const zero = attribute === 'rearm';
    const [from, to, step] = [price(parts[0]!, 'the start', zero), price(parts[1]!, 'the end', zero), price(parts[2]!, 'the step')];
    if (to < from) throw new RangeError(`"${text}": the end (${to}) is below the start (${from})`);
    const count = Math.floor((to - from) / step + 1e-9) + 1;
    if (count > MAX_SWEEP_SETTINGS) throw new RangeError(`"${text}" has ${count} values; at most ${MAX_SWEEP_SETTINGS}: use a larger step`);
    const places = Math.max(decimals(from), decimals(step));
    const values = Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(places)));
    return { attribute, values };
  }
  const values = spec.split(',').map((v) => price(v, `a value of ${attribute}`, attribute === 'rearm'));
  if (new Set(values).size !== values.length) throw new RangeError(`"${text}" lists a value twice`);
  return { attribute, values };
}

/**
 * Every combination of the sweeps' values applied to the base rule set: one rule set per setting, all run in the same
 * pass over the data. Two sweeps of the same attribute, or a setting that leaves a rule without a NORMAL band, are refused.
 */
export function sweepRuleSets(base: RuleSet, sweeps: readonly Sweep[]): RuleSet[] {
  const seen = new Set<SweptAttribute>();
  for (const sweep of sweeps) {
    if (seen.has(sweep.attribute)) throw new RangeError(`--sweep ${sweep.attribute} is given twice: give each attribute once`);
    seen.add(sweep.attribute);
  }
  let settings: Partial<Record<SweptAttribute, number>>[] = [{}];
  for (const sweep of sweeps) settings = settings.flatMap((s) => sweep.values.map((v) => ({ ...s, [sweep.attribute]: v })));
  if (settings.length > MAX_SWEEP_SETTINGS) throw new RangeError(`the sweeps make ${settings.length} settings; at most ${MAX_SWEEP_SETTINGS}`);
  return settings.map((setting) => {
    const label = Object.entries(setting)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return withChange(base, setting, label);
  });
}
