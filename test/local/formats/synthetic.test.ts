import { describe, expect, it } from 'vitest';
import { mulberry32, normal, syntheticTicks } from '../../../src/local/formats/synthetic.js';
import { parseTick } from '../../../src/domain/index.js';

const options = {
  ticks: 2_000,
  symbols: ['AAPL', 'F', 'ZZZ'],
  seed: 7,
  start: Date.parse('2026-11-20T14:30:00Z'),
  intervalMs: 1_000,
  volatility: 0.8,
  drift: 0,
};

describe('synthetic ticks', () => {
  it('are the same for the same seed and differ for another', () => {
    const a = [...syntheticTicks(options)];
    expect([...syntheticTicks(options)]).toEqual(a);
    expect([...syntheticTicks({ ...options, seed: 8 })]).not.toEqual(a);
  });

  it('take the symbols in turn, in event-time order, and pass validation', () => {
    const ticks = [...syntheticTicks(options)];
    expect(ticks.slice(0, 4).map((t) => t.symbol)).toEqual(['AAPL', 'F', 'ZZZ', 'AAPL']);
    expect(ticks[1]!.timestamp).toBe('2026-11-20T14:30:01.000Z');
    for (const tick of ticks) expect(parseTick({ body: JSON.stringify(tick), sentTimestamp: 0 }, Date.now()).ok).toBe(true);
  });

  it('move each price by small log-normal steps (geometric Brownian motion)', () => {
    const aapl = [...syntheticTicks(options)].filter((t) => t.symbol === 'AAPL').map((t) => t.price);
    const returns = aapl.slice(1).map((p, i) => Math.log(p / aapl[i]!));
    const sd = Math.sqrt(returns.reduce((s, r) => s + r * r, 0) / returns.length);
    // σ·√dt with dt = 3 s in years.
    const expected = 0.8 * Math.sqrt(3_000 / (365 * 24 * 3600 * 1000));
    expect(sd).toBeGreaterThan(expected * 0.7);
    expect(sd).toBeLessThan(expected * 1.3);
  });

  it('draw uniform and normal numbers with the expected moments', () => {
    const uniform = mulberry32(1);
    const gaussian = normal(mulberry32(2));
    const u = Array.from({ length: 20_000 }, uniform);
    const z = Array.from({ length: 20_000 }, gaussian);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    const variance = z.reduce((s, x) => s + (x - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
