import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runBacktest, type RuleSet } from '../../src/local/sessions/backtest/index.js';
import { LIMITS } from './fakes.js';

export const T0 = Date.UTC(2026, 10, 20, 14, 30);
export const at = (s: number) => new Date(T0 + s * 1000).toISOString();
export const tick = (symbol: string, price: number, s: number) => JSON.stringify({ symbol, price, timestamp: at(s) });
const event = (detailType: string, detail: Record<string, unknown>, s: number) =>
  JSON.stringify({ source: 'market.data', 'detail-type': detailType, time: at(s), detail });

/** Ticks and bus events of three symbols, with an invalid tick of each kind, an untimed one, an unmatched event and an unreadable line. */
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

/** The default rule 150/50 in `mode`, with these overrides. */
export const rules = (mode: 'cross' | 'every' = 'cross', overrides: [string, { above?: number; below?: number }][] = []): RuleSet => ({
  label: 'defaults',
  defaultRule: { above: 150, below: 50, mode },
  overrides: new Map(overrides),
});

/**
 * The history file of LINES in a folder of its own, written before the suite's tests and removed after them, and a
 * backtest of it with these rule sets (a report's charts kept).
 */
export function backtestHistory() {
  const where = { dir: '', file: '' };
  beforeAll(async () => {
    where.dir = await mkdtemp(join(tmpdir(), 'backtest-'));
    where.file = join(where.dir, 'history.jsonl');
    await writeFile(where.file, `${LINES.join('\n')}\n`);
  });
  afterAll(() => rm(where.dir, { recursive: true, force: true }));
  return {
    where,
    run: (ruleSets: RuleSet[], limits = LIMITS) =>
      runBacktest({ inputs: [{ file: where.file, format: 'jsonl' }], ruleSets, limits, keepAlerts: ruleSets.length === 1, chart: { count: 40 } }),
  };
}
