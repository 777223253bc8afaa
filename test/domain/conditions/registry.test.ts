import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bandProblem,
  describeRule,
  isTriggerMode,
  parseAlertRule,
  parseRuleOverride,
  resolveRule,
  ruleProblem,
  type AlertRule,
} from '../../../src/domain/index.js';

const DEFAULTS: AlertRule = { above: 150, below: 50, mode: 'cross' };

describe('the thresholds rule: its one parser', () => {
  it('takes an override of any of above, below and mode, and nothing else', () => {
    expect(parseRuleOverride({ above: 152 })).toEqual({ ok: true, value: { above: 152 } });
    expect(parseRuleOverride({ below: 1e-12, mode: 'every' })).toEqual({ ok: true, value: { below: 1e-12, mode: 'every' } });
    expect(parseRuleOverride({ above: 1e9, below: undefined })).toEqual({ ok: true, value: { above: 1e9 } });
    expect(parseRuleOverride({})).toEqual({
      ok: false,
      reason: 'sets nothing: give kind, above, below, mode, rearm, level, direction, on and/or until',
    });
    expect(parseRuleOverride({ above: 152, zone: 'HIGH' })).toEqual({ ok: false, reason: 'Unrecognized key: "zone"' });
    expect(parseRuleOverride('above 152')).toEqual({ ok: false, reason: 'must be an object like {"above":152}' });
  });

  it('refuses thresholds that are not prices, and modes it does not know, naming every field', () => {
    expect(parseRuleOverride({ above: 0 })).toEqual({ ok: false, reason: 'above: must be greater than 0' });
    expect(parseRuleOverride({ above: 1e9 + 1 })).toEqual({ ok: false, reason: 'above: must be at most 1000000000' });
    expect(parseRuleOverride({ below: 1e-13 })).toEqual({ ok: false, reason: 'below: must be at least 1e-12' });
    expect(parseRuleOverride({ above: Number.NaN, below: '5', mode: 'Cross' })).toEqual({
      ok: false,
      reason: 'above: must be a finite number; below: must be a finite number; mode: must be one of cross, every',
    });
  });

  it('takes a whole rule only with all three attributes and a NORMAL band', () => {
    expect(parseAlertRule({ above: 150, below: 50, mode: 'cross' })).toEqual({ ok: true, value: DEFAULTS });
    expect(parseAlertRule({ above: 150, below: 50 })).toEqual({ ok: false, reason: 'mode: must be one of cross, every' });
    expect(parseAlertRule({ above: 50, below: 50, mode: 'every' })).toEqual({ ok: false, reason: 'below (50) must be less than above (50)' });
    expect(parseAlertRule(null)).toEqual({ ok: false, reason: 'must be an object like {"above":150,"below":50,"mode":"cross"}' });
  });

  it('resolves an override on the defaults; one without a band, or refused when read, leaves the defaults and says why', () => {
    expect(resolveRule(DEFAULTS, { above: 160, mode: 'every' })).toEqual({ rule: { above: 160, below: 50, mode: 'every' } });
    expect(resolveRule(DEFAULTS, undefined)).toEqual({ rule: DEFAULTS });
    expect(resolveRule(DEFAULTS, { below: 150 })).toEqual({
      rule: DEFAULTS,
      problem: 'rule override ignored: below (150) must be less than above (150)',
    });
    expect(resolveRule(DEFAULTS, undefined, 'above: must be greater than 0')).toEqual({
      rule: DEFAULTS,
      problem: 'rule override ignored: above: must be greater than 0',
    });
  });

  it('takes a rearm as an amount or a percentage of the threshold, and refuses one that cannot apply', () => {
    expect(parseRuleOverride({ rearm: 0.5 })).toEqual({ ok: true, value: { rearm: 0.5 } });
    expect(parseRuleOverride({ rearm: '0.50%' })).toEqual({ ok: true, value: { rearm: '0.5%' } });
    expect(parseRuleOverride({ rearm: ' 2 ' })).toEqual({ ok: true, value: { rearm: 2 } });
    expect(parseRuleOverride({ rearm: '0%' })).toEqual({ ok: true, value: { rearm: 0 } });
    const wrong = 'rearm: must be an amount of price (0.5) or a percentage of the threshold ("0.5%"), 0 or more';
    for (const value of [-1, '-1', 'half', '1 %', '%', Number.NaN, true, 1e10])
      expect(parseRuleOverride({ rearm: value })).toEqual({ ok: false, reason: wrong });
    expect(parseRuleOverride({ rearm: '100%' })).toEqual({ ok: false, reason: 'rearm: must be a percentage under 100' });
    expect(parseAlertRule({ above: 150, below: 50, mode: 'cross', rearm: '1%' })).toEqual({ ok: true, value: { ...DEFAULTS, rearm: '1%' } });
    expect(parseAlertRule({ above: 150, below: 50, mode: 'cross', rearm: 0 })).toEqual({ ok: true, value: DEFAULTS });
    expect(parseAlertRule({ above: 150, below: 50, mode: 'every', rearm: 1 })).toEqual({
      ok: false,
      reason: 'rearm (1) applies to mode cross only: give mode cross, or rearm 0',
    });
    expect(ruleProblem({ above: 150, below: 50, mode: 'cross', rearm: 50 })).toBeUndefined();
    expect(ruleProblem({ above: 150, below: 50, mode: 'cross', rearm: 50.01 })).toBe(
      'rearm (50.01) leaves no price between below (50) and above (150) that re-arms both',
    );
    expect(ruleProblem({ above: 150, below: 50, mode: 'cross', rearm: '60%' })).toBe(
      'rearm (60%) leaves no price between below (50) and above (150) that re-arms both',
    );
  });

  it('an override sets or clears the rearm on top of the defaults; every mode cannot keep one', () => {
    const hysteresis: AlertRule = { ...DEFAULTS, rearm: '1%' };
    expect(resolveRule(hysteresis, { above: 160 })).toEqual({ rule: { above: 160, below: 50, mode: 'cross', rearm: '1%' } });
    expect(resolveRule(hysteresis, { rearm: 0 })).toEqual({ rule: DEFAULTS });
    expect(resolveRule(DEFAULTS, { rearm: 2 })).toEqual({ rule: { ...DEFAULTS, rearm: 2 } });
    expect(resolveRule(hysteresis, { mode: 'every' })).toEqual({
      rule: hysteresis,
      problem: 'rule override ignored: rearm (1%) applies to mode cross only: give mode cross, or rearm 0',
    });
    expect(describeRule(hysteresis)).toBe('above 150, below 50, mode cross, rearm 1%');
  });

  it('takes an expiry on either kind as a moment of event time, kept as ISO-8601 UTC', () => {
    expect(parseRuleOverride({ until: '2026-12-31T16:00:00-05:00' })).toEqual({ ok: true, value: { until: '2026-12-31T21:00:00.000Z' } });
    expect(parseRuleOverride({ until: 1_798_761_600_000 })).toEqual({ ok: true, value: { until: '2027-01-01T00:00:00.000Z' } });
    expect(parseRuleOverride({ until: '2026-12-31' })).toMatchObject({ ok: false, reason: expect.stringContaining('until:') });
    expect(parseRuleOverride({ until: 5 })).toEqual({ ok: false, reason: 'until: must be on or after 2000-01-01T00:00:00Z' });
    const until = Date.parse('2026-12-31T21:00:00Z');
    expect(resolveRule(DEFAULTS, { above: 160, until: '2026-12-31T21:00:00.000Z' })).toEqual({ rule: { ...DEFAULTS, above: 160, until } });
    expect(resolveRule(DEFAULTS, { kind: 'crosses', level: 150, until: '2026-12-31T21:00:00.000Z' }).rule).toMatchObject({
      crossing: 'either',
      until,
    });
    expect(describeRule({ ...DEFAULTS, until })).toBe('above 150, below 50, mode cross, until 2026-12-31T21:00:00.000Z');
  });

  it('describes a rule for people, and knows its modes', () => {
    expect(describeRule(DEFAULTS)).toBe('above 150, below 50, mode cross');
    expect([isTriggerMode('cross'), isTriggerMode('every'), isTriggerMode('EVERY'), isTriggerMode(undefined)]).toEqual([true, true, false, false]);
    expect(bandProblem({ above: 10, below: 9.99 })).toBeUndefined();
  });

  it('for any values: an override is usable exactly when each value is a price (or a mode), and a whole rule when it also has a band', () => {
    const value = fc.oneof(
      fc.double(),
      fc.constantFrom(0, -0, 1e-12, 1e-13, 1e9, 1e9 + 1, 2 ** 53, Number.MAX_VALUE),
      fc.string(),
      fc.constant(null),
    );
    const isPrice = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 1e-12 && v <= 1e9;
    fc.assert(
      fc.property(value, value, fc.oneof(fc.constantFrom('cross', 'every'), fc.string()), (above, below, mode) => {
        const override = parseRuleOverride({ above, below, mode });
        expect(override.ok).toBe(isPrice(above) && isPrice(below) && isTriggerMode(mode));
        const whole = parseAlertRule({ above, below, mode });
        expect(whole.ok).toBe(override.ok && (below as number) < (above as number));
        if (whole.ok) expect(resolveRule(DEFAULTS, override.ok ? override.value : undefined)).toEqual({ rule: whole.value });
      }),
      { numRuns: 2000 },
    );
  });
});
