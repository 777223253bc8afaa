import { DynamoRuleStore } from '../adapters/aws/rule-store.js';
import {
  currentZone,
  parseRuleChange,
  resolveRule,
  type AlertRule,
  type ChannelEvent,
  type ConditionKind,
  type CrossDirection,
  type RuleOverride,
  type TriggerMode,
  type Zone,
} from '../domain/index.js';
import { UserError } from '../shared/user-error.js';
import { defaultRuleOf } from './default-rule.js';
import type { RuleOverrides } from './ports.js';
import { openTables, tableName, type Target } from './target.js';

/** Some of a rule's attributes, as `rules set` gives them. */
export interface RuleChange {
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
  /** An amount or a percentage, as written (`0.5`, `0.5%`); the rule's parser reads it. */
  readonly rearm?: string | number;
  readonly kind?: ConditionKind;
  readonly level?: number;
  readonly direction?: CrossDirection;
  readonly on?: ChannelEvent;
  /** ISO-8601 with a time zone, as written; the rule's parser reads it. */
  readonly until?: string;
}

/** A symbol with a rule or engine state: its override, the rule the engine applies, and the zone it is in. */
export interface SymbolRuleRow {
  readonly symbol: string;
  readonly override: RuleOverride | null;
  readonly effective: AlertRule;
  /** Why the override is ignored, when it is (it leaves no NORMAL band with the default rule). */
  readonly problem?: string;
  readonly zone: Zone | null;
}

export interface RuleListing {
  readonly defaults: AlertRule;
  /** Where the default rule was read, for people. */
  readonly source: string;
  /** In symbol order. */
  readonly symbols: readonly SymbolRuleRow[];
}

/** The rules of a target: the alert-rules table through the rules port, and the target's default rule. */
async function withRules<T>(target: Target, work: (store: RuleOverrides, defaults: { rule: AlertRule; source: string }) => Promise<T>): Promise<T> {
  const tables = await openTables(target, ['alertRules']);
  try {
    const defaults = await defaultRuleOf(target);
    return await work(new DynamoRuleStore(tables.client, tableName(target, 'alertRules')), defaults);
  } finally {
    await tables.close();
  }
}

/** Every symbol with a rule or engine state, with the rule in effect and the engine's current zone. */
export function listRules(target: Target): Promise<RuleListing> {
  return withRules(target, async (store, { rule: defaults, source }) => {
    const symbols = (await store.symbols()).map(({ symbol, override, problem: refused, window }): SymbolRuleRow => {
      const { rule, problem } = resolveRule(defaults, override, refused);
      return { symbol, override: override ?? null, effective: rule, ...(problem && { problem }), zone: currentZone(window, rule) ?? null };
    });
    symbols.sort((a, b) => a.symbol.localeCompare(b.symbol));
    return { defaults, source, symbols };
  });
}

/**
 * Check a change with the rule's parser, merge it into the symbol's current override and check the result against
 * the default rule; the store writes it only if the override is still the one checked, and otherwise checks the
 * change again on the new override. So two concurrent changes that are each valid but not together (`--above 100`
 * and `--below 120` on 150/50) can never both be stored: the second sees the first and is refused. A stored override
 * the parser refuses (written to the table by hand) is not merged into: it must be deleted first.
 */
export async function changeRule(
  store: RuleOverrides,
  symbol: string,
  change: RuleChange,
  defaults: AlertRule,
): Promise<{ override: RuleOverride; rule: AlertRule }> {
  const parsed = parseRuleChange(Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)));
  if (!parsed.ok) throw new UserError(`rule for ${symbol} not set: ${parsed.reason}`);
  const set = parsed.value;
  const { override } = await store.change(symbol, (current) => {
    if (current.problem) {
      throw new UserError(
        `rule for ${symbol} not set: its stored override is refused (${current.problem}); remove it with market-data rules delete ${symbol}, then set it again`,
      );
    }
    const { problem } = resolveRule(defaults, { ...current.override, ...set });
    if (problem) {
      // Another kind of rule is not merged into the one stored: the symbol goes back to the default rule first.
      const kindOf = (o: RuleOverride) =>
        o.kind ?? (o.level !== undefined || o.direction !== undefined ? 'crosses' : o.on !== undefined ? 'channel' : 'thresholds');
      const switching = current.override && kindOf(set) !== kindOf(current.override) && !resolveRule(defaults, set).problem;
      const hint = switching ? `; its override is of another kind: remove it first with market-data rules delete ${symbol}` : '';
      throw new UserError(`rule for ${symbol} not set: ${problem.replace('rule override ignored: ', '')}${hint}`);
    }
    return set;
  });
  return { override, rule: resolveRule(defaults, override).rule };
}

/** Set some of a symbol's rule attributes; the engine state in the same item is left alone. */
export function setRule(
  target: Target,
  symbol: string,
  change: RuleChange,
): Promise<{ symbol: string; override: RuleOverride; effective: AlertRule }> {
  return withRules(target, async (store, defaults) => {
    const { override, rule } = await changeRule(store, symbol, change, defaults.rule);
    return { symbol, override, effective: rule };
  });
}

/** Remove a symbol's override (back to the default rule); the engine state is kept. `removed` is false when it had none. */
export function deleteRule(target: Target, symbol: string): Promise<{ removed: boolean; effective: AlertRule }> {
  return withRules(target, async (store, defaults) => ({ removed: await store.remove(symbol), effective: defaults.rule }));
}

export interface StoredRules {
  readonly defaultRule: AlertRule;
  readonly overrides: Map<string, RuleOverride>;
  /** Stored overrides the rule's parser refuses, with why: the functions apply the default rule to those symbols. */
  readonly refused: Map<string, string>;
  /** Where the default rule was read, for people. */
  readonly source: string;
}

/**
 * The rules a target's functions apply now: its default rule and every symbol's override in alert-rules. Only the
 * rule attributes are read (the engine state stays where it is), a page at a time.
 */
export function storedRules(target: Target): Promise<StoredRules> {
  return withRules(target, async (store, { rule, source }) => {
    const overrides = new Map<string, RuleOverride>();
    const refused = new Map<string, string>();
    for (const [symbol, { override, problem }] of await store.overrides()) {
      if (problem) refused.set(symbol, problem);
      else if (override) overrides.set(symbol, override);
    }
    return { defaultRule: rule, overrides, refused, source };
  });
}
