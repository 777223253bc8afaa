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

const windows = fc.record({ specs: fc.array(observation, { maxLength: 300 }), truncated: fc.boolean() }).map(({ specs, truncated }): SymbolWindow => {
  let time = T0;
  const observations: Observation[] = specs.map(({ gap, price, zone, marked }) => ({ eventTime: (time += gap), price, zone, marked }));
  return { observations, truncated };
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

  it('costs a few bytes per observation: 256 cent-priced ticks a second apart fit in 2 KB', () => {
    const observations = Array.from({ length: 256 }, (_, i): Observation => ({
      eventTime: T0 + i * 1000,
      price: 150 + (i % 50) / 100,
      zone: 'HIGH',
      marked: i === 0,
    }));
    const bytes = encodeWindow({ observations, truncated: true });
    expect(bytes.length).toBeLessThan(2048);
    expect(bytes.slice(0, 2)).toEqual(Uint8Array.from([1, 1]));
  });

  it('refuses what it cannot read instead of guessing', () => {
    expect(() => decodeWindow(Uint8Array.from([2, 0, 0]))).toThrow('window attribute has format 2; this version reads 1');
    expect(() => decodeWindow(Uint8Array.from([1, 0, 1]))).toThrow('window attribute is truncated');
    expect(() => decodeWindow(Uint8Array.from([1, 0, 0, 0]))).toThrow('window attribute has trailing bytes');
    expect(() => decodeWindow(Uint8Array.from([1, 0, 1, 0, 3, 0, 1]))).toThrow('window attribute has an unknown zone code 3');
    expect(() => decimalOf(Number.NaN)).toThrow('cannot pack price NaN');
  });
});
