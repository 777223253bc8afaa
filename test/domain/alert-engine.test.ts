import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  alertId,
  alertSortKey,
  crossesRule,
  describeRule,
  currentZone,
  evaluate,
  resolveRule,
  rezoned,
  tickKey,
  windowProblems,
  zoneOf,
  type Alert,
  type AlertRule,
  type SymbolWindow,
  type Tick,
} from '../../src/domain/index.js';
import { T0, series, tick } from '../support/ticks.js';
import {
  CHANNEL_RULES,
  CROSSING_RULES,
  EXPIRING_RULES,
  REARM_RULES,
  RULE,
  cut,
  mismatches,
  streams,
  truthAlertIds,
  truthRuns,
} from '../support/truth.js';

const cross: AlertRule = { above: 150, below: 50, mode: 'cross' };
const every: AlertRule = { ...cross, mode: 'every' };
const BIG = 10_000;
const inEventTimeOrder = (ticks: readonly Tick[]) =>
  [...ticks].sort((a, b) => a.eventTime - b.eventTime || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const summary = (alerts: readonly Alert[]) => alerts.map((a) => `${a.alertType}@${a.price}`);

/** Feed batches one after another, carrying each symbol's window as the store would. */
function feed(rule: AlertRule, batches: readonly (readonly Tick[])[], horizon = BIG) {
  const windows = new Map<string, SymbolWindow>();
  const alerts: Alert[] = [];
  const owners: string[] = [];
  const late: Tick[] = [];
  /** Keys of ticks the engine took in at least once (a redelivery may find them beyond the horizon later). */
  const applied = new Set<string>();
  for (const batch of batches) {
    for (const [symbol, ticks] of Map.groupBy(batch, (t) => t.symbol)) {
      const result = evaluate(symbol, rule, windows.get(symbol), ticks, horizon);
      // Every window the engine writes keeps the invariants of src/domain/window.ts.
      if (result.next) expect(windowProblems(symbol, result.next, horizon)).toEqual([]);
      alerts.push(...result.raised.map((r) => r.alert));
      owners.push(...result.raised.map((r) => r.owner));
      late.push(...result.late);
      for (const t of ticks) if (!result.late.some((l) => l.key === t.key)) applied.add(t.key);
      if (result.next) windows.set(symbol, result.next);
    }
  }
  return { alerts, owners, late, applied, windows };
}

describe('zones and rules', () => {
  it('is HIGH strictly above, LOW strictly below, NORMAL at and between the thresholds', () => {
    expect([151, 150, 100, 50, 49.99].map((p) => zoneOf(p, cross))).toEqual(['HIGH', 'NORMAL', 'NORMAL', 'NORMAL', 'LOW']);
  });

  it('merges an override onto the defaults and refuses one without a NORMAL band', () => {
    expect(resolveRule(cross, { above: 160 })).toEqual({ rule: { above: 160, below: 50, mode: 'cross' } });
    expect(resolveRule(cross, { mode: 'every' })).toEqual({ rule: { above: 150, below: 50, mode: 'every' } });
    expect(resolveRule(cross, { below: 150 })).toEqual({
      rule: cross,
      problem: 'rule override ignored: below (150) must be less than above (150)',
    });
  });

  it('refuses a horizon that is not a positive whole number', () => {
    expect(() => evaluate('AAPL', cross, undefined, [], 0)).toThrow('the lateness horizon must be a positive whole number of ticks (got 0)');
    expect(() => evaluate('AAPL', cross, undefined, [], 1.5)).toThrow(RangeError);
  });
});

describe('cross mode: one alert per run of HIGH or LOW ticks in event time', () => {
  it('raises one HIGH alert for a symbol that stays above 150 for 1 000 ticks, in batches of 25, with a horizon of 256', () => {
    const prices = Array.from({ length: 1000 }, (_, i) => 151 + (i % 7));
    const batches = cut(series('AAPL', prices), [25]);
    const { alerts, windows } = feed(cross, batches, 256);
    expect(summary(alerts)).toEqual(['HIGH@151']);
    expect(windows.get('AAPL')?.observations).toHaveLength(256);
    expect(windows.get('AAPL')?.truncated).toBe(true);
  });

  it('raises again when the symbol leaves and re-enters, and for LOW runs; the first tick counts as from NORMAL', () => {
    expect(summary(feed(cross, [series('AAPL', [100, 151, 152, 120, 160, 40, 45, 100, 30])]).alerts)).toEqual([
      'HIGH@151',
      'HIGH@160',
      'LOW@40',
      'LOW@30',
    ]);
    expect(summary(feed(cross, [series('AAPL', [155])]).alerts)).toEqual(['HIGH@155']);
    expect(feed(cross, [series('AAPL', [100])]).alerts).toEqual([]);
  });

  it('orders a batch by event time whatever order it arrives in', () => {
    const [a, b, c] = series('AAPL', [100, 155, 120]);
    expect(summary(feed(cross, [[c!, a!, b!]]).alerts)).toEqual(['HIGH@155']);
  });

  it('raises the alert on the first tick of the run, with a deterministic id', () => {
    const ticks = series('AAPL', [100, 151, 152]);
    const [alert] = feed(cross, [ticks]).alerts;
    expect(alert).toEqual({
      alertId: alertId(ticks[1]!.key, 'HIGH'),
      symbol: 'AAPL',
      alertType: 'HIGH',
      price: 151,
      threshold: 150,
      mode: 'cross',
      eventTime: T0 + 1000,
      tickKey: ticks[1]!.key,
    });
    expect(alertSortKey(T0 + 1000, alert!.alertId)).toBe(`2026-11-23T14:30:01.000Z#${alert!.alertId}`);
  });

  it('does not alert again when an earlier tick of an alerted run arrives later (the run only grows leftwards)', () => {
    const [n, h1, h2] = series('AAPL', [100, 151, 152]);
    const { alerts } = feed(cross, [[n!, h2!], [h1!]]);
    expect(summary(alerts)).toEqual(['HIGH@152']);
  });

  it('raises the second run when a late NORMAL tick splits an alerted run, owned by the late tick', () => {
    const [h1, n, h2] = series('AAPL', [151, 100, 152]);
    const { alerts, owners } = feed(cross, [[h1!, h2!], [n!]]);
    expect(summary(alerts)).toEqual(['HIGH@151', 'HIGH@152']);
    expect(owners).toEqual([h1!.key, n!.key]);
  });

  it('raises the earlier part when the split leaves the mark on the later part', () => {
    const [h1, n, h2] = series('AAPL', [151, 100, 152]);
    const { alerts, owners } = feed(cross, [[h2!], [h1!], [n!]]);
    expect(summary(alerts)).toEqual(['HIGH@152', 'HIGH@151']);
    expect(owners).toEqual([h2!.key, n!.key]);
  });

  it('splits a HIGH run with a late LOW tick: the LOW tick alerts, and so does the run it cut off', () => {
    const [h1, l, h2] = series('AAPL', [151, 40, 152]);
    expect(summary(feed(cross, [[h1!, h2!], [l!]]).alerts)).toEqual(['HIGH@151', 'LOW@40', 'HIGH@152']);
  });

  it('changes nothing for a redelivered tick', () => {
    const ticks = series('AAPL', [100, 151]);
    const first = evaluate('AAPL', cross, undefined, ticks, BIG);
    const again = evaluate('AAPL', cross, first.next, ticks, BIG);
    expect(again).toEqual({ raised: [], late: [] });
  });

  it('orders ticks of the same millisecond by tick key', () => {
    const a = tick('AAPL', 151, T0);
    const b = tick('AAPL', 100, T0);
    const [first, second] = a.key < b.key ? [a, b] : [b, a];
    const { alerts } = feed(cross, [[second, first], [tick('AAPL', 152, T0 + 1)]]);
    // HIGH then NORMAL then HIGH, or NORMAL then HIGH then HIGH: decided by the keys alone.
    expect(summary(alerts)).toEqual(first.price === 151 ? ['HIGH@151', 'HIGH@152'] : ['HIGH@151']);
  });

  it('counts a tick older than a truncated window as late and leaves the window alone', () => {
    const batches = cut(series('AAPL', [100, 100, 100, 100, 151, 152]), [2]);
    const { windows } = feed(cross, batches, 3);
    const window = windows.get('AAPL')!;
    expect(window.observations.map((o) => o.price)).toEqual([100, 151, 152]);
    const late = tick('AAPL', 160, T0 + 500);
    expect(evaluate('AAPL', cross, window, [late], 3)).toEqual({ raised: [], late: [late] });
  });

  it('keeps the mark of a run whose start left the window, so a long run alerts once', () => {
    const prices = [100, 151, 152, 153, 154];
    const { alerts, windows } = feed(cross, cut(series('AAPL', prices), [1]), 2);
    expect(summary(alerts)).toEqual(['HIGH@151']);
    expect(windows.get('AAPL')?.observations).toEqual([
      { eventTime: T0 + 3000, price: 153, zone: 'HIGH', marked: true },
      { eventTime: T0 + 4000, price: 154, zone: 'HIGH', marked: false },
    ]);
    expect(currentZone(windows.get('AAPL'), cross)).toBe('HIGH');
  });

  it('does not move the mark onto the edge when the run keeps its own mark', () => {
    const { windows } = feed(cross, [series('AAPL', [151, 152, 153, 100])], 3);
    expect(windows.get('AAPL')?.observations.map((o) => o.marked)).toEqual([true, false, false]);
    const [{ alerts }] = [feed(cross, [series('AAPL', [100, 100, 151, 152])], 3)];
    expect(summary(alerts)).toEqual(['HIGH@151']);
  });

  it('has no zone for a symbol it has never seen, and otherwise that of its newest observation', () => {
    expect(currentZone(undefined, cross)).toBeUndefined();
    expect(currentZone({ observations: [], truncated: false }, cross)).toBeUndefined();
    expect(currentZone(feed(cross, [series('AAPL', [100, 151, 40])]).windows.get('AAPL'), cross)).toBe('LOW');
  });

  it('applies a tick that lands inside a truncated window, and only one before it is late', () => {
    const { windows } = feed(cross, cut(series('AAPL', [100, 100, 100, 100]), [1]), 3);
    const window = windows.get('AAPL')!;
    expect(window).toMatchObject({ truncated: true, observations: [{ eventTime: T0 + 1000 }, { eventTime: T0 + 2000 }, { eventTime: T0 + 3000 }] });
    const inside = tick('AAPL', 151, T0 + 1500);
    const result = evaluate('AAPL', cross, window, [inside], 3);
    expect(result.late).toEqual([]);
    expect(summary(result.raised.map((r) => r.alert))).toEqual(['HIGH@151']);
    expect(result.raised[0]!.owner).toBe(inside.key);
  });

  it('stays untruncated at exactly the horizon: a tick inside is placed exactly, one that the horizon would drop at once is late', () => {
    const { windows } = feed(cross, [series('AAPL', [100, 100, 100], T0 + 1000)], 3);
    const full = windows.get('AAPL')!;
    expect(full.truncated).toBe(false);
    expect(evaluate('AAPL', cross, full, [tick('AAPL', 151, T0 + 1500)], 3)).toMatchObject({ late: [], raised: [{ alert: { price: 151 } }] });
    // Older than the newest 3: beyond the horizon, so it raises nothing and the window records that it lost history.
    const older = tick('AAPL', 151, T0);
    expect(evaluate('AAPL', cross, full, [older], 3)).toEqual({ raised: [], late: [older] });
    const { windows: small } = feed(cross, [series('AAPL', [100, 100], T0 + 1000)], 3);
    const both = evaluate('AAPL', cross, small.get('AAPL'), [older, tick('AAPL', 151, T0 + 500)], 3);
    expect(both).toMatchObject({ late: [older], raised: [{ alert: { price: 151 } }], next: { truncated: true } });
  });

  it('keeps a single mark per run when the window edge falls inside a run that grew leftwards', () => {
    // 100, then 152 and 153 (152 raises), then 151 arrives late, before 152: the run now starts at 151, marked at 152.
    const [n, h1, h2, h3] = series('AAPL', [100, 151, 152, 153]);
    let window = feed(cross, [[n!, h2!, h3!]], 3).windows.get('AAPL')!;
    window = evaluate('AAPL', cross, window, [h1!], 3).next!;
    expect(window.observations.map((o) => `${o.price}${o.marked ? '*' : ''}`)).toEqual(['151', '152*', '153']);
    // A NORMAL tick between 151 and 152 cuts 151 off: that run has no alert yet and raises one.
    const split = evaluate('AAPL', cross, window, [tick('AAPL', 120, T0 + 1500)], 3);
    expect(summary(split.raised.map((r) => r.alert))).toEqual(['HIGH@151']);
  });
  it('orders ticks of the same instant by tick key, whichever arrives first and in whichever batch', () => {
    // Before: NORMAL. At one instant: a HIGH and a NORMAL tick. After: HIGH. HIGH first makes two runs; NORMAL first, one.
    const at = T0 + 1000;
    const normal = tick('AAPL', 100, at);
    const highs = [151, 151.5, 152, 153, 154, 155, 156, 157].map((price) => tick('AAPL', price, at));
    const highFirst = highs.find((h) => h.key < normal.key)!;
    const normalFirst = highs.find((h) => h.key > normal.key)!;
    expect([highFirst, normalFirst].every(Boolean)).toBe(true);
    const before = tick('AAPL', 100, T0);
    const after = tick('AAPL', 160, T0 + 2000);
    for (const [high, expected] of [
      [highFirst, [`HIGH@${highFirst.price}`, 'HIGH@160']],
      [normalFirst, [`HIGH@${normalFirst.price}`]],
    ] as const) {
      for (const order of [
        [before, high, normal, after],
        [before, normal, high, after],
        [after, normal, high, before],
        [before, after, high, normal],
      ]) {
        expect(summary(feed(cross, [order]).alerts), `${high.price} in one batch`).toEqual(expected);
        // One by one, a run's alert is raised by the first of its ticks to arrive: the same runs, so as many alerts.
        expect(
          feed(
            cross,
            order.map((t) => [t]),
          ).alerts,
          `${high.price} one by one`,
        ).toHaveLength(expected.length);
      }
    }
  });

  it('gives a LOW alert the lower threshold and a HIGH alert the upper one', () => {
    const { alerts } = feed({ above: 160, below: 40, mode: 'cross' }, [series('AAPL', [100, 39, 100, 161])]);
    expect(alerts.map((a) => [a.alertType, a.price, a.threshold])).toEqual([
      ['LOW', 39, 40],
      ['HIGH', 161, 160],
    ]);
    const everyAlerts = evaluate('AAPL', { above: 160, below: 40, mode: 'every' }, undefined, series('AAPL', [39, 161]), BIG).raised;
    expect(everyAlerts.map((r) => r.alert.threshold)).toEqual([40, 160]);
  });
});

describe('the window and its invariants', () => {
  const o = (eventTime: number, price: number, zone: 'HIGH' | 'LOW' | 'NORMAL', marked = false) => ({ eventTime, price, zone, marked });
  const thresholds = { above: 150, below: 50 };

  it('holds for what the engine writes, and names each broken one', () => {
    expect(windowProblems('AAPL', { observations: [o(T0, 151, 'HIGH', true), o(T0 + 1, 100, 'NORMAL')], truncated: false, thresholds }, 2)).toEqual(
      [],
    );
    expect(
      windowProblems('AAPL', { observations: [o(T0, 100, 'NORMAL'), o(T0, 100, 'NORMAL'), o(T0 - 1, 100, 'NORMAL')], truncated: false }, 2),
    ).toEqual([
      '3 observations, more than the horizon of 2',
      `observation 1 (100@${T0}) does not sort after the one before it`,
      `observation 2 (100@${T0 - 1}) does not sort after the one before it`,
    ]);
    expect(
      windowProblems(
        'AAPL',
        {
          observations: [
            o(T0, 151, 'HIGH', true),
            o(T0 + 1, 152, 'HIGH', true),
            o(T0 + 2, 100, 'NORMAL', true),
            o(T0 + 3, 40, 'LOW'),
            o(T0 + 4, 120, 'HIGH', true),
          ],
          truncated: false,
          thresholds,
        },
        9,
      ),
    ).toEqual([
      'the HIGH run ending at observation 1 carries 2 marks',
      'the NORMAL run ending at observation 2 carries 1 marks',
      'the LOW run ending at observation 3 carries 0 marks',
      'observation 4 (120) is HIGH under 150/50',
    ]);
  });

  it('decides every zone again under new thresholds and marks each run once, so the past raises nothing', () => {
    const before = {
      observations: [o(T0, 151, 'HIGH', true), o(T0 + 1, 149, 'NORMAL'), o(T0 + 2, 152, 'HIGH', true), o(T0 + 3, 40, 'LOW', true)],
      truncated: true,
      thresholds,
    };
    const after = rezoned(before, { above: 145, below: 45 });
    expect(after).toEqual({
      observations: [o(T0, 151, 'HIGH', true), o(T0 + 1, 149, 'HIGH'), o(T0 + 2, 152, 'HIGH'), o(T0 + 3, 40, 'LOW', true)],
      truncated: true,
      thresholds: { above: 145, below: 45 },
    });
    expect(windowProblems('AAPL', after, 4)).toEqual([]);
    expect(rezoned(before, thresholds)).toBe(before);
    // A window written before windows kept their thresholds: its zones are taken as they are.
    const legacy = { observations: before.observations, truncated: false };
    expect(rezoned(legacy, { above: 145, below: 45 })).toEqual({ ...legacy, thresholds: { above: 145, below: 45 } });
  });
});

describe('a rule changed at run time', () => {
  it('gives an alert its zone and its threshold from the same rule, for late ticks too', () => {
    const { windows } = feed(cross, [series('RC', [151, 100, 151])]);
    // The rule moves to 160: the remembered 151s are NORMAL now, so a late tick splitting them raises nothing.
    const higher = { ...cross, above: 160 };
    const late = evaluate('RC', higher, windows.get('RC'), [tick('RC', 152, T0 + 500)], BIG);
    expect(late.raised).toEqual([]);
    expect(currentZone(late.next, higher)).toBe('NORMAL');
    const next = evaluate('RC', higher, late.next, [tick('RC', 161, T0 + 3000)], BIG);
    expect(summary(next.raised.map((r) => r.alert))).toEqual(['HIGH@161']);
    expect(next.raised[0]!.alert.threshold).toBe(160);
  });

  it('raises nothing for a run that was already going on when the rule changed, and alerts the next one', () => {
    const { windows } = feed(cross, [series('RC', [155, 156])]);
    const lower = { ...cross, above: 150 };
    const rule155 = { ...cross, above: 160 };
    const seen = feed(rule155, [series('RC', [155, 156])]).windows.get('RC');
    expect(windows.get('RC')?.observations.map((x) => x.zone)).toEqual(['HIGH', 'HIGH']);
    const going = evaluate('RC', lower, seen, [tick('RC', 157, T0 + 2000)], BIG);
    expect(going.raised).toEqual([]);
    const again = evaluate('RC', lower, going.next, [tick('RC', 140, T0 + 3000), tick('RC', 151, T0 + 4000)], BIG);
    expect(again.raised.map((r) => [r.alert.price, r.alert.threshold])).toEqual([[151, 150]]);
  });

  it('whatever the changes and the order, every alert agrees with its own threshold, and the window with its rule', () => {
    fc.assert(
      fc.property(
        streams(80),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.record({ above: fc.constantFrom(140, 150, 160), below: fc.constantFrom(45, 50, 55) }), { minLength: 1, maxLength: 6 }),
        fc.func(fc.integer()),
        (ticks, sizes, rules, rank) => {
          const batches = cut(ticks, sizes)
            .map((b, i) => ({ b, r: rank(i) }))
            .sort((x, y) => x.r - y.r)
            .map((x) => x.b);
          const windows = new Map<string, SymbolWindow>();
          batches.forEach((batch, i) => {
            const rule: AlertRule = { ...rules[i % rules.length]!, mode: 'cross' };
            for (const [symbol, group] of Map.groupBy(batch, (t) => t.symbol)) {
              const result = evaluate(symbol, rule, windows.get(symbol), group, BIG);
              for (const { alert } of result.raised) {
                expect(alert.threshold).toBe(alert.alertType === 'HIGH' ? rule.above : rule.below);
                expect(zoneOf(alert.price, rule)).toBe(alert.alertType);
              }
              if (result.next) {
                expect(windowProblems(symbol, result.next, BIG)).toEqual([]);
                expect(result.next.thresholds).toEqual({ above: rule.above, below: rule.below });
                windows.set(symbol, result.next);
              }
            }
          });
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

describe('every mode', () => {
  it('raises one alert per tick in HIGH or LOW, each owned by its tick, and keeps no state', () => {
    const ticks = series('AAPL', [151, 100, 152, 40]);
    const result = evaluate('AAPL', every, undefined, ticks, BIG);
    expect(result.raised.map((r) => `${r.alert.alertType}@${r.alert.price}`)).toEqual(['HIGH@151', 'HIGH@152', 'LOW@40']);
    expect(result.raised.map((r) => r.owner)).toEqual([ticks[0]!.key, ticks[2]!.key, ticks[3]!.key]);
    expect(result.raised.every((r) => r.alert.mode === 'every' && r.alert.alertId === alertId(r.owner, r.alert.alertType))).toBe(true);
    expect(result.next).toBeUndefined();
    expect(result.late).toEqual([]);
    const shuffled = evaluate('AAPL', every, undefined, [ticks[3]!, ticks[0]!, ticks[2]!], BIG);
    expect(shuffled.raised.map((r) => r.alert.price)).toEqual([151, 152, 40]);
  });
});

describe('properties: the alerts are the runs, whatever the delivery', () => {
  it("a tick key is the identity of a price observation, and an alert id the identity of a run's alert", () => {
    expect(tickKey('AAPL', T0, 151)).toBe('34b9d40fbda323105422dde8a78d50fd');
    expect(alertId('34b9d40fbda323105422dde8a78d50fd', 'HIGH')).toBe('7ab4e00f6b1b5aae54b6b60c4769dc97');
    expect(tickKey('AAPL', T0, 151)).not.toBe(tickKey('AAPL', T0 + 1, 151));
  });

  it('gives every alert an owner from the batch that raised it, inside its run or right next to it', () => {
    fc.assert(
      fc.property(
        streams(),
        fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 8 }),
        fc.func(fc.integer()),
        (ticks, sizes, rank) => {
          const batches = cut(ticks, sizes);
          const order = batches
            .map((b, i) => ({ b, r: rank(i) }))
            .sort((x, y) => x.r - y.r)
            .map((x) => x.b);
          const windows = new Map<string, SymbolWindow>();
          for (const batch of order) {
            for (const [symbol, group] of Map.groupBy(batch, (t) => t.symbol)) {
              const result = evaluate(symbol, RULE, windows.get(symbol), group, BIG);
              if (result.next) windows.set(symbol, result.next);
              const keys = result.next?.observations.map((o) => tickKey(symbol, o.eventTime, o.price)) ?? [];
              const zones = result.next?.observations.map((o) => o.zone) ?? [];
              for (const { alert, owner } of result.raised) {
                expect(group.map((t) => t.key)).toContain(owner);
                const at = keys.indexOf(alert.tickKey);
                let end = at;
                while (end + 1 < zones.length && zones[end + 1] === alert.alertType) end++;
                expect(keys.slice(Math.max(0, at - 1), end + 2)).toContain(owner);
              }
            }
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

describe('hysteresis (rearm)', () => {
  const rearm: AlertRule = { ...cross, below: 140, rearm: 0.5 };

  it('alerts once while the price hovers at a threshold, and again only after it came back by the rearm', () => {
    const hovering = series('AAPL', [140.2, 139.9, 140.1, 139.8, 140.3, 139.95, 140.4, 140.6, 139.9, 140.49, 139.7]);
    expect(summary(feed(rearm, [hovering]).alerts)).toEqual(['LOW@139.9', 'LOW@139.9']);
    // Without hysteresis each dip is an alert of its own.
    expect(feed({ ...rearm, rearm: 0 }, [hovering]).alerts).toHaveLength(5);
    // A percentage of the threshold: 0.5% of 140 is 0.7, so 140.6 does not re-arm.
    expect(summary(feed({ ...rearm, rearm: '0.5%' }, [hovering]).alerts)).toEqual(['LOW@139.9']);
  });

  it('a late tick that re-arms splits the run, and one inside the rearm band joins it', () => {
    const [a, b, c] = series('AAPL', [139.9, 140.2, 139.8]);
    const { windows } = feed(rearm, [[a!, c!], [b!]]);
    // 140.2 came back only 0.2: one run, one alert.
    expect(feed(rearm, [[a!, c!], [b!]]).alerts).toHaveLength(1);
    expect(windows.get('AAPL')!.observations.map((o) => o.zone)).toEqual(['LOW', 'LOW', 'LOW']);
    const rearming = tick('AAPL', 141, (a!.eventTime + c!.eventTime) / 2);
    const split = feed(rearm, [[a!, c!], [rearming]]);
    expect(summary(split.alerts)).toEqual(['LOW@139.9', 'LOW@139.8']);
    expect(split.windows.get('AAPL')!.observations.map((o) => o.zone)).toEqual(['LOW', 'NORMAL', 'LOW']);
  });

  it('keeps the zone of the run at the edge of a truncated window, so a run going on past the horizon does not alert again', () => {
    const ticks = series('AAPL', [139.9, 140.2, 140.3, 140.1, 139.8]);
    const { alerts, windows } = feed(
      rearm,
      ticks.map((t) => [t]),
      2,
    );
    expect(summary(alerts)).toEqual(['LOW@139.9']);
    expect(windows.get('AAPL')!.observations.map((o) => o.zone)).toEqual(['LOW', 'LOW']);
  });

  it('a rule change re-decides the zones with the new rearm and raises nothing for what was seen', () => {
    const ticks = series('AAPL', [139.9, 140.3, 139.8]);
    const { windows } = feed({ ...rearm, rearm: 0 }, [ticks]);
    const before = windows.get('AAPL')!;
    expect(before.observations.map((o) => o.zone)).toEqual(['LOW', 'NORMAL', 'LOW']);
    const after = rezoned(before, { above: 150, below: 140, rearm: 0.5 });
    expect(after.observations.map((o) => `${o.zone}${o.marked ? '*' : ''}`)).toEqual(['LOW*', 'LOW', 'LOW']);
    expect(windowProblems('AAPL', after, BIG)).toEqual([]);
    expect(currentZone(before, { above: 150, below: 140, rearm: 0.5 })).toBe('LOW');
    const next = evaluate('AAPL', rearm, before, [tick('AAPL', 140.1, ticks[2]!.eventTime + 1)], BIG);
    expect(next.raised).toEqual([]);
  });

  it('states the zone invariant with the rearm, and names an observation that breaks it', () => {
    const thresholds = { above: 150, below: 140, rearm: 0.5 };
    const o = (eventTime: number, price: number, zone: 'HIGH' | 'LOW' | 'NORMAL', marked = false) => ({ eventTime, price, zone, marked });
    expect(windowProblems('AAPL', { observations: [o(T0, 139, 'LOW', true), o(T0 + 1, 140.2, 'LOW')], truncated: false, thresholds }, 9)).toEqual([]);
    expect(windowProblems('AAPL', { observations: [o(T0, 139, 'LOW', true), o(T0 + 1, 140.2, 'NORMAL')], truncated: false, thresholds }, 9)).toEqual([
      'observation 1 (140.2) is NORMAL under 150/140 rearm 0.5',
    ]);
    // The first observation of a truncated window may carry the run its dropped predecessors started.
    expect(windowProblems('AAPL', { observations: [o(T0, 140.2, 'LOW', true)], truncated: true, thresholds }, 9)).toEqual([]);
    expect(windowProblems('AAPL', { observations: [o(T0, 140.2, 'LOW', true)], truncated: false, thresholds }, 9)).toEqual([
      'observation 0 (140.2) is LOW under 150/140 rearm 0.5',
    ]);
  });
});

describe.each([
  ['thresholds', RULE] as const,
  ...REARM_RULES.map((rule) => [`rearm ${rule.rearm}`, rule] as const),
  ...CROSSING_RULES.map((rule) => [`crossing ${rule.crossing}`, rule] as const),
  ...CHANNEL_RULES.map((rule) => [`a channel, on ${rule.channel}${rule.rearm ? ' with rearm' : ''}`, rule] as const),
  ...EXPIRING_RULES.map((rule) => [`${rule.crossing ? 'a crossing' : 'thresholds'} until T0+${rule.until! - T0} ms`, rule] as const),
])('properties of %s: the alerts are the runs, whatever the delivery', (_, rule) => {
  it('in event-time order, in any batches, the alert ids are exactly those of the definition', () => {
    fc.assert(
      fc.property(streams(), fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 8 }), (stream, sizes) => {
        const ticks = inEventTimeOrder(stream);
        const { alerts } = feed(rule, cut(ticks, sizes));
        expect(alerts.map((a) => a.alertId).sort()).toEqual(truthAlertIds(ticks, rule).sort());
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('in any order, with redelivery, every run has exactly one alert and every alert is a run', () => {
    fc.assert(
      fc.property(
        streams(),
        fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 8 }),
        fc.func(fc.integer()),
        fc.array(fc.nat(), { maxLength: 5 }),
        (ticks, sizes, rank, redelivered) => {
          const batches = cut(ticks, sizes);
          const order = batches
            .map((b, i) => ({ b, r: rank(i) }))
            .sort((x, y) => x.r - y.r)
            .map((x) => x.b);
          for (const i of redelivered) order.push(batches[i % batches.length]!);
          expect(mismatches(feed(rule, order).alerts, truthRuns(ticks, rule))).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });

  it('with a small horizon, the alerts are exactly the runs of the ticks it applied; the rest are reported late', () => {
    fc.assert(
      fc.property(
        streams(),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 5 }),
        fc.func(fc.integer()),
        fc.integer({ min: 1, max: 8 }),
        (ticks, sizes, rank, horizon) => {
          const batches = cut(ticks, sizes);
          const order = batches
            .map((b, i) => ({ b, r: rank(i) }))
            .sort((x, y) => x.r - y.r)
            .map((x) => x.b);
          const { alerts, applied } = feed(rule, order, horizon);
          expect(
            mismatches(
              alerts,
              truthRuns(
                ticks.filter((t) => applied.has(t.key)),
                rule,
              ),
            ),
          ).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

describe('expiry (until)', () => {
  it('raises nothing for a run that starts after the expiry, until a late tick moves its start back before it', () => {
    const ticks = series('AAPL', [151, 100, 152, 153]);
    const rule = { ...cross, until: ticks[1]!.eventTime + 500 };
    const first = feed(rule, [[ticks[0]!, ticks[1]!, ticks[3]!]]);
    expect(summary(first.alerts)).toEqual(['HIGH@151']);
    // 152 is between 100 and 153, after the expiry: the run 152, 153 still starts after it.
    expect(evaluate('AAPL', rule, first.windows.get('AAPL'), [ticks[2]!], BIG).raised).toEqual([]);
    // A late tick at the expiry itself, after 100, starts a run by then that 153 joins: its alert is raised.
    const atExpiry = tick('AAPL', 160, rule.until);
    expect(summary(evaluate('AAPL', rule, first.windows.get('AAPL'), [atExpiry], BIG).raised.map((r) => r.alert))).toEqual(['HIGH@160']);
    expect(summary(feed({ ...every, until: ticks[1]!.eventTime }, [ticks]).alerts)).toEqual(['HIGH@151']);
  });
});

describe('a channel', () => {
  const on = (channel: 'entering' | 'exiting' | 'inside' | 'outside') =>
    resolveRule(cross, { kind: 'channel', below: 140, above: 150, on: channel }).rule;
  const ticks = series('AAPL', [145, 151, 152, 148, 139, 141, 160]);
  const alerts = (channel: Parameters<typeof on>[0]) => feed(on(channel), [ticks]).alerts.map((a) => `${a.alertType}@${a.price}>${a.threshold}`);

  it('alerts on going in, going out, each stretch in or each stretch out, as asked', () => {
    expect(alerts('entering')).toEqual(['INSIDE@148>150', 'INSIDE@141>140']);
    expect(alerts('exiting')).toEqual(['HIGH@151>150', 'LOW@139>140', 'HIGH@160>150']);
    expect(alerts('inside')).toEqual(['INSIDE@145>150', 'INSIDE@148>150', 'INSIDE@141>140']);
    expect(alerts('outside')).toEqual(['HIGH@151>150', 'LOW@139>140', 'HIGH@160>150']);
    expect(feed(on('inside'), [ticks]).alerts.every((a) => a.kind === 'channel' && a.mode === 'cross')).toBe(true);
  });

  it('entering needs a stretch out before it: a late tick out of the channel before the first one in makes it an entry', () => {
    const first = feed(on('entering'), [[ticks[0]!]]);
    expect(first.alerts).toEqual([]);
    const before = tick('AAPL', 155, ticks[0]!.eventTime - 1);
    expect(
      evaluate('AAPL', on('entering'), first.windows.get('AAPL'), [before], BIG).raised.map((r) => [r.alert.alertType, r.alert.price, r.owner]),
    ).toEqual([['INSIDE', 145, before.key]]);
  });

  it('is one kind for the parser: its band, what alerts, and a rearm only on outside', () => {
    expect(on('exiting')).toEqual({ above: 150, below: 140, mode: 'cross', channel: 'exiting' });
    expect(describeRule(on('exiting'))).toBe('channel 140 to 150, on exiting');
    expect(resolveRule(cross, { kind: 'channel', on: 'inside' }).rule).toEqual({ above: 150, below: 50, mode: 'cross', channel: 'inside' });
    expect(resolveRule(cross, { kind: 'channel', below: 140 })).toEqual({
      rule: cross,
      problem: 'rule override ignored: a channel rule needs on (entering, exiting, inside, outside)',
    });
    expect(resolveRule(cross, { kind: 'channel', on: 'inside', mode: 'every' })).toEqual({
      rule: cross,
      problem: 'rule override ignored: mode is not part of a channel rule: it takes above, below, rearm and on',
    });
    expect(resolveRule(cross, { on: 'inside' }).problem).toBe('rule override ignored: on belongs to a channel rule: give kind channel');
    expect(resolveRule(cross, { kind: 'channel', on: 'entering', rearm: 1 }).problem).toBe(
      'rule override ignored: rearm (1) applies to a channel on outside only: a late tick could take back what a re-armed channel stretch in it raised',
    );
    expect(resolveRule(cross, { kind: 'channel', on: 'outside', rearm: 1 }).rule).toMatchObject({ channel: 'outside', rearm: 1 });
  });
});

describe('crosses a level', () => {
  const up = crossesRule(150, 'up');
  const either = crossesRule(150);

  it('alerts at each crossing, not for where the price starts; a tick on the level is a side of neither', () => {
    const ticks = series('AAPL', [151, 149, 150, 152, 153, 150, 150.5, 149.5]);
    expect(summary(feed(either, [ticks]).alerts)).toEqual(['LOW@149', 'HIGH@152', 'HIGH@150.5', 'LOW@149.5']);
    expect(summary(feed(up, [ticks]).alerts)).toEqual(['HIGH@152', 'HIGH@150.5']);
    expect(summary(feed(crossesRule(150, 'down'), [ticks]).alerts)).toEqual(['LOW@149', 'LOW@149.5']);
    expect(feed(up, [ticks]).alerts.every((a) => a.threshold === 150 && a.mode === 'cross' && a.kind === 'crosses')).toBe(true);
    expect(feed(cross, [ticks]).alerts.every((a) => a.kind === undefined)).toBe(true);
  });

  it('a late tick before the first run makes it a crossing; one inside a run splits it into two', () => {
    const [a, b] = series('AAPL', [151, 152]);
    const first = feed(up, [[a!, b!]]);
    expect(first.alerts).toEqual([]);
    const before = tick('AAPL', 149, a!.eventTime - 1);
    const late = evaluate('AAPL', up, first.windows.get('AAPL'), [before], BIG);
    expect(late.raised.map((r) => [r.alert.price, r.owner])).toEqual([[151, before.key]]);
    const dip = tick('AAPL', 140, (a!.eventTime + b!.eventTime) / 2);
    expect(summary(evaluate('AAPL', up, late.next, [dip], BIG).raised.map((r) => r.alert))).toEqual(['HIGH@152']);
  });

  it('is refused by the one parser when mixed with thresholds, and needs its level', () => {
    expect(resolveRule(cross, { kind: 'crosses', level: 150, direction: 'up' })).toEqual({ rule: up });
    expect(resolveRule(cross, { kind: 'crosses', level: 150 })).toEqual({ rule: either });
    expect(resolveRule(cross, { kind: 'crosses' })).toEqual({ rule: cross, problem: 'rule override ignored: a crosses rule needs a level' });
    expect(resolveRule(cross, { kind: 'crosses', level: 150, above: 160, mode: 'every' })).toEqual({
      rule: cross,
      problem: 'rule override ignored: above and mode are not part of a crosses rule: it takes level and direction',
    });
    expect(resolveRule(cross, { level: 150 })).toEqual({
      rule: cross,
      problem: 'rule override ignored: level belongs to a crosses rule: give kind crosses',
    });
    expect(describeRule(up)).toBe('crosses 150, direction up');
  });
});
