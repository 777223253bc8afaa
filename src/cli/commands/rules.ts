import { GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { RULE_ATTRIBUTES, recordOf } from '../../adapters/aws/index.js';
import { priceSchema, resolveRule, symbolSchema, type AlertRule, type TriggerMode } from '../../domain/index.js';
import { UserError } from '../../local/failures.js';
import { localHandlerConfig } from '../../local/pipeline.js';
import { TABLES } from '../../resources/index.js';
import { safeJson, visible } from '../terminal.js';
import { describeTarget, openTables, resolveTarget, tableName, type Target, type TargetOptions } from '../target.js';

export interface RulesOptions extends TargetOptions {
  readonly json?: boolean;
}

export interface RuleChange {
  readonly above?: number;
  readonly below?: number;
  readonly mode?: TriggerMode;
}

const KEY = TABLES.alertRules.partitionKey.name;

/** The rule that applies where a symbol has no override: the defaults, with the environment's overrides (as the functions see them). */
function defaultRule(target: Target): AlertRule {
  return localHandlerConfig(target.environment, 'local').defaultRule;
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
    const defaults = defaultRule(target);
    const rows: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await tables.documents.send(new ScanCommand({ TableName: tableName(target, 'alertRules'), ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) {
        const record = recordOf(item);
        const { rule, problem } = resolveRule(defaults, record.rule);
        rows.push({
          symbol: item[KEY],
          override: record.rule ?? null,
          effective: rule,
          ...(problem && { problem }),
          zone: record.state?.zone ?? null,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    rows.sort((a, b) => String(a.symbol).localeCompare(String(b.symbol)));
    if (options.json) {
      process.stdout.write(`${safeJson({ defaults, symbols: rows })}\n`);
      return;
    }
    process.stdout.write(`default rule: ${describeRule(defaults)} (${describeTarget(target)})\n`);
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
    const table = tableName(target, 'alertRules');
    const current = await tables.documents.send(new GetCommand({ TableName: table, Key: { [KEY]: symbol }, ConsistentRead: true }));
    const merged = { ...recordOf(current.Item).rule, ...Object.fromEntries(entries) };
    const { rule, problem } = resolveRule(defaultRule(target), merged);
    if (problem) throw new UserError(`rule for ${symbol} not set: ${problem.replace('rule override ignored: ', '')}`);
    await tables.documents.send(
      new UpdateCommand({
        TableName: table,
        Key: { [KEY]: symbol },
        UpdateExpression: `SET ${entries.map(([k]) => `#${k} = :${k}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([k]) => [`#${k}`, k])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([k, v]) => [`:${k}`, v])),
      }),
    );
    const result = { symbol, override: merged, effective: rule };
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
    try {
      await tables.documents.send(
        new UpdateCommand({
          TableName: tableName(target, 'alertRules'),
          Key: { [KEY]: symbol },
          UpdateExpression: `REMOVE ${RULE_ATTRIBUTES.map((a) => `#${a}`).join(', ')}`,
          ConditionExpression: RULE_ATTRIBUTES.map((a) => `attribute_exists(#${a})`).join(' OR '),
          ExpressionAttributeNames: Object.fromEntries(RULE_ATTRIBUTES.map((a) => [`#${a}`, a])),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UserError(`${symbol} has no rule override (it already uses the default rule)`);
      throw error;
    }
    const rule = defaultRule(target);
    process.stdout.write(
      options.json ? `${safeJson({ symbol, override: null, effective: rule })}\n` : `${symbol}: override removed; now ${describeRule(rule)}\n`,
    );
  } finally {
    await tables.close();
  }
}
