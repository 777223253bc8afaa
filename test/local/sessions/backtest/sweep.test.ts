import { describe, expect, it } from 'vitest';
import { MAX_SWEEP_SETTINGS, parseSweep, sweepRuleSets } from '../../../../src/local/sessions/backtest/sweep.js';
import { ignoredOverrides, ruleOf, withChange, type RuleSet } from '../../../../src/local/sessions/backtest/rule-set.js';

const base: RuleSet = {
  label: 'defaults',
  defaultRule: { above: 150, below: 50, mode: 'cross' },
  overrides: new Map([
    ['AAPL', { above: 160 }],
    ['F', { below: 12 }],
  ]),
};

describe('--sweep settings', () => {
  it("reads from:to:step inclusively, on the step's decimals, and lists", () => {
    expect(parseSweep('above=148:156:1')).toEqual({ attribute: 'above', values: [148, 149, 150, 151, 152, 153, 154, 155, 156] });
    expect(parseSweep('above=148:148.5:0.1').values).toEqual([148, 148.1, 148.2, 148.3, 148.4, 148.5]);
    expect(parseSweep(' below = 45,48,50 ')).toEqual({ attribute: 'below', values: [45, 48, 50] });
    expect(parseSweep('above=150:151:5').values).toEqual([150]);
  });

  it('sweeps the rearm from 0 (no hysteresis), forcing it on every symbol, and refuses a setting that cannot apply', () => {
    expect(parseSweep('rearm=0:1:0.5')).toEqual({ attribute: 'rearm', values: [0, 0.5, 1] });
    expect(() => parseSweep('rearm=-1,2')).toThrow('a value of rearm must be a price 0 or more and at most 1000000000 (got "-1")');
    const sets = sweepRuleSets(base, [parseSweep('rearm=0,2')]);
    expect(sets.map((s) => [s.label, s.defaultRule])).toEqual([
      ['rearm=0', { above: 150, below: 50, mode: 'cross' }],
      ['rearm=2', { above: 150, below: 50, mode: 'cross', rearm: 2 }],
    ]);
    expect(ruleOf(sets[1]!, 'AAPL')).toEqual({ above: 160, below: 50, mode: 'cross', rearm: 2 });
    expect(() => sweepRuleSets(base, [parseSweep('rearm=60')])).toThrow(
      'rearm=60 cannot apply to the default rule: rearm (60) leaves no price between below (50) and above (150) that re-arms both',
    );
    expect(withChange(base, { rearm: '1%' }).defaultRule).toEqual({ above: 150, below: 50, mode: 'cross', rearm: '1%' });
  });

  it("sweeps a crosses rule's level, on the symbols that have one; the default rule keeps its thresholds", () => {
    const crossing: RuleSet = { ...base, overrides: new Map([...base.overrides, ['NVDA', { kind: 'crosses', level: 900, direction: 'up' }]]) };
    const sets = sweepRuleSets(crossing, [parseSweep('level=899,901')]);
    expect(sets.map((s) => [s.label, s.defaultRule, ruleOf(s, 'NVDA').above, ruleOf(s, 'AAPL')])).toEqual([
      ['level=899', { above: 150, below: 50, mode: 'cross' }, 899, { above: 160, below: 50, mode: 'cross' }],
      ['level=901', { above: 150, below: 50, mode: 'cross' }, 901, { above: 160, below: 50, mode: 'cross' }],
    ]);
    expect(() => sweepRuleSets(base, [parseSweep('level=899')])).toThrow('level=899 sets the level of crosses rules, and no symbol has one');
  });

  it('refuses what it cannot read, one line each', () => {
    expect(() => parseSweep('above')).toThrow('"above": use above=<from>:<to>:<step> or below=<v1>,<v2>,… (e.g. above=148:156:1, rearm=0:1:0.25)');
    expect(() => parseSweep('mode=1:2:1')).toThrow('"mode=1:2:1": only above, below, rearm and level can be swept');
    expect(() => parseSweep('above=1:2')).toThrow('use above=');
    expect(() => parseSweep('above=156:148:1')).toThrow('"above=156:148:1": the end (148) is below the start (156)');
    expect(() => parseSweep('above=148:156:0')).toThrow('the step must be a price greater than 0 and at most 1000000000 (got "0")');
    expect(() => parseSweep('above=-1:2:1')).toThrow('the start must be a price');
    expect(() => parseSweep('below=a,2')).toThrow('a value of below must be a price greater than 0 and at most 1000000000 (got "a")');
    expect(() => parseSweep('below=2,2')).toThrow('lists a value twice');
    expect(() => parseSweep('above=1:1000:1')).toThrow(`"above=1:1000:1" has 1000 values; at most ${MAX_SWEEP_SETTINGS}: use a larger step`);
  });

  it('makes one rule set per combination, forcing the swept attribute on every symbol', () => {
    const sets = sweepRuleSets(base, [parseSweep('above=151:152:1'), parseSweep('below=40,45')]);
    expect(sets.map((s) => s.label)).toEqual(['above=151 below=40', 'above=151 below=45', 'above=152 below=40', 'above=152 below=45']);
    expect(sets[1]!.defaultRule).toEqual({ above: 151, below: 45, mode: 'cross' });
    expect(ruleOf(sets[1]!, 'AAPL')).toEqual({ above: 151, below: 45, mode: 'cross' });
    expect(ruleOf(sets[1]!, 'F')).toEqual({ above: 151, below: 45, mode: 'cross' });
    expect(ruleOf(sets[1]!, 'MSFT')).toEqual({ above: 151, below: 45, mode: 'cross' });
    expect(() => sweepRuleSets(base, [parseSweep('above=1:2:1'), parseSweep('above=3:4:1')])).toThrow('--sweep above is given twice');
    expect(() => sweepRuleSets(base, [parseSweep('above=1:300:1'), parseSweep('below=1:3:1')])).toThrow('the sweeps make 900 settings; at most 500');
  });

  it('refuses a setting that leaves a rule without a NORMAL band, naming whose', () => {
    expect(() => sweepRuleSets(base, [parseSweep('above=40:60:10')])).toThrow(
      'above=40 leaves the default rule without a NORMAL band: below 50 is not under above 40',
    );
    const withLowOverride: RuleSet = { ...base, overrides: new Map([['F', { below: 100 }]]) };
    expect(() => withChange(withLowOverride, { above: 90 })).toThrow(
      "above=90 leaves F's rule without a NORMAL band: below 100 is not under above 90",
    );
  });

  it('keeps an override the engine already ignores, and says so', () => {
    const broken: RuleSet = { ...base, overrides: new Map([['KO', { below: 200 }]]) };
    expect(ignoredOverrides(broken)).toEqual(['KO: rule override ignored: below (200) must be less than above (150)']);
    expect(ruleOf(withChange(broken, { above: 160 }), 'KO')).toEqual({ above: 160, below: 50, mode: 'cross' });
  });
});
