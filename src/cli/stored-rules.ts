import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { recordOf } from '../adapters/aws/index.js';
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
    const overrides = new Map<string, RuleOverride>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await tables.documents.send(
        new ScanCommand({
          TableName: tableName(target, 'alertRules'),
          ProjectionExpression: '#symbol, #above, #below, #mode',
          ExpressionAttributeNames: { '#symbol': 'symbol', '#above': 'above', '#below': 'below', '#mode': 'mode' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const override = recordOf(item).rule;
        if (override && typeof item.symbol === 'string') overrides.set(item.symbol, override);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { defaultRule: rule, overrides, source };
  } finally {
    await tables.close();
  }
}
