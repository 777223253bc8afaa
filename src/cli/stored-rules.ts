import { DynamoRuleStore } from '../adapters/aws/rule-store.js';
import type { RuleOverrides } from '../app/ports.js';
import type { AlertRule, RuleOverride } from '../domain/index.js';
import { defaultRuleOf } from './default-rule.js';
import { openTables, tableName, type Target } from './target.js';

export interface StoredRules {
  readonly defaultRule: AlertRule;
  readonly overrides: Map<string, RuleOverride>;
  /** Where the default rule was read, for people. */
  readonly source: string;
}

/**
 * The rules a target's functions apply now: its default rule and every symbol's override in alert-rules. Only the
 * rule attributes are read (the engine state stays where it is), a page at a time.
 */
export async function storedRules(target: Target): Promise<StoredRules> {
  const tables = await openTables(target, ['alertRules']);
  try {
    const { rule, source } = await defaultRuleOf(target);
    const store: RuleOverrides = new DynamoRuleStore(tables.client, tableName(target, 'alertRules'));
    const overrides = await store.overrides();
    return { defaultRule: rule, overrides, source };
  } finally {
    await tables.close();
  }
}
