import { describe, expect, it } from 'vitest';
import { STRUCTURE_LIMITS, checkStructure } from '../../src/domain/index.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { next: value };
  return value;
};

describe('checkStructure', () => {
  it('takes 16 levels below the top and no more, without recursion (200 000 levels are fine to check)', () => {
    expect(STRUCTURE_LIMITS).toEqual({ maxDepth: 16, maxValues: 4096, minMagnitude: 1e-130, maxMagnitude: 1e126 });
    expect(checkStructure(nested(16))).toEqual({ ok: true, value: undefined });
    expect(checkStructure(nested(17))).toEqual({ ok: false, reason: 'message: nests deeper than 16 levels' });
    expect(checkStructure(nested(200_000), { root: ['detail'] })).toEqual({ ok: false, reason: 'detail: nests deeper than 16 levels' });
    expect(checkStructure(nested(16), { root: ['a', 'b'] }).ok).toBe(true);
  });

  it('bounds the number of values, before expanding a large array', () => {
    expect(checkStructure(Array.from({ length: 4095 }, () => 1)).ok).toBe(true);
    expect(checkStructure([[1, 2], Array.from({ length: 4091 }, () => 1)]).ok).toBe(true);
    expect(checkStructure([[1, 2], Array.from({ length: 4092 }, () => 1)])).toEqual({ ok: false, reason: 'message: has more than 4096 values' });
    expect(checkStructure(Array.from({ length: 100_000 }, () => 1))).toEqual({ ok: false, reason: 'message: has more than 4096 values' });
    expect(checkStructure(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'])))).toEqual({
      ok: false,
      reason: 'message: has more than 4096 values',
    });
  });

  it('for stored values, accepts what DynamoDB holds and names the first field it would refuse', () => {
    expect(checkStructure({ a: 0, b: -1e-130, c: 9.99e125, d: 'x', e: '', f: true, g: null, h: [1.5] }, { storable: true }).ok).toBe(true);
    expect(checkStructure({ a: { b: [1, 1e126] } }, { root: ['detail'], storable: true })).toEqual({
      ok: false,
      reason: 'detail.a.b.1: 1e+126 is outside what can be stored (0, or a magnitude from 1e-130 to below 1e+126)',
    });
    expect(checkStructure({ tiny: -1e-131 }, { storable: true })).toMatchObject({
      reason: 'tiny: -1e-131 is outside what can be stored (0, or a magnitude from 1e-130 to below 1e+126)',
    });
    expect(checkStructure({ x: { '': 1 } }, { storable: true })).toEqual({ ok: false, reason: 'x: has a field with an empty name' });
  });

  it("for stored values, takes DynamoDB's range to the last double on both sides and both signs, beyond 2^53 too", () => {
    const inside = [1e-130, -1e-130, 9.999999999999998e125, -9.999999999999998e125, 9007199254740994, 1e16, -1e16, 9.99e125, 0, -0];
    for (const x of inside) expect(checkStructure({ x }, { storable: true }), String(x)).toEqual({ ok: true, value: undefined });
    const outside = [9.999999999999999e-131, -9.999999999999999e-131, 1e126, -1e126, 5e-324, Number.MAX_VALUE, Number.POSITIVE_INFINITY];
    for (const x of outside) expect(checkStructure({ x }, { storable: true }).ok, String(x)).toBe(false);
  });

  it('ignores numbers and field names of values that are not stored', () => {
    expect(checkStructure({ '': 1e-300 }).ok).toBe(true);
  });

  it('refuses what JSON cannot carry', () => {
    expect(checkStructure({ f: () => 1 })).toEqual({ ok: false, reason: 'f: is not a JSON value' });
    expect(checkStructure([undefined])).toEqual({ ok: false, reason: '0: is not a JSON value' });
    expect(checkStructure({ n: Number.NaN }, { storable: true })).toMatchObject({
      ok: false,
      reason: 'n: NaN is outside what can be stored (0, or a magnitude from 1e-130 to below 1e+126)',
    });
  });
});
