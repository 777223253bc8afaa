import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalOf, decodeWindow, encodeWindow } from '../../../src/adapters/aws/window-codec.js';
import type { Observation, SymbolWindow } from '../../../src/domain/index.js';
import { T0 } from '../../support/ticks.js';

const observation = fc.record({
  gap: fc.nat({ max: 10 ** 10 }),
  price: fc.oneof(
    fc.double({ min: 1e-12, max: 1e9, noNaN: true, noDefaultInfinity: true }).filter((p) => p > 0),
    fc.integer({ min: 1, max: 10 ** 9 }).map((cents) => cents / 100),
    fc
      .tuple(fc.integer({ min: 1, max: 999_999_999_999_999 }), fc.integer({ min: -27, max: 0 }))
      .map(([mantissa, exponent]) => Number(`${mantissa}e${exponent}`))
      .filter((p) => p >= 1e-12 && p <= 1e9),
  ),
  zone: fc.constantFrom('NORMAL', 'HIGH', 'LOW' as const),
  marked: fc.boolean(),
});

const rearm = fc.option(
  fc.oneof(
    fc.double({ min: 1e-12, max: 1e9, noNaN: true }).filter((n) => n > 0),
    fc.integer({ min: 1, max: 9999 }).map((hundredths) => `${hundredths / 100}%` as const),
  ),
  { nil: undefined },
);

const thresholds = fc.option(
  fc
    .record({
      above: fc.double({ min: 1, max: 1e9, noNaN: true }),
      below: fc.double({ min: 1e-12, max: 1, noNaN: true }),
      rearm,
      crossing: fc.option(fc.constantFrom('up', 'down', 'either' as const), { nil: undefined }),
      until: fc.option(fc.integer({ min: 946_684_800_000, max: 8.64e15 }), { nil: undefined }),
      channel: fc.option(fc.constantFrom('entering', 'exiting', 'inside', 'outside' as const), { nil: undefined }),
    })
    .map(({ rearm, crossing, until, channel, ...t }) => ({
      ...(channel && { channel }),
      ...t,
      ...(rearm !== undefined && { rearm }),
      ...(crossing && { crossing }),
      ...(until !== undefined && { until }),
    })),
  { nil: undefined },
);

const windows = fc
  .record({ specs: fc.array(observation, { maxLength: 300 }), truncated: fc.boolean(), thresholds })
  .map(({ specs, truncated, thresholds }): SymbolWindow => {
    let time = T0;
    const observations: Observation[] = specs.map(({ gap, price, zone, marked }) => ({ eventTime: (time += gap), price, zone, marked }));
    return { observations, truncated, ...(thresholds && { thresholds }) };
  });

describe('packed window', () => {
  it('reads back exactly what was written, for any prices the validation accepts', () => {
    fc.assert(
      fc.property(windows, (window) => {
        expect(decodeWindow(encodeWindow(window))).toEqual(window);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) },
    );
  });

  it('keeps a price as the decimal it was sent as', () => {
    expect(decimalOf(150.16)).toEqual({ mantissa: 15016n, exponent: -2 });
    expect(decimalOf(1e-7)).toEqual({ mantissa: 1n, exponent: -7 });
    expect(decimalOf(2.5e-10)).toEqual({ mantissa: 25n, exponent: -11 });
    expect(decimalOf(1_000_000_000)).toEqual({ mantissa: 1000000000n, exponent: 0 });
    expect(decimalOf(0.1 + 0.2)).toEqual({ mantissa: 30000000000000004n, exponent: -17 });
  });

  it('costs a few bytes per observation: 256 cent-priced ticks a second apart, with the thresholds, fit in 1 KB', () => {
    const observations = Array.from({ length: 256 }, (_, i): Observation => ({
      eventTime: T0 + i * 1000,
      price: 150 + (i % 50) / 100,
      zone: 'HIGH',
      marked: i === 0,
    }));
    const bytes = encodeWindow({ observations, truncated: true, thresholds: { above: 150, below: 50 } });
    // A whole write unit's worth: the item's key, version and empty pending map fit beside it.
    expect(bytes.length).toBeLessThan(900);
    expect(bytes.slice(0, 2)).toEqual(Uint8Array.from([2, 3]));
  });

  it('still reads windows of format 1, written before windows kept their thresholds', () => {
    // Format 1: version, flags, count, then per observation Δ time, zone | mark << 2, zigzag exponent, mantissa.
    const legacy = Uint8Array.from([1, 1, 2, 0x80, 0x01, 1 | 4, 3, 0xb7, 0x75, 0x0a, 0, 0, 100]);
    expect(decodeWindow(legacy)).toEqual({
      observations: [
        { eventTime: 128, price: 150.31, zone: 'HIGH', marked: true },
        { eventTime: 138, price: 100, zone: 'NORMAL', marked: false },
      ],
      truncated: true,
    });
  });

  it('writes format 3 only for a rule with hysteresis, so a window without one stays byte for byte what it was', () => {
    const observations: Observation[] = [{ eventTime: 5, price: 1.5, zone: 'LOW', marked: true }];
    const plain = encodeWindow({ observations, truncated: false, thresholds: { above: 150, below: 50 } });
    expect([...plain]).toEqual([2, 2, 0, 150, 1, 0, 50, 1, 46, 3, 15]);
    expect([...encodeWindow({ observations, truncated: false, thresholds: { above: 150, below: 50, rearm: 0 } })]).toEqual([...plain]);
    const amount = encodeWindow({ observations, truncated: false, thresholds: { above: 150, below: 50, rearm: 0.5 } });
    expect([...amount]).toEqual([3, 10, 0, 150, 1, 0, 50, 1, 5, 1, 46, 3, 15]);
    const percent = encodeWindow({ observations, truncated: true, thresholds: { above: 150, below: 50, rearm: '0.5%' } });
    expect([...percent]).toEqual([3, 15, 0, 150, 1, 0, 50, 1, 5, 1, 46, 3, 15]);
    expect(decodeWindow(percent).thresholds).toEqual({ above: 150, below: 50, rearm: '0.5%' });
    const crossing = encodeWindow({ observations, truncated: false, thresholds: { above: 150, below: 150, crossing: 'down' } });
    expect([...crossing]).toEqual([3, 2 | (2 << 4), 0, 150, 1, 0, 150, 1, 1, 46, 3, 15]);
    expect(decodeWindow(crossing).thresholds).toEqual({ above: 150, below: 150, crossing: 'down' });
    const channel = encodeWindow({ observations, truncated: false, thresholds: { above: 150, below: 50, channel: 'inside', until: 1 } });
    expect([...channel]).toEqual([3, 2 | 64 | 128, 0, 150, 1, 0, 50, 1, 3, 1, 46, 3, 15]);
    expect(decodeWindow(channel).thresholds).toEqual({ above: 150, below: 50, channel: 'inside', until: 1 });
    expect(() => decodeWindow(Uint8Array.from([3, 2 | 128, 0, 150, 1, 0, 50, 9, 0]))).toThrow('window attribute has an unknown channel code 9');
  });

  it('refuses what it cannot read instead of guessing', () => {
    expect(() => decodeWindow(Uint8Array.from([4, 0, 0]))).toThrow('window attribute has format 4; this version reads 1 to 3');
    expect(() => decodeWindow(Uint8Array.from([3, 8, 0, 5, 0]))).toThrow(
      'window attribute has a rearm, a crossing, an expiry or a channel without thresholds',
    );
    expect(() => decodeWindow(Uint8Array.from([2, 0, 1]))).toThrow('window attribute is truncated');
    expect(() => decodeWindow(Uint8Array.from([2, 0, 0, 0]))).toThrow('window attribute has trailing bytes');
    expect(() => decodeWindow(Uint8Array.from([2, 0, 1, 3, 1, 1]))).toThrow('window attribute has an unknown zone code 3');
    expect(() => decodeWindow(Uint8Array.from([2, 0, 1, 0, 2]))).toThrow('window attribute has a price change with no price before it');
    expect(() => decodeWindow(Uint8Array.from([1, 0, 1, 0, 3, 0, 1]))).toThrow('window attribute has an unknown zone code 3');
    expect(() => decimalOf(Number.NaN)).toThrow('cannot pack price NaN');
  });
});
