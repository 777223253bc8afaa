import { describe, expect, it } from 'vitest';
import { MemoryAlertStore, MemoryRuleStateStore, SilentNotifier, memoryAlertingPorts } from '../../../src/adapters/memory/index.js';
import type { Alert } from '../../../src/domain/index.js';
import { processTicks, type TickMessage } from '../../../src/pipeline/index.js';
import { LIMITS, forever, silentLog } from '../../support/fakes.js';
import { tick } from '../../support/ticks.js';

const T0 = Date.UTC(2026, 10, 20, 14, 30);
const alert = (alertId: string): Alert => ({
  alertId,
  symbol: 'AAPL',
  alertType: 'HIGH',
  price: 151,
  threshold: 150,
  mode: 'cross',
  eventTime: T0,
  tickKey: 'k',
});
const window = { observations: [{ eventTime: T0, price: 151, zone: 'HIGH' as const, marked: true }], truncated: false };

describe('in-memory rule state store', () => {
  it('starts each symbol at version 0 with its override, and saves only on the version and inbox it read', async () => {
    const store = new MemoryRuleStateStore(new Map([['AAPL', { above: 152 }]]));
    const loaded = await store.load(['AAPL', 'MSFT']);
    const first = loaded.get('AAPL')!;
    expect(first).toEqual({ rule: { above: 152 }, pending: [], inbox: [], version: 0 });
    expect(loaded.get('MSFT')).toEqual({ pending: [], inbox: [], version: 0 });
    expect(await store.saveState('AAPL', first, { window, pending: [] })).toBe('saved');
    expect(await store.saveState('AAPL', first, { window, pending: [] })).toBe('conflict');
    const saved = await store.current('AAPL');
    expect(saved).toEqual({ rule: { above: 152 }, window, pending: [], inbox: [], version: 1 });
    const handed = await store.handOver('AAPL', { ticks: [tick('AAPL', 151, T0 + 1000)], thresholds: { above: 150, below: 50 }, at: T0 });
    expect(handed).toMatchObject({ inbox: [{ ticks: [{ price: 151 }] }], version: 1 });
    expect(await store.saveState('AAPL', first, { window, pending: [] })).toBe('conflict');
    expect(await store.saveState('AAPL', handed, { window, pending: [] })).toBe('saved');
    expect(await store.current('AAPL')).toMatchObject({ inbox: [], version: 2 });
    expect(await store.saveState('MSFT', loaded.get('MSFT')!, { window, pending: [] })).toBe('saved');
    expect(store.size).toBe(2);
  });
});

describe('in-memory alert store', () => {
  it('records an alert id once, hands each alert out once, and knows what it recorded', async () => {
    const seen: string[] = [];
    const store = new MemoryAlertStore((a) => seen.push(a.alertId));
    expect(await store.putAlerts([alert('a'), alert('b')])).toEqual(new Map());
    expect(await store.putAlerts([alert('b'), alert('c')])).toEqual(new Map());
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(store.size).toBe(3);
    expect(await store.recorded([alert('a'), alert('z')])).toEqual(new Set(['a']));
    expect(await new SilentNotifier().notify([alert('a')])).toEqual(new Map());
  });
});

describe('the pipeline on in-memory ports', () => {
  it('raises one alert per run of HIGH ticks, whatever the batch split, with the ids the engine derives', async () => {
    const message = (i: number, price: number): TickMessage => ({
      messageId: `m${i}`,
      body: JSON.stringify({ symbol: 'AAPL', price, timestamp: T0 + i * 1000 }),
      sentTimestamp: T0,
    });
    const prices = [149, 151, 152, 149, 153, 154];
    const raised: Alert[] = [];
    const ports = memoryAlertingPorts({ defaultRule: { above: 150, below: 50, mode: 'cross' }, limits: LIMITS, onAlert: (a) => raised.push(a) });
    // Newest batch first: the engine orders by event time, so the runs are the same.
    const outcomes = [
      ...(await processTicks(
        prices.slice(3).map((p, i) => message(i + 3, p)),
        ports,
        forever,
        silentLog,
        T0 + 60_000,
      )),
      ...(await processTicks(
        prices.slice(0, 3).map((p, i) => message(i, p)),
        ports,
        forever,
        silentLog,
        T0 + 60_000,
      )),
    ];
    expect(outcomes.every((o) => o.status === 'ok')).toBe(true);
    expect(raised.map((a) => [a.price, new Date(a.eventTime).toISOString()])).toEqual([
      [153, '2026-11-20T14:30:04.000Z'],
      [151, '2026-11-20T14:30:01.000Z'],
    ]);
    // A redelivered batch raises nothing new.
    await processTicks(
      prices.slice(0, 3).map((p, i) => message(i, p)),
      ports,
      forever,
      silentLog,
      T0 + 60_000,
    );
    expect(raised).toHaveLength(2);
  });
});
