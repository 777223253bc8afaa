import { describe, expect, it } from 'vitest';
import { MinMaxDecimator } from '../../../../src/local/sessions/backtest/decimator.js';

describe('min/max decimation', () => {
  it('keeps every tick while they fit, in time order', () => {
    const d = new MinMaxDecimator(8);
    for (const [t, p] of [
      [3000, 3],
      [1000, 1],
      [2000, 2],
    ] as const)
      d.add(t, p);
    expect(d.points()).toEqual([
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
    expect(d.bucketWidthMs).toBe(1);
  });

  it("merges neighbours when full, keeping each bucket's low and high and the first and last ticks", () => {
    const d = new MinMaxDecimator(4);
    const prices = [10, 14, 9, 12, 11, 15, 8, 13];
    prices.forEach((p, i) => d.add(i * 1000, p));
    expect(d.ticks).toBe(8);
    expect(d.bucketWidthMs).toBe(2048);
    // Buckets of 2.048 s from the first tick: [0,1,2] [3,4] [5,6] [7]; each gives its low and high in time order.
    expect(d.points()).toEqual([
      [0, 10],
      [1000, 14],
      [2000, 9],
      [3000, 12],
      [4000, 11],
      [5000, 15],
      [6000, 8],
      [7000, 13],
    ]);
  });

  it('stays within its buckets for a long series and never loses an extreme', () => {
    const d = new MinMaxDecimator(512);
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < 200_000; i++) {
      const p = 100 + random() * 50;
      min = Math.min(min, p);
      max = Math.max(max, p);
      d.add(1_700_000_000_000 + i * 997, p);
    }
    const points = d.points();
    expect(points.length).toBeLessThanOrEqual(2 * 512 + 2);
    expect(points.length).toBeGreaterThan(512);
    expect(points.map(([, p]) => p)).toContain(min);
    expect(points.map(([, p]) => p)).toContain(max);
    expect(points[0]![0]).toBe(1_700_000_000_000);
    expect(points.at(-1)![0]).toBe(1_700_000_000_000 + 199_999 * 997);
    expect(points.every((p, i) => i === 0 || p[0] >= points[i - 1]![0])).toBe(true);
  });

  it('refuses fewer than two buckets', () => {
    expect(() => new MinMaxDecimator(1)).toThrow('maxBuckets must be a whole number of at least 2 (got 1)');
  });
});
