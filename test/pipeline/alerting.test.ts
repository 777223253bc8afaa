import { PipelineFailure } from '../../src/pipeline/failures.js';
import { describe, expect, it, vi } from 'vitest';
import { MemoryAlertStore, MemoryRuleStateStore, SilentNotifier } from '../../src/adapters/memory/index.js';
import { alertId, tickKey, type Tick } from '../../src/domain/index.js';
import {
  COMPACT_AT,
  raiseAlerts,
  type AlertingPorts,
  type HandOver,
  type RuleStateStore,
  type StateChange,
  type SymbolRecord,
} from '../../src/pipeline/index.js';
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
    const down = {
      notify: async (a: readonly { alertId: string }[]) => new Map(a.map((x) => [x.alertId, new PipelineFailure('notification', 'down')])),
    };
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
    const down = {
      notify: async (a: readonly { alertId: string }[]) => new Map(a.map((x) => [x.alertId, new PipelineFailure('notification', 'down')])),
    };
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

  it('hands its ticks over after a lost race, learns from the inbox what they raise, and never retries or sleeps', async () => {
    const inner = new MemoryRuleStateStore();
    const p = ports({ rules: inner });
    let raced = false;
    const rules: RuleStateStore = {
      load: (s, d) => inner.load(s, d),
      handOver: vi.fn((s: string, h: HandOver, d) => inner.handOver(s, h, d)),
      saveState: vi.fn(async (s: string, read: SymbolRecord, c: StateChange, d) => {
        // Another batch writes the symbol between this one's read and its write.
        if (!raced) {
          raced = true;
          await raiseAlerts([tick('AAPL', 100, T0 + 2000)], p, forever, log(), T0);
        }
        return inner.saveState(s, read, c, d);
      }),
    };
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const notifier = new RecordingNotifier();
    const first = tick('AAPL', 151, T0);
    const outcomes = await raiseAlerts([first], ports({ rules, notifier }), forever, log(), T0 + 10);
    expect(outcomes.get(first.key)).toMatchObject({ ok: true, alerts: [{ price: 151 }], raised: [{ price: 151 }], late: false });
    expect(notifier.sent.map((a) => a.price)).toEqual([151]);
    expect(rules.saveState).toHaveBeenCalledTimes(1);
    expect(rules.handOver).toHaveBeenCalledWith('AAPL', { ticks: [first], thresholds: { above: 150, below: 50 }, at: T0 + 10 }, forever);
    expect(timers).not.toHaveBeenCalled();
    timers.mockRestore();
    // While the inbox holds hand-overs, later batches hand over too, in turn; the COMPACT_AT-th takes them all in.
    expect((await inner.current('AAPL')).inbox).toHaveLength(1);
    for (let i = 1; i < COMPACT_AT; i++) await raiseAlerts([tick('AAPL', 100, T0 + 2000 + i * 1000)], p, forever, log(), T0 + 20);
    const state = await inner.current('AAPL');
    expect(COMPACT_AT).toBe(4);
    expect(state).toMatchObject({ inbox: [], version: 2 });
    expect(state.window?.observations.map((o) => o.price)).toEqual([151, 100, 100, 100, 100]);
    expect(state.pending.map((x) => x.alert.price)).toEqual([151]);
  });

  it('draws the same alerts from an inbox whoever reads it: each hand-over in turn, under its own thresholds', async () => {
    const inner = new MemoryRuleStateStore();
    const theirs = new RecordingNotifier();
    const other = ports({ rules: inner, notifier: theirs });
    // Two hand-overs: a run of 151s judged by above 150, then a tick judged by above 160.
    await inner.handOver('AAPL', { ticks: [tick('AAPL', 151, T0), tick('AAPL', 152, T0 + 1000)], thresholds: { above: 150, below: 50 }, at: T0 });
    await inner.handOver('AAPL', { ticks: [tick('AAPL', 155, T0 + 500)], thresholds: { above: 160, below: 50 }, at: T0 + 1 });
    await inner.handOver('AAPL', { ticks: [tick('AAPL', 100, T0 + 1500)], thresholds: { above: 150, below: 50 }, at: T0 + 2 });
    // The fourth hand-over takes the inbox into the window.
    const folder = tick('AAPL', 100, T0 + 2000);
    expect((await raiseAlerts([folder], other, forever, log(), T0 + 5)).get(folder.key)).toEqual({ ok: true, alerts: [], raised: [], late: false });
    // The folder delivers only what its own ticks owe; the first hand-over's alert waits for its owner.
    expect(theirs.sent).toEqual([]);
    const state = await inner.current('AAPL');
    expect(state.pending.map((p) => [p.alert.price, p.alert.threshold, p.owner, p.raisedAt])).toEqual([[151, 150, tick('AAPL', 151, T0).key, T0]]);
    // Under 160 the 155 is NORMAL and raises nothing; the next hand-over, under 150 again, finds one run that has
    // alerted (a rule change raises nothing for what was seen).
    expect(state.window?.observations.map((o) => `${o.price}:${o.zone}`)).toEqual(['151:HIGH', '155:HIGH', '152:HIGH', '100:NORMAL', '100:NORMAL']);
    expect(state.inbox).toEqual([]);
    // Its owner, redelivered, claims it.
    const owner = tick('AAPL', 151, T0);
    const mine = new RecordingNotifier();
    expect((await raiseAlerts([owner], ports({ rules: inner, notifier: mine }), forever, log(), T0 + 6)).get(owner.key)).toMatchObject({
      ok: true,
      alerts: [{ price: 151, threshold: 150 }],
    });
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
      failure: expect.objectContaining({ stage: 'notification', message: 'notification not accepted: InternalError' }),
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
      failure: expect.objectContaining({
        stage: 'backlog',
        message: '2 alerts of AAPL are still waiting for delivery; new alerts wait until they are delivered',
      }),
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

  it("applies the default rule to a stored override the rule's parser refused, and warns with why", async () => {
    const l = log();
    const rules = new (class extends MemoryRuleStateStore {
      override async load(symbols: readonly string[]) {
        const records = await super.load(symbols);
        for (const [symbol, record] of records) records.set(symbol, { ...record, ruleProblem: 'above: must be greater than 0' });
        return records;
      }
    })();
    const outcomes = await raiseAlerts([tick('ODD', 151, T0)], ports({ rules }), forever, l, T0);
    expect([...outcomes.values()]).toMatchObject([{ ok: true, raised: [{ alertType: 'HIGH', threshold: 150 }] }]);
    expect(l.warn.mock.calls).toEqual([['invalid alert rule', { symbol: 'ODD', problem: 'rule override ignored: above: must be greater than 0' }]]);
  });
});
