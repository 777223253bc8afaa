import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleOverrideOf } from '../../src/adapters/aws/alert-rules-item.js';
import { defaultRuleOf } from '../../src/app/default-rule.js';
import type { RuleOverrides } from '../../src/app/ports.js';
import { changeRule } from '../../src/app/rules.js';
import { StackOutputs } from '../../src/app/stack-outputs.js';
import { resolveRule, type AlertRule, type RuleOverride } from '../../src/domain/index.js';
import { parseRules } from '../../src/local/sessions/backtest/rules-file.js';
import { withChange } from '../../src/local/sessions/backtest/rule-set.js';
import { defaultAlertRuleFrom } from '../../src/resources/index.js';

/** The smallest price: with it as the lower threshold, a rule has a band exactly when its upper one is a larger price. */
const FLOOR = 1e-12;
const DEFAULTS: AlertRule = { above: 150, below: FLOOR, mode: 'cross' };

/** One symbol's override in memory, for the application's changeRule. */
const storeOf = (): RuleOverrides => {
  let current: RuleOverride | undefined;
  return {
    symbols: () => Promise.resolve([]),
    overrides: () => Promise.resolve(new Map()),
    remove: () => Promise.resolve(false),
    change: (_symbol, decide) => {
      current = { ...current, ...decide(current ? { override: current } : {}) };
      return Promise.resolve({ override: current, attempts: 1 });
    },
  };
};

const accepted = async (write: () => unknown): Promise<boolean> => {
  try {
    await write();
    return true;
  } catch {
    return false;
  }
};

/** Every place a person or the stack writes a rule, each given the same upper threshold. */
const writers: Record<string, (above: number) => unknown> = {
  'the environment (ALERT_THRESHOLD_HIGH)': (above) =>
    defaultAlertRuleFrom({ ALERT_THRESHOLD_HIGH: String(above), ALERT_THRESHOLD_LOW: String(FLOOR) }),
  'a rules file': (above) => parseRules(JSON.stringify([{ symbol: 'X', above }]), 'rules.json', DEFAULTS),
  'rules set': (above) => changeRule(storeOf(), 'X', { above }, DEFAULTS),
  'a backtest setting (--above, --sweep)': (above) => withChange({ label: 'x', defaultRule: DEFAULTS, overrides: new Map() }, { above }),
  "the stack's default_alert_rule output": (above) =>
    defaultRuleOf({
      kind: 'aws',
      environment: 'x',
      region: 'us-east-1',
      outputs: new StackOutputs('outputs.json', { default_alert_rule: JSON.stringify({ ...DEFAULTS, above }) }),
    }),
  'a stored alert-rules item, as the functions apply it': (above) => {
    const { override, problem } = ruleOverrideOf({ symbol: 'X', above });
    if (problem || resolveRule(DEFAULTS, override).problem) throw new Error(problem);
  },
};

describe('every writer of a rule accepts exactly the same rules', () => {
  it('for any upper threshold: the environment, rules files, rules set, backtest settings, the outputs and stored items agree', async () => {
    const above = fc.oneof(fc.double(), fc.constantFrom(0, FLOOR, 2 * FLOOR, 1e9, 1e9 + 1e-6, 2 ** 53, -1, Number.MAX_VALUE));
    await fc.assert(
      fc.asyncProperty(above, async (value) => {
        const expected = Number.isFinite(value) && value > FLOOR && value <= 1e9;
        for (const [writer, write] of Object.entries(writers)) expect(await accepted(() => write(value)), `${writer}, above ${value}`).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
