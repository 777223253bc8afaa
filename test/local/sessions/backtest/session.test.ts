import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtestJson, sweepJson } from '../../../../src/cli/backtest/output.js';
import { runBacktest, type RuleSet } from '../../../../src/local/sessions/backtest/index.js';
import { T0, at, backtestHistory, rules, tick } from '../../../support/backtest-history.js';
import { LIMITS } from '../../../support/fakes.js';

describe('backtest sessions', () => {
  const { where, run } = backtestHistory();

  it('tells what a rearm suppressed: the alerts the same rules raise without it, per symbol', async () => {
    const file = join(where.dir, 'hovering.jsonl');
    const prices = [149.9, 150.1, 149.9, 150.1, 149.9, 150.1, 149.9, 150.1, 149.9, 150.1, 148, 150.2];
    await writeFile(file, prices.map((price, i) => JSON.stringify({ symbol: 'HOV', price, timestamp: T0 + i * 1000 })).join('\n') + '\n');
    const withRearm: RuleSet = { label: 'rearm', defaultRule: { above: 150, below: 50, mode: 'cross', rearm: 1 }, overrides: new Map() };
    const result = await runBacktest({ inputs: [{ file, format: 'jsonl' }], ruleSets: [withRearm], limits: LIMITS, keepAlerts: true });
    // Without hysteresis, each of the six ticks at 150.1 and 150.2 starts a run; with it, 148 re-arms once.
    expect(backtestJson(result).totals).toEqual({
      alerts: { total: 2, HIGH: 2, LOW: 0 },
      late: 0,
      failed: 0,
      suppressedByRearm: { total: 4, symbols: { HOV: 4 } },
    });
    const plain = await runBacktest({ inputs: [{ file, format: 'jsonl' }], ruleSets: [rules()], limits: LIMITS, keepAlerts: true });
    expect(plain.runs[0]!.totals.HIGH).toBe(6);
    expect(plain.runs[0]!.suppressedByRearm).toBeUndefined();
  });

  it('runs ticks and price-bearing events through the engine and counts everything else', async () => {
    const result = await run([rules()]);
    expect(result.records).toEqual({
      ticks: 7,
      eventTicks: 1,
      eventsWithoutPrice: 1,
      invalid: 2,
      invalidWithoutSymbol: 1,
      unmatchedEvents: 1,
      unreadableLines: 1,
      untimed: 1,
    });
    const json = backtestJson(result);
    // The queue holds the file's 7 ticks until its batch is full (here: the end of the file); the AAPL trade at 5 s
    // reaches the engine first, as it would market-processor, and raises the run it starts. The ticks of 4 s join
    // that run later: its alert is never raised twice, nor taken back.
    expect(json.alerts.map((a) => [a.symbol, a.alertType, a.price, a.eventTime])).toEqual([
      ['AAPL', 'HIGH', 151, at(1)],
      ['F', 'LOW', 49, at(1)],
      ['AAPL', 'HIGH', 155, at(5)],
    ]);
    expect(json.totals).toEqual({ alerts: { total: 3, HIGH: 2, LOW: 1 }, late: 0, failed: 0 });
    const aapl = json.symbols.find((s) => s.symbol === 'AAPL')!;
    expect(aapl).toMatchObject({
      ticks: 6,
      invalid: 0,
      late: 0,
      alerts: { total: 2, HIGH: 2, LOW: 0 },
      timeInZoneMs: { HIGH: 3000, NORMAL: 2000, LOW: 0 },
    });
    expect(aapl).toMatchObject({ firstEventTime: at(0), lastEventTime: at(5), minPrice: 149, maxPrice: 155 });
    expect(json.symbols.find((s) => s.symbol === 'F')).toMatchObject({ ticks: 1, invalid: 1, eventsWithoutPrice: 1, alerts: { LOW: 1 } });
    // The untimed KO tick follows the record before it (the quote at 6 s) by 1 ms.
    expect(json.symbols.find((s) => s.symbol === 'KO')).toMatchObject({ firstEventTime: new Date(T0 + 6001).toISOString() });
    expect(json.problems.map((p) => `${p.origin?.line} ${p.kind} ${p.outcome}: ${p.reason}`)).toEqual([
      '7 tick dead-lettered: price: must be greater than 0',
      '8 tick dead-lettered: symbol: must be 1-16 characters: an uppercase letter, then uppercase letters, digits, ".", "-" or "/"; price: must be a finite number',
      '11 event unmatched: no rule of the bus matches source "market.data" and detail-type "Order Cancel"',
      '13 line skipped: not a valid bus event: detail: must be a JSON object',
    ]);
    expect([...result.series.keys()]).toEqual(['AAPL', 'F', 'KO']);
    expect(result.series.get('AAPL')).toEqual([
      [T0, 149],
      [T0 + 1000, 151],
      [T0 + 2000, 152],
      [T0 + 3000, 149],
      [T0 + 4000, 153],
      [T0 + 5000, 155],
    ]);
  });

  it('gives no rate for a run under a second, where a rate says nothing', async () => {
    const result = await run([rules()]);
    expect(result.wallTimeMs).toBeLessThan(1000);
    expect(result.ticksPerSecond).toBeNull();
  });

  it('alerts on every HIGH or LOW tick in every mode', async () => {
    const json = backtestJson(await run([rules('every')]));
    expect(json.alerts.map((a) => `${a.symbol} ${a.price}`)).toEqual(['AAPL 151', 'F 49', 'AAPL 152', 'AAPL 153', 'AAPL 155']);
  });

  it('evaluates every setting of a sweep on the same pass, as separate runs would', async () => {
    const sets = [150, 152, 154].map((above): RuleSet => ({ ...rules(), label: `above=${above}`, defaultRule: { above, below: 50, mode: 'cross' } }));
    const swept = sweepJson(await run(sets));
    const separate = await Promise.all(sets.map(async (s) => backtestJson(await run([s])).totals.alerts));
    expect(swept.settings.map((s) => s.alerts)).toEqual(separate);
    expect(swept.settings.map((s) => [s.label, s.alerts.total, s.symbols.AAPL])).toEqual([
      ['above=150', 3, { HIGH: 2, LOW: 0 }],
      ['above=152', 2, { HIGH: 1, LOW: 0 }],
      ['above=154', 2, { HIGH: 1, LOW: 0 }],
    ]);
  });

  it('counts a tick beyond the lateness horizon as late, without applying it', async () => {
    const late = join(where.dir, 'late.jsonl');
    // One batch; the window keeps the newest 2 of its ticks, so the tick of 1 s is late and raises nothing.
    await writeFile(late, [tick('NVDA', 149, 10), tick('NVDA', 149, 11), tick('NVDA', 151, 1)].join('\n'));
    const result = await runBacktest({
      inputs: [{ file: late, format: 'jsonl' }],
      ruleSets: [rules()],
      limits: { ...LIMITS, horizon: 2 },
      keepAlerts: true,
    });
    const json = backtestJson(result);
    expect(json.totals).toEqual({ alerts: { total: 0, HIGH: 0, LOW: 0 }, late: 1, failed: 0 });
  });

  it('stops with a clear error before symbols × rule sets outgrow memory', async () => {
    const many = join(where.dir, 'many.jsonl');
    await writeFile(many, Array.from({ length: 30 }, (_, i) => tick(`S${i}`, 100, i)).join('\n'));
    const sets = Array.from({ length: 10 }, (_, i): RuleSet => ({
      ...rules(),
      label: `above=${151 + i}`,
      defaultRule: { above: 151 + i, below: 50, mode: 'cross' },
    }));
    const limited = (maxSymbolStates: number) =>
      runBacktest({ inputs: [{ file: many, format: 'jsonl' }], ruleSets: sets, limits: LIMITS, maxSymbolStates });
    await expect(limited(200)).rejects.toThrow(
      '21 symbols × 10 rule sets is more than the 200 symbol states a backtest holds: sweep fewer settings, or split the file by symbol',
    );
    expect((await limited(300)).symbols.size).toBe(30);
  });

  it('refuses to run without a rule set', async () => {
    await expect(runBacktest({ inputs: [], ruleSets: [], limits: LIMITS })).rejects.toThrow('a backtest needs at least one rule set');
  });
});
