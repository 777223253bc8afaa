import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBacktest, formatSweep } from '../../../src/cli/backtest/output.js';
import { runBacktest, type RuleSet } from '../../../src/local/sessions/backtest/index.js';
import { backtestHistory, rules, tick } from '../../support/backtest-history.js';
import { LIMITS } from '../../support/fakes.js';

describe('backtest output on the terminal', () => {
  const { where, run } = backtestHistory();

  it('prints one row per symbol, the totals and the problems', async () => {
    const text = formatBacktest(await run([rules('cross', [['F', { below: 48 }]])]));
    expect(text).toContain(`read ${where.file}: 7 ticks, 2 bus events (1 with a price), 2 invalid, 1 matched no bus rule, 1 unreadable`);
    expect(text).toContain('rules: defaults (default above 150, below 50, mode cross; 1 symbol override)');
    expect(text).toMatch(/^AAPL +150\/50 cross +6 +2 +0 +0 +0 +60\.0% +40\.0% +0\.0%$/m);
    expect(text).toMatch(/^F +150\/48 cross +1 +0 +0 +0 +1 +0\.0% +0\.0% +0\.0%$/m);
    expect(text).toMatch(/^total +8 +2 +0 +0 +2$/m);
    expect(text).toContain('2 alerts (HIGH 2, LOW 0)');
    expect(text).toContain('1 message had no timestamp: each was timed 1 ms after the record before it (file order)');
    expect(text).toContain('  DLQ   line 7 (tick): price: must be greater than 0');
  });

  it('reads several files in order, naming the file of each problem', async () => {
    const second = join(where.dir, 'second.jsonl');
    await writeFile(second, `${tick('AAPL', 160, 30)}\n{"symbol":"AAPL"}\n`);
    const result = await runBacktest({
      inputs: [
        { file: where.file, format: 'jsonl' },
        { file: second, format: 'jsonl' },
      ],
      ruleSets: [rules()],
      limits: LIMITS,
      keepAlerts: true,
    });
    expect(result.records.ticks).toBe(8);
    const text = formatBacktest(result);
    expect(text).toContain(`read ${where.file}, ${second}: 8 ticks`);
    expect(text).toContain('  history.jsonl: DLQ   line 7 (tick): price: must be greater than 0');
    expect(text).toContain('  second.jsonl: DLQ   line 2 (tick): price: must be a finite number');
  });

  it('prints one row per setting of a sweep', async () => {
    const sets = [150, 152, 154].map((above): RuleSet => ({ ...rules(), label: `above=${above}`, defaultRule: { above, below: 50, mode: 'cross' } }));
    const text = formatSweep(await run(sets));
    expect(text).toContain('3 settings evaluated on the same ticks (mode cross)');
    expect(text).toMatch(/^above=152 +2 +1 +1 +0 +1 +1 +0$/m);
  });
});
