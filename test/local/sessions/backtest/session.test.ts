import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestJson, formatBacktest, formatSweep, runBacktest, sweepJson, type RuleSet } from '../../../../src/local/sessions/backtest/index.js';
import { LIMITS } from '../../../support/fakes.js';

const T0 = Date.UTC(2026, 10, 20, 14, 30);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const tick = (symbol: string, price: number, s: number) => JSON.stringify({ symbol, price, timestamp: at(s) });
const event = (detailType: string, detail: Record<string, unknown>, s: number) =>
  JSON.stringify({ source: 'market.data', 'detail-type': detailType, time: at(s), detail });

const LINES = [
  tick('AAPL', 149, 0),
  tick('AAPL', 151, 1),
  tick('AAPL', 152, 2),
  tick('AAPL', 149, 3),
  tick('AAPL', 153, 4),
  tick('F', 49, 1),
  '{"symbol":"F","price":-1}',
  '{"symbol":"x<script>"}',
  event('Trade Execution', { exchange: 'NASDAQ', symbol: 'AAPL', price: 155, volume: 10 }, 5),
  event('Market Quote', { exchange: 'NYSE', symbol: 'F', bid: 50.9, ask: 50.95 }, 6),
  event('Order Cancel', { symbol: 'F' }, 7),
  '{"symbol":"KO","price":60}',
  '{"source":"market.data","detail-type":"Trade Execution","detail":"nope"}',
];

const rules = (mode: 'cross' | 'every' = 'cross', overrides: [string, { above?: number; below?: number }][] = []): RuleSet => ({
  label: 'defaults',
  defaultRule: { above: 150, below: 50, mode },
  overrides: new Map(overrides),
});

describe('backtest sessions', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'backtest-'));
    file = join(dir, 'history.jsonl');
    await writeFile(file, `${LINES.join('\n')}\n`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = (ruleSets: RuleSet[], limits = LIMITS) =>
    runBacktest({ inputs: [{ file, format: 'jsonl' }], ruleSets, limits, keepAlerts: ruleSets.length === 1, chart: { count: 40 } });

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

  it('prints one row per symbol, the totals and the problems', async () => {
    const text = formatBacktest(await run([rules('cross', [['F', { below: 48 }]])]));
    expect(text).toContain(`read ${file}: 7 ticks, 2 bus events (1 with a price), 2 invalid, 1 matched no bus rule, 1 unreadable`);
    expect(text).toContain('rules: defaults (default above 150, below 50, mode cross; 1 symbol override)');
    expect(text).toMatch(/^AAPL +150\/50 cross +6 +2 +0 +0 +0 +60\.0% +40\.0% +0\.0%$/m);
    expect(text).toMatch(/^F +150\/48 cross +1 +0 +0 +0 +1 +0\.0% +0\.0% +0\.0%$/m);
    expect(text).toMatch(/^total +8 +2 +0 +0 +2$/m);
    expect(text).toContain('2 alerts (HIGH 2, LOW 0)');
    expect(text).toContain('1 message had no timestamp: each was timed 1 ms after the record before it (file order)');
    expect(text).toContain('  DLQ   line 7 (tick): price: must be greater than 0');
  });

  it('gives no rate for a run under a second, where a rate says nothing', async () => {
    const result = await run([rules()]);
    expect(result.wallTimeMs).toBeLessThan(1000);
    expect(result.ticksPerSecond).toBeNull();
  });

  it('reads several files in order, naming the file of each problem', async () => {
    const second = join(dir, 'second.jsonl');
    await writeFile(second, `${tick('AAPL', 160, 30)}\n{"symbol":"AAPL"}\n`);
    const result = await runBacktest({
      inputs: [
        { file, format: 'jsonl' },
        { file: second, format: 'jsonl' },
      ],
      ruleSets: [rules()],
      limits: LIMITS,
      keepAlerts: true,
    });
    expect(result.records.ticks).toBe(8);
    const text = formatBacktest(result);
    expect(text).toContain(`read ${file}, ${second}: 8 ticks`);
    expect(text).toContain('  history.jsonl: DLQ   line 7 (tick): price: must be greater than 0');
    expect(text).toContain('  second.jsonl: DLQ   line 2 (tick): price: must be a finite number');
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
    const text = formatSweep(await run(sets));
    expect(text).toContain('3 settings evaluated on the same ticks (mode cross)');
    expect(text).toMatch(/^above=152 +2 +1 +1 +0 +1 +1 +0$/m);
  });

  it('counts a tick beyond the lateness horizon as late, without applying it', async () => {
    const late = join(dir, 'late.jsonl');
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
    const many = join(dir, 'many.jsonl');
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
