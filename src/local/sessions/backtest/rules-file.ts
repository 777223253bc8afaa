import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { KEY, STATE } from '../../../adapters/aws/alert-rules-item.js';
import {
  RULE_FIELDS,
  describeIssues,
  ruleOverrideShape,
  symbolSchema,
  resolveRule,
  type AlertRule,
  type RuleOverride,
} from '../../../domain/index.js';
import { InputError } from '../../formats/input-file.js';

/** A rules file is a list of rules written by a person: anything larger is not one. */
const MAX_RULES_FILE_BYTES = 10 * 1024 * 1024;

/** The engine's attributes, present in a table export, are ignored: a backtest starts from a clean state. */
const ENGINE_ATTRIBUTES = Object.fromEntries(Object.values(STATE).map((attribute) => [attribute, z.unknown().optional()]));

interface RuleItem extends RuleOverride {
  readonly symbol: string;
}

/** One item of the alert-rules table: `{ "symbol": "AAPL", "above": 152, "below": 50, "mode": "cross" }`. */
const ruleItemSchema = z
  .strictObject(
    { [KEY]: symbolSchema, ...ruleOverrideShape, ...ENGINE_ATTRIBUTES },
    { error: (issue) => (issue.code === 'invalid_type' ? `must be an object like {"${KEY}":"AAPL","above":152}` : undefined) },
  )
  .transform((item) => ({ ...item, symbol: (item as Record<string, unknown>)[KEY] }) as RuleItem)
  .refine((item) => RULE_FIELDS.some((field) => item[field] !== undefined), {
    message: `sets nothing: give ${RULE_FIELDS.slice(0, -1).join(', ')} and/or ${RULE_FIELDS.at(-1)}`,
  });

/**
 * Per-symbol overrides from a JSON file in the shape of the alert-rules table: an array of items. Every problem is
 * one line naming the file and the item; an override that leaves no NORMAL band with the default rule is refused
 * (the engine would silently ignore it).
 */
export function parseRules(text: string, file: string, defaults: AlertRule): Map<string, RuleOverride> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value))
    throw new InputError(`${file}: must be a JSON array of rules, e.g. [{"symbol":"AAPL","above":152,"below":50,"mode":"cross"}]`);
  const overrides = new Map<string, RuleOverride>();
  value.forEach((raw, index) => {
    const named = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[KEY] : undefined;
    const symbol = symbolSchema.safeParse(named).success ? (named as string) : undefined;
    const where = `${file}: rule ${index + 1}${symbol ? ` (${symbol})` : ''}`;
    const parsed = ruleItemSchema.safeParse(raw);
    // Problems of the item as a whole have no field to name.
    if (!parsed.success) throw new InputError(`${where}: ${describeIssues(parsed.error).replace(/(^|; )message: /g, '$1')}`);
    const item = parsed.data;
    if (overrides.has(item.symbol)) throw new InputError(`${where}: ${item.symbol} has another rule earlier in the file`);
    const override = Object.fromEntries(
      RULE_FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
    ) as RuleOverride;
    const { problem } = resolveRule(defaults, override);
    if (problem)
      throw new InputError(`${where}: ${problem.replace('rule override ignored: ', '')} (with the default rule ${defaults.above}/${defaults.below})`);
    overrides.set(item.symbol, override);
  });
  return overrides;
}

export async function readRulesFile(file: string, defaults: AlertRule): Promise<Map<string, RuleOverride>> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(error.code === 'ENOENT' ? `rules file not found: ${file}` : `cannot read ${file}: ${error.message}`);
  });
  if (!info.isFile()) throw new InputError(`not a file: ${file}`);
  if (info.size > MAX_RULES_FILE_BYTES)
    throw new InputError(`${file}: ${info.size} bytes is too large for a rules file (at most ${MAX_RULES_FILE_BYTES})`);
  return parseRules(await readFile(file, 'utf8'), file, defaults);
}
