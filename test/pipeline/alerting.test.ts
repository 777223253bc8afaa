import { describe, expect, it, vi } from 'vitest';
import { MemoryAlertStore, MemoryRuleStateStore, SilentNotifier } from '../../src/adapters/memory/index.js';
import { alertId, tickKey, type Tick } from '../../src/domain/index.js';
import { raiseAlerts, type AlertingPorts, type RuleStateStore } from '../../src/pipeline/index.js';
import { LIMITS, RecordingNotifier, forever } from '../support/fakes.js';
import { T0, tick } from '../support/ticks.js';

const RULE = { above: 150, below: 50, mode: 'cross' as const };
const ports = (overrides: Partial<AlertingPorts> = {}): AlertingPorts => ({
  rules: new MemoryRuleStateStore(),
  alerts: new MemoryAlertStore(),
  notifier: new SilentNotifier(),
  defaultRule: RULE,
  limits: LIMITS,
  ...overrides,
});
const log = () => ({ warn: vi.fn(), error: vi.fn() });

describe('raiseAlerts', () => {
  it('reads nothing for an empty batch', async () => {
    const rules = new MemoryRuleStateStore();
    const load = vi.spyOn(rules, 'load');
    expect(await raiseAlerts([], ports({ rules }), forever, log())).toEqual(new Map());
    expect(load).not.toHaveBeenCalled();
  });

  it('asks whether pending alerts were delivered only when something is pending', async () => {
    const alerts = new MemoryAlertStore();
    const recorded = vi.spyOn(alerts, 'recorded');
    const p = ports({ alerts });
    await raiseAlerts([tick('AAPL', 100, T0)], p, forever, log(), T0);
    expect(recorded).not.toHaveBeenCalled();
    await raiseAlerts([tick('AAPL', 151, T0 + 1000)], p, forever, log(), T0);
    await raiseAlerts([tick('AAPL', 152, T0 + 2000)], p, forever, log(), T0);
    expect(recorded).toHaveBeenCalledTimes(1);
  });

  it('forgets nothing, and says so, when it cannot tell whether pending alerts were delivered', async () => {
    const alerts = new MemoryAlertStore();
    const rules = new MemoryRuleStateStore();
    const l = log();
    const p = ports({ alerts, rules });
    await raiseAlerts([tick('AAPL', 151, T0)], p, forever, l, T0);
    vi.spyOn(alerts, 'recorded').mockRejectedValueOnce(new Error('throttled'));
    await raiseAlerts([tick('AAPL', 152, T0 + 1000)], p, forever, l, T0);
    expect(l.warn).toHaveBeenCalledWith('pending alerts not checked for delivery', { alerts: 1, reason: 'throttled' });
    expect((await rules.current('AAPL')).pending.map((x) => x.alert.alertId)).toEqual([alertId(tickKey('AAPL', T0, 151), 'HIGH')]);
    await raiseAlerts([tick('AAPL', 153, T0 + 2000)], p, forever, l, T0);
    expect((await rules.current('AAPL')).pending).toEqual([]);
  });

  it('keeps a pending alert up to its retention, to the millisecond, and drops it after, logged as lost', async () => {
    const rules = new MemoryRuleStateStore();
    const alerts = new MemoryAlertStore();
    vi.spyOn(alerts, 'recorded').mockResolvedValue(new Set());
    const down = { notify: async (a: readonly { alertId: string }[]) => new Map(a.map((x) => [x.alertId, 'down'])) };
    const p = ports({ rules, alerts, notifier: down });
    const l = log();
    await raiseAlerts([tick('AAPL', 151, T0)], p, forever, l, T0);
    await raiseAlerts([tick('AAPL', 100, T0 + 1)], p, forever, l, T0 + LIMITS.pendingRetentionMs);
    expect((await rules.current('AAPL')).pending).toHaveLength(1);
    await raiseAlerts([tick('AAPL', 100, T0 + 2)], p, forever, l, T0 + LIMITS.pendingRetentionMs + 1);
    expect((await rules.current('AAPL')).pending).toEqual([]);
    expect(l.error).toHaveBeenCalledWith('pending alert dropped undelivered after the retention period', {
      symbol: 'AAPL',
      alertId: alertId(tickKey('AAPL', T0, 151), 'HIGH'),
      raisedAt: T0,
    });
  });

  it('lets a symbol over its pending limit go on when the batch raises nothing new', async () => {
    const rules = new MemoryRuleStateStore();
    const down = { notify: async (a: readonly { alertId: string }[]) => new Map(a.map((x) => [x.alertId, 'down'])) };
    await raiseAlerts(
      [tick('AAPL', 151, T0), tick('AAPL', 100, T0 + 1000), tick('AAPL', 152, T0 + 2000)],
      ports({ rules, notifier: down }),
      forever,
      log(),
      T0,
    );
    expect((await rules.current('AAPL')).pending).toHaveLength(2);
    const strict = ports({ rules, notifier: down, limits: { ...LIMITS, maxPending: 1 } });
    const quiet = await raiseAlerts([tick('AAPL', 153, T0 + 3000)], strict, forever, log(), T0);
    expect(quiet.get(tick('AAPL', 153, T0 + 3000).key)).toEqual({ ok: true, alerts: [], raised: [], late: false });
  });

  it('hands its ticks over after a lost race and folds them at once, never sleeping', async () => {
    const inner = new MemoryRuleStateStore();
    const p = ports({ rules: inner });
    let raced = false;
    const rules: RuleStateStore = {
      load: (s, d) => inner.load(s, d),
      handOver: vi.fn((s: string, t: readonly Tick[], d) => inner.handOver(s, t, d)),
      saveState: async (s, read, c, d) => {
        // Another batch writes the symbol between this one's read and its write.
        if (!raced) {
          raced = true;
          await raiseAlerts([tick('AAPL', 100, T0 + 2000)], p, forever, log(), T0);
        }
        return inner.saveState(s, read, c, d);
      },
    };
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const outcomes = await raiseAlerts([tick('AAPL', 151, T0)], ports({ rules }), forever, log(), T0);
    expect([...outcomes.values()]).toMatchObject([{ ok: true, raised: [{ price: 151 }], late: false }]);
    expect(rules.handOver).toHaveBeenCalledTimes(1);
    expect(timers).not.toHaveBeenCalled();
    timers.mockRestore();
    const state = await inner.current('AAPL');
    expect(state).toMatchObject({ inbox: [], version: 2 });
    expect(state.window?.observations.map((o) => o.price)).toEqual([151, 100]);
  });

  it('delivers what its handed-over ticks owe when another batch folded them, and that batch does not', async () => {
    const inner = new MemoryRuleStateStore();
    const theirs = new RecordingNotifier();
    const mine = new RecordingNotifier();
    const alerts = new MemoryAlertStore();
    const other = ports({ rules: inner, alerts, notifier: theirs });
    let step = 0;
    const rules: RuleStateStore = {
      load: (s, d) => inner.load(s, d),
      handOver: (s, t, d) => inner.handOver(s, t, d),
      saveState: async (s, read, c, d) => {
        step++;
        // First: another batch wins the race. Second: yet another folds what this one handed over, first.
        if (step <= 2) await raiseAlerts([tick('AAPL', 100, T0 + step * 1000)], other, forever, log(), T0);
        return inner.saveState(s, read, c, d);
      },
    };
    const handed = tick('AAPL', 151, T0);
    const outcomes = await raiseAlerts([handed], ports({ rules, alerts, notifier: mine }), forever, log(), T0);
    const id = alertId(handed.key, 'HIGH');
    expect(outcomes.get(handed.key)).toMatchObject({ ok: true, alerts: [{ alertId: id }], raised: [{ alertId: id }], late: false });
    expect(mine.sent.map((a) => a.alertId)).toEqual([id]);
    expect(theirs.sent).toEqual([]);
    expect((await inner.current('AAPL')).window?.observations.map((o) => o.price)).toEqual([151, 100, 100]);
  });

  it("delivers another tick's alert once it is overdue, and fails its own ticks while that delivery fails", async () => {
    const rules = new MemoryRuleStateStore();
    const notifier = new RecordingNotifier();
    const p = ports({ rules, notifier });
    const owner = tick('AAPL', 151, T0);
    const id = alertId(owner.key, 'HIGH');
    notifier.failing.add(id);
    expect((await raiseAlerts([owner], p, forever, log(), T0)).get(owner.key)).toMatchObject({ ok: false });
    // Within the raiser's grace another batch leaves it alone; after it, any batch of the symbol delivers it.
    const early = tick('AAPL', 100, T0 + 1000);
    expect((await raiseAlerts([early], p, forever, log(), T0 + LIMITS.deliveryGraceMs)).get(early.key)).toEqual({
      ok: true,
      alerts: [],
      raised: [],
      late: false,
    });
    const late = tick('AAPL', 100, T0 + 2000);
    expect((await raiseAlerts([late], p, forever, log(), T0 + LIMITS.deliveryGraceMs + 1)).get(late.key)).toEqual({
      ok: false,
      reason: 'notification not accepted: InternalError',
    });
    notifier.failing.clear();
    expect((await raiseAlerts([late], p, forever, log(), T0 + LIMITS.deliveryGraceMs + 1)).get(late.key)).toMatchObject({ ok: true });
    expect(notifier.sent.map((a) => a.alertId)).toEqual([id]);
  });

  it('lets a redriven message claim what it owed under its old key, through its source', async () => {
    const rules = new MemoryRuleStateStore();
    const notifier = new RecordingNotifier();
    const p = ports({ rules, notifier });
    const first: Tick = { ...tick('AAPL', 151, T0), source: 'message-1' };
    const id = alertId(first.key, 'HIGH');
    notifier.failing.add(id);
    await raiseAlerts([first], p, forever, log(), T0);
    notifier.failing.clear();
    // SQS's redrive re-times the message: a new observation with a new key, the same body.
    const redriven: Tick = { ...tick('AAPL', 151, T0 + 60_000), source: 'message-1' };
    const outcome = (await raiseAlerts([redriven], p, forever, log(), T0 + 60_000)).get(redriven.key);
    expect(outcome).toMatchObject({ ok: true, alerts: [{ alertId: id }] });
    expect(notifier.sent.map((a) => a.alertId)).toEqual([id]);
  });

  it('counts only overdue alerts against the pending limit', async () => {
    const rules = new MemoryRuleStateStore();
    const notifier = new RecordingNotifier();
    const p = ports({ rules, notifier, limits: { ...LIMITS, maxPending: 1 } });
    const ticks = [tick('AAPL', 151, T0), tick('AAPL', 100, T0 + 1000), tick('AAPL', 152, T0 + 2000), tick('AAPL', 100, T0 + 3000)];
    ticks.filter((t) => t.price > 150).forEach((t) => notifier.failing.add(alertId(t.key, 'HIGH')));
    await raiseAlerts(ticks.slice(0, 2), p, forever, log(), T0);
    // One pending, not yet overdue: a new alert is still taken.
    expect((await raiseAlerts(ticks.slice(2), p, forever, log(), T0)).get(ticks[3]!.key)).toMatchObject({ ok: true });
    expect((await rules.current('AAPL')).pending).toHaveLength(2);
    const next = tick('AAPL', 153, T0 + 4000);
    expect((await raiseAlerts([next], p, forever, log(), T0 + LIMITS.deliveryGraceMs + 1)).get(next.key)).toEqual({
      ok: false,
      reason: 'alert state not updated: 2 alerts of AAPL are still waiting for delivery; new alerts wait until they are delivered',
    });
  });

  it('takes a symbol the store did not answer for as new', async () => {
    const inner = new MemoryRuleStateStore();
    const rules: RuleStateStore = {
      load: async () => new Map(),
      handOver: (s, t, d) => inner.handOver(s, t, d),
      saveState: (s, v, c, d) => inner.saveState(s, v, c, d),
    };
    const outcomes = await raiseAlerts([tick('AAPL', 151, T0)], ports({ rules }), forever, log(), T0);
    expect([...outcomes.values()]).toMatchObject([{ ok: true, raised: [{ price: 151 }] }]);
    expect((await inner.current('AAPL')).version).toBe(1);
  });

  it('warns about a rule only when it is unusable', async () => {
    const l = log();
    const rules = new MemoryRuleStateStore(
      new Map([
        ['AAPL', { above: 200 }],
        ['BAD', { below: 300 }],
      ]),
    );
    await raiseAlerts([tick('AAPL', 151, T0), tick('BAD', 151, T0)], ports({ rules }), forever, l, T0);
    expect(l.warn.mock.calls).toEqual([
      ['invalid alert rule', { symbol: 'BAD', problem: 'rule override ignored: below (300) must be less than above (150)' }],
    ]);
  });
});
