import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryAlertStore, MemoryRuleStateStore, SilentNotifier } from '../../src/adapters/memory/index.js';
import { alertId, tickKey } from '../../src/domain/index.js';
import { contentionPause, raiseAlerts, type AlertingPorts, type RuleStateStore } from '../../src/pipeline/index.js';
import { LIMITS, forever } from '../support/fakes.js';
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
const log = () => ({ warn: vi.fn() });

describe('contentionPause', () => {
  afterEach(() => vi.useRealTimers());

  it('waits a full-jitter share of 10 ms doubling per attempt, at most 250 ms and a quarter of the time left', async () => {
    vi.useFakeTimers();
    const waited = async (attempt: number, remainingMs: number, random: number) => {
      const spy = vi.spyOn(globalThis, 'setTimeout');
      const pause = contentionPause(attempt, { remainingMs: () => remainingMs }, () => random);
      const ms = spy.mock.calls[0]![1];
      spy.mockRestore();
      await vi.runAllTimersAsync();
      await pause;
      return ms;
    };
    expect(await waited(1, 60_000, 0.999)).toBe(19);
    expect(await waited(3, 60_000, 0.5)).toBe(40);
    expect(await waited(10, 60_000, 0.999)).toBe(249);
    expect(await waited(10, 40, 0.999)).toBe(10);
    expect(await waited(2, -5, 0.999)).toBe(0);
  });
});

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
    expect((await rules.reload('AAPL')).pending.map((x) => x.alert.alertId)).toEqual([alertId(tickKey('AAPL', T0, 151), 'HIGH')]);
    await raiseAlerts([tick('AAPL', 153, T0 + 2000)], p, forever, l, T0);
    expect((await rules.reload('AAPL')).pending).toEqual([]);
  });

  it('keeps a pending alert up to its retention, to the millisecond, and drops it after', async () => {
    const rules = new MemoryRuleStateStore();
    const alerts = new MemoryAlertStore();
    vi.spyOn(alerts, 'recorded').mockResolvedValue(new Set());
    const p = ports({ rules, alerts });
    await raiseAlerts([tick('AAPL', 151, T0)], p, forever, log(), T0);
    await raiseAlerts([tick('AAPL', 152, T0 + 1)], p, forever, log(), T0 + LIMITS.pendingRetentionMs);
    expect((await rules.reload('AAPL')).pending).toHaveLength(1);
    await raiseAlerts([tick('AAPL', 153, T0 + 2)], p, forever, log(), T0 + LIMITS.pendingRetentionMs + 1);
    expect((await rules.reload('AAPL')).pending).toEqual([]);
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
    expect((await rules.reload('AAPL')).pending).toHaveLength(2);
    const strict = ports({ rules, notifier: down, limits: { ...LIMITS, maxPending: 1 } });
    const quiet = await raiseAlerts([tick('AAPL', 153, T0 + 3000)], strict, forever, log(), T0);
    expect(quiet.get(tick('AAPL', 153, T0 + 3000).key)).toEqual({ ok: true, alerts: [], raised: [], late: false });
  });

  it('waits between lost races with the default pause when none is given', async () => {
    let conflicts = 2;
    const inner = new MemoryRuleStateStore();
    const rules: RuleStateStore = {
      load: (s, d) => inner.load(s, d),
      reload: (s, d) => inner.reload(s, d),
      saveState: async (s, v, c, d) => (conflicts-- > 0 ? 'conflict' : inner.saveState(s, v, c, d)),
    };
    const outcomes = await raiseAlerts([tick('AAPL', 151, T0)], ports({ rules }), forever, log(), T0);
    expect([...outcomes.values()]).toMatchObject([{ ok: true, raised: [{ price: 151 }] }]);
  });

  it('takes a symbol the store did not answer for as new', async () => {
    const inner = new MemoryRuleStateStore();
    const rules: RuleStateStore = {
      ...inner,
      load: async () => new Map(),
      reload: (s, d) => inner.reload(s, d),
      saveState: (s, v, c, d) => inner.saveState(s, v, c, d),
    };
    const outcomes = await raiseAlerts([tick('AAPL', 151, T0)], ports({ rules }), forever, log(), T0);
    expect([...outcomes.values()]).toMatchObject([{ ok: true, raised: [{ price: 151 }] }]);
    expect((await inner.reload('AAPL')).version).toBe(1);
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
