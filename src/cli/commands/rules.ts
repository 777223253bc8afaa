import { DynamoRuleStore } from '../../adapters/aws/rule-store.js';
import type { RuleOverrides } from '../../app/ports.js';
import { currentZone, priceSchema, resolveRule, symbolSchema, type AlertRule, type RuleOverride, type TriggerMode } from '../../domain/index.js';
import { UserError } from '../../shared/user-error.js';
import { defaultRuleOf } from '../default-rule.js';
import { safeJson, visible } from '../terminal.js';
import { describeTarget, openTables, resolveTarget, tableName, type TargetOptions } from '../target.js';

export interface RulesOptions extends TargetOptions {
  readonly json?: boolean;
}

export interface RuleChange {
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
}

function checkSymbol(symbol: string): void {
  if (!symbolSchema.safeParse(symbol).success) throw new UserError(`symbol "${symbol}" is not valid: use uppercase, e.g. AAPL, BRK.B`);
}

const describeRule = (rule: AlertRule): string => `above ${rule.above}, below ${rule.below}, mode ${rule.mode}`;

/** Per-symbol overrides with the rule in effect and the engine's current zone. */
export async function rulesListCommand(options: RulesOptions): Promise<void> {
  const target = await resolveTarget(options);
  const tables = await openTables(target, ['alertRules']);
  try {
    const { rule: defaults, source } = await defaultRuleOf(target);
    const store: RuleOverrides = new DynamoRuleStore(tables.client, tableName(target, 'alertRules'));
    const rows: Record<string, unknown>[] = [];
    for (const { symbol, override, window } of await store.symbols()) {
      const { rule, problem } = resolveRule(defaults, override);
      rows.push({ symbol, override: override ?? null, effective: rule, ...(problem && { problem }), zone: currentZone(window) ?? null });
    }
    rows.sort((a, b) => String(a.symbol).localeCompare(String(b.symbol)));
    if (options.json) {
      process.stdout.write(`${safeJson({ defaults, symbols: rows })}\n`);
      return;
    }
    process.stdout.write(`default rule: ${describeRule(defaults)} (${describeTarget(target)}; from ${source})\n`);
    for (const row of rows) {
      const override = row.override ? ` (override: ${Object.entries(row.override).map(([k, v]) => `${k} ${String(v)}`).join(', ')})` : ' (default)';
      const problem = row.problem ? ` — ${String(row.problem)}` : '';
      // Symbols and values come from the table, which anyone with access can fill: shown with controls made visible.
      process.stdout.write(`${visible(`${String(row.symbol).padEnd(8)} ${describeRule(row.effective as AlertRule)}${override}, zone ${String(row.zone ?? 'none yet')}${problem}`)}\n`);
    }
  } finally {
    await tables.close();
  }
}

/**
 * Merge a change into a symbol's current override and check the result against the default rule; the store writes
 * it only if the override is still the one checked, and otherwise checks the change again on the new override. So
 * two concurrent changes that are each valid but not together (`--above 100` and `--below 120` on 150/50) can never
 * both be stored: the second sees the first and is refused.
 */
export async function changeRule(store: RuleOverrides, symbol: string, change: RuleChange, defaults: AlertRule): Promise<{ override: RuleOverride; rule: AlertRule }> {
  const set = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as RuleOverride;
  const { override } = await store.change(symbol, (current) => {
    const { problem } = resolveRule(defaults, { ...current, ...set });
    if (problem) throw new UserError(`rule for ${symbol} not set: ${problem.replace('rule override ignored: ', '')}`);
    return set;
  });
  return { override, rule: resolveRule(defaults, override).rule };
}

/** Set some of a symbol's rule attributes; the engine state in the same item is left alone. */
export async function rulesSetCommand(symbol: string, change: RuleChange, options: RulesOptions): Promise<void> {
  checkSymbol(symbol);
  const entries = Object.entries(change).filter(([, v]) => v !== undefined) as [string, unknown][];
  if (entries.length === 0) throw new UserError('nothing to set: give --above, --below and/or --mode');
  for (const key of ['above', 'below'] as const) {
    const checked = change[key] === undefined ? undefined : priceSchema.safeParse(change[key]);
    if (checked && !checked.success) throw new UserError(`--${key}: ${checked.error.issues[0]?.message ?? 'is not a valid price'}`);
  }
  const target = await resolveTarget(options);
  const tables = await openTables(target, ['alertRules']);
  try {
    const { rule: defaults } = await defaultRuleOf(target);
    const store = new DynamoRuleStore(tables.client, tableName(target, 'alertRules'));
    const { override, rule } = await changeRule(store, symbol, change, defaults);
    const result = { symbol, override, effective: rule };
    process.stdout.write(options.json ? `${safeJson(result)}\n` : `${symbol}: ${describeRule(rule)} (takes effect with the next batch)\n`);
  } finally {
    await tables.close();
  }
}

/** Remove a symbol's override (back to the defaults); the engine state is kept. */
export async function rulesDeleteCommand(symbol: string, options: RulesOptions): Promise<void> {
  checkSymbol(symbol);
  const target = await resolveTarget(options);
  const tables = await openTables(target, ['alertRules']);
  try {
    const { rule } = await defaultRuleOf(target);
    const removed = await new DynamoRuleStore(tables.client, tableName(target, 'alertRules')).remove(symbol);
    if (!removed) throw new UserError(`${symbol} has no rule override (it already uses the default rule)`);
    process.stdout.write(
      options.json ? `${safeJson({ symbol, override: null, effective: rule })}\n` : `${symbol}: override removed; now ${describeRule(rule)}\n`,
    );
  } finally {
    await tables.close();
  }
}
