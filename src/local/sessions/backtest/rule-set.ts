import { RULE_FIELD_SCHEMAS, resolveRule, ruleProblem, type ThresholdsField, type AlertRule, type RuleOverride } from '../../../domain/index.js';

/**
 * The rules one backtest run applies: the default rule (what a symbol without an override uses) and per-symbol
 * overrides, exactly as the alert-rules table holds them, so the engine resolves them as it does when deployed.
 */
export interface RuleSet {
  /** How the run is named in tables: `default`, or the swept values (`above=150 below=50`). */
  readonly label: string;
  readonly defaultRule: AlertRule;
  readonly overrides: ReadonlyMap<string, RuleOverride>;
  /** Stored overrides the rule's parser refuses, with why (a rule set read from a store): those symbols use the default. */
  readonly refused?: ReadonlyMap<string, string>;
}

/** A setting that replaces one attribute of every symbol's rule: `--above 152`, or one value of a sweep. */
export type RuleAttributeChange = Partial<Omit<AlertRule, 'rearm'>> & { readonly rearm?: string | number; readonly level?: number };

/** The rule the engine applies to a symbol (an override that leaves no NORMAL band falls back to the default). */
export function ruleOf(ruleSet: RuleSet, symbol: string): AlertRule {
  return resolveRule(ruleSet.defaultRule, ruleSet.overrides.get(symbol), ruleSet.refused?.get(symbol)).rule;
}

/** Overrides the engine would ignore (below not under above once merged with the default), one line each. */
export function ignoredOverrides(ruleSet: RuleSet): string[] {
  const refused = [...(ruleSet.refused ?? [])].map(([symbol, problem]) => `${symbol}: rule override ignored: ${problem}`);
  const broken = [...ruleSet.overrides]
    .map(([symbol, override]) => [symbol, resolveRule(ruleSet.defaultRule, override).problem] as const)
    .filter(([, problem]) => problem !== undefined)
    .map(([symbol, problem]) => `${symbol}: ${problem}`);
  return [...refused, ...broken].sort();
}

/** The attributes a change sets, each read by the rule's parser (a rearm given as text becomes its value). */
export function checkedChange(change: RuleAttributeChange): Partial<AlertRule> & { level?: number } {
  return Object.fromEntries(
    (Object.entries(change) as [ThresholdsField | 'level', unknown][])
      .filter(([, v]) => v !== undefined)
      .map(([field, value]) => {
        const checked = RULE_FIELD_SCHEMAS[field].safeParse(value);
        if (!checked.success) throw new RangeError(`${field}=${String(value)} ${checked.error.issues.map((i) => i.message).join('; ')}`);
        return [field, checked.data];
      }),
  ) as Partial<AlertRule> & { level?: number };
}

/**
 * The rule set with the given attributes forced for every symbol: set on the default rule and on every override
 * that names them. Throws (with the setting and the symbol) when that leaves a rule without a NORMAL band.
 */
export function withChange(base: RuleSet, change: RuleAttributeChange, label: string = base.label): RuleSet {
  const set = checkedChange(change);
  if (set.level !== undefined && ![...base.overrides.values()].some((o) => o.level !== undefined))
    throw new RangeError(`level=${set.level} sets the level of crosses rules, and no symbol has one`);
  // The default rule is a thresholds rule: a level is only for the overrides that have one. A rearm of 0 is no
  // hysteresis: the rule has none.
  const { rearm, level: _, ...rest } = { ...base.defaultRule, ...set };
  const defaultRule: AlertRule = { ...rest, ...(rearm !== undefined && rearm !== 0 && { rearm }) };
  const overrides = new Map<string, RuleOverride>();
  for (const [symbol, override] of base.overrides) {
    const changed = Object.fromEntries(Object.entries(override).map(([k, v]) => [k, k in set ? set[k as keyof AlertRule] : v])) as RuleOverride;
    overrides.set(symbol, changed);
  }
  const describeSetting = Object.entries(set)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
  const check = (rule: AlertRule, whose: string) => {
    if (rule.below >= rule.above)
      throw new RangeError(`${describeSetting} leaves ${whose} without a NORMAL band: below ${rule.below} is not under above ${rule.above}`);
    const problem = ruleProblem(rule);
    if (problem) throw new RangeError(`${describeSetting} cannot apply to ${whose}: ${problem}`);
  };
  check(defaultRule, 'the default rule');
  // An override the engine already ignored stays ignored (ignoredOverrides reports it); one this change breaks is refused.
  for (const [symbol, override] of overrides) {
    if (resolveRule(base.defaultRule, base.overrides.get(symbol)).problem) continue;
    if (override.kind === undefined || override.kind === 'thresholds') check({ ...defaultRule, ...override } as AlertRule, `${symbol}'s rule`);
    else {
      // A crosses or channel rule: as the engine would resolve it.
      const { problem } = resolveRule(defaultRule, override);
      if (problem) throw new RangeError(`${describeSetting} cannot apply to ${symbol}'s rule: ${problem.replace('rule override ignored: ', '')}`);
    }
  }
  return { label, defaultRule, overrides, ...(base.refused && { refused: base.refused }) };
}
