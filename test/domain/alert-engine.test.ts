import { describe, expect, it } from 'vitest';
import { RECENT_ALERTS_KEPT, alertId, alertSortKey, evaluate, resolveRule, zoneOf, type AlertRule, type SymbolState } from '../../src/domain/index.js';
import { T0, series, tick } from '../support/ticks.js';

const cross: AlertRule = { above: 150, below: 50, mode: 'cross' };
const every: AlertRule = { ...cross, mode: 'every' };
const types = (e: ReturnType<typeof evaluate>) => e.alerts.map((a) => `${a.alert.alertType}@${a.alert.price}`);

/** Feed ticks batch by batch, carrying the state like the pipeline does. */
function run(rule: AlertRule, batches: ReturnType<typeof series>[]) {
  let state: SymbolState | undefined;
  const alerts: string[] = [];
  for (const batch of batches) {
    const result = evaluate(rule, state, batch);
    alerts.push(...types(result));
    state = result.nextState ?? state;
  }
  return { alerts, state };
}

describe('zones', () => {
  it('is HIGH strictly above, LOW strictly below, NORMAL at and between the thresholds', () => {
    expect([151, 150, 100, 50, 49.99].map((p) => zoneOf(p, cross))).toEqual(['HIGH', 'NORMAL', 'NORMAL', 'NORMAL', 'LOW']);
  });
});

describe('cross mode', () => {
  it('raises one HIGH alert for a symbol that stays above 150 for 1 000 ticks', () => {
    const prices = Array.from({ length: 1000 }, (_, i) => 151 + (i % 7));
    const batches = Array.from({ length: 40 }, (_, b) => series('AAPL', prices.slice(b * 25, b * 25 + 25), T0 + b * 25_000));
    expect(run(cross, batches).alerts).toEqual(['HIGH@151']);
  });

  it('raises again when the symbol leaves and re-enters, and for LOW crossings', () => {
    const { alerts, state } = run(cross, [series('AAPL', [100, 151, 152, 120, 160, 40, 45, 100, 30])]);
    expect(alerts).toEqual(['HIGH@151', 'HIGH@160', 'LOW@40', 'LOW@30']);
    expect(state?.zone).toBe('LOW');
  });

  it('counts the first tick seen as coming from NORMAL', () => {
    expect(run(cross, [series('AAPL', [155])]).alerts).toEqual(['HIGH@155']);
    expect(run(cross, [series('AAPL', [100])]).alerts).toEqual([]);
    expect(evaluate(cross, undefined, series('AAPL', [100])).nextState).toBeUndefined();
  });

  it('applies ticks in event-time order whatever order they arrive in', () => {
    const [a, b, c] = series('AAPL', [100, 155, 120]);
    const result = evaluate(cross, undefined, [c!, a!, b!]);
    expect(types(result)).toEqual(['HIGH@155']);
    expect(result.nextState).toMatchObject({ zone: 'NORMAL', since: c!.eventTime });
  });

  it('ignores a tick older than the last applied one', () => {
    const first = evaluate(cross, undefined, [tick('AAPL', 120, T0 + 10_000)]);
    expect(first.nextState).toBeUndefined();
    const entered = evaluate(cross, undefined, [tick('AAPL', 155, T0 + 10_000)]);
    const late = tick('AAPL', 40, T0 + 5_000);
    const result = evaluate(cross, entered.nextState, [late]);
    expect(result).toEqual({ alerts: [], stale: [late.key] });
  });

  it('re-raises the same alert for a redelivered tick, even after later transitions', () => {
    const [enter, leave] = series('AAPL', [155, 120]);
    const first = evaluate(cross, undefined, [enter!]);
    const redelivered = evaluate(cross, first.nextState, [enter!]);
    expect(redelivered.alerts).toEqual([{ alert: first.alerts[0]!.alert, tickKey: enter!.key, replay: true }]);
    expect(redelivered.nextState).toBeUndefined();
    const moved = evaluate(cross, first.nextState, [leave!]).nextState;
    expect(evaluate(cross, moved, [enter!]).alerts.map((a) => a.alert.alertId)).toEqual([first.alerts[0]!.alert.alertId]);
    expect(evaluate(cross, moved, [leave!])).toEqual({ alerts: [], stale: [leave!.key] });
  });

  it('remembers a bounded number of alerts', () => {
    const prices = Array.from({ length: 2 * (RECENT_ALERTS_KEPT + 5) }, (_, i) => (i % 2 === 0 ? 160 : 100));
    const result = evaluate(cross, undefined, series('AAPL', prices));
    expect(result.alerts).toHaveLength(RECENT_ALERTS_KEPT + 5);
    expect(result.nextState?.recentAlerts).toHaveLength(RECENT_ALERTS_KEPT);
  });

  it('describes each alert fully and deterministically', () => {
    const t = tick('AAPL', 40, T0);
    const [emitted] = evaluate(cross, undefined, [t]).alerts;
    expect(emitted?.alert).toEqual({ alertId: alertId(t.key, 'LOW'), symbol: 'AAPL', alertType: 'LOW', price: 40, threshold: 50, mode: 'cross', eventTime: T0, tickKey: t.key });
    expect(alertSortKey(T0, 'abc')).toBe('2026-11-23T14:30:00.000Z#abc');
  });
});

describe('every mode', () => {
  it('reproduces the source documents: an alert for every tick above 150 or below 50', () => {
    const result = evaluate(every, undefined, series('AAPL', [155.25, 160, 100, 45, 150, 50, 151]));
    expect(types(result)).toEqual(['HIGH@155.25', 'HIGH@160', 'LOW@45', 'HIGH@151']);
    expect(result.nextState).toBeUndefined();
  });

  it('gives a redelivered tick the same alert id', () => {
    const ticks = series('AAPL', [155]);
    expect(evaluate(every, undefined, ticks).alerts[0]?.alert.alertId).toBe(evaluate(every, undefined, ticks).alerts[0]?.alert.alertId);
  });
});

describe('resolveRule', () => {
  it('overrides the defaults field by field', () => {
    expect(resolveRule(cross, { above: 200 })).toEqual({ rule: { above: 200, below: 50, mode: 'cross' } });
    expect(resolveRule(cross, { mode: 'every', below: 10 })).toEqual({ rule: { above: 150, below: 10, mode: 'every' } });
    expect(resolveRule(cross, undefined)).toEqual({ rule: cross });
  });

  it('refuses an override that leaves no NORMAL band', () => {
    expect(resolveRule(cross, { below: 300 })).toEqual({ rule: cross, problem: expect.stringContaining('below (300) must be less than above (150)') });
  });
});
