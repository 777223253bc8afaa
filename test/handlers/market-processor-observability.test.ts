import { PipelineFailure } from '../../src/pipeline/failures.js';
import { describe, expect, it } from 'vitest';
import { memoryAlertingPorts } from '../../src/adapters/memory/index.js';
import { MARKET_EVENT_ROUTING } from '../../src/handlers/config.js';
import { createMarketProcessorHandler } from '../../src/handlers/market-processor.js';
import { SAFETY_MARGIN_MS } from '../../src/handlers/time-budget.js';
import type { Tick } from '../../src/domain/index.js';
import type { MarketEventPorts } from '../../src/pipeline/index.js';
import { capturedLogs } from '../support/captured-logs.js';
import { LIMITS, RecordingDeadLetters } from '../support/fakes.js';
import { lambdaContext, marketEvent } from '../support/lambda.js';

const trade = (id: string, price: number) => marketEvent(id, 'Trade Execution', { exchange: 'NYSE', symbol: 'OBS', price, volume: 1 });

describe('market-processor: logs and metrics', () => {
  const captured = capturedLogs();
  const setup = (overrides: Partial<MarketEventPorts> = {}, onLate?: (eventId: string, tick: Tick) => void) => {
    const stored = new Set<string>();
    const ports: MarketEventPorts = {
      ...memoryAlertingPorts({ defaultRule: { above: 150, below: 50, mode: 'cross' }, limits: LIMITS }),
      marketData: { putEvent: async (e) => (stored.has(e.eventId) ? 'exists' : (stored.add(e.eventId), 'created')) },
      audit: { record: async () => {} },
      deadLetters: new RecordingDeadLetters(),
      routing: MARKET_EVENT_ROUTING,
      ...overrides,
    };
    let now = Date.now();
    return createMarketProcessorHandler({
      ports,
      observability: captured.observability('market-processor'),
      clock: () => (now += 7),
      ...(onLate && { onLate }),
    });
  };

  it('logs each raised alert with the event id and counts stored events, alerts and latency', async () => {
    const run = setup();
    const event = trade('evt-1', 151);
    expect(await run(event, lambdaContext())).toMatchObject({ status: 'processed', stored: 'created' });
    expect(await run(event, lambdaContext())).toMatchObject({ status: 'processed', stored: 'exists', alertIds: [] });
    expect(captured.logs('alert raised')).toEqual([
      expect.objectContaining({ level: 'INFO', eventId: 'evt-1', symbol: 'OBS', alertType: 'HIGH', function_request_id: 'req-1' }),
    ]);
    expect(captured.metrics().map((m) => [m.MarketEventsStored, m.AlertsRaised, m.LateTicks, m.ProcessingLatency])).toEqual([
      [1, 1, 0, 14],
      [0, 0, 0, 14],
    ]);
  });

  it('logs a price beyond the lateness horizon as a late tick, counts it, and tells the runtime; the event is still stored', async () => {
    const late: [string, Tick][] = [];
    const stored: string[] = [];
    const run = setup(
      {
        limits: { ...LIMITS, horizon: 2 },
        marketData: { putEvent: async (e) => (stored.push(e.eventId), 'created') },
      },
      (eventId, tick) => late.push([eventId, tick]),
    );
    const at = Date.now() - 60_000;
    const timed = (id: string, offset: number, price: number) => ({ ...trade(id, price), time: new Date(at + offset).toISOString() });
    for (const [id, offset] of [
      ['evt-l2', 2000],
      ['evt-l3', 3000],
      ['evt-l4', 4000],
    ] as const)
      await run(timed(id, offset, 100), lambdaContext());
    expect(await run(timed('evt-l1', 1000, 151), lambdaContext())).toEqual({
      status: 'processed',
      eventId: 'evt-l1',
      stored: 'created',
      alertIds: [],
    });
    expect(stored).toEqual(['evt-l2', 'evt-l3', 'evt-l4', 'evt-l1']);
    const tick = { symbol: 'OBS', price: 151, eventTime: at + 1000, exchange: 'NYSE', volume: 1 };
    expect(captured.logs('late tick: beyond the lateness horizon, not applied')).toEqual([
      expect.objectContaining({ level: 'WARN', eventId: 'evt-l1', ...tick, key: expect.any(String) }),
    ]);
    expect(late).toEqual([['evt-l1', expect.objectContaining(tick)]]);
    expect(captured.metrics().map((m) => [m.MarketEventsStored, m.LateTicks])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 1],
    ]);
  });

  it('logs and counts an invalid event it sent to the dead-letter queue', async () => {
    const run = setup();
    const bad = marketEvent('evt-2', 'Market Quote', { exchange: 'NYSE', symbol: 'OBS' });
    expect(await run(bad, lambdaContext())).toMatchObject({ status: 'rejected' });
    expect(captured.logs('invalid market event sent to the dead-letter queue')).toEqual([
      expect.objectContaining({ level: 'WARN', eventId: 'evt-2', reason: 'detail.price: a quote needs a price, or both bid and ask' }),
    ]);
    expect(captured.metrics()).toEqual([expect.objectContaining({ InvalidMessages: 1, ProcessingLatency: 14 })]);
  });

  it('logs and counts a failure before throwing it', async () => {
    const run = setup({ marketData: { putEvent: async () => Promise.reject(new Error('table missing')) } });
    await expect(run(trade('evt-3', 100), lambdaContext())).rejects.toThrow('table missing');
    expect(captured.logs('market event not processed')).toEqual([
      expect.objectContaining({ level: 'ERROR', eventId: 'evt-3', error: expect.objectContaining({ message: 'table missing' }) }),
    ]);
    expect(captured.metrics()).toEqual([expect.objectContaining({ FailedMessages: 1, ProcessingLatency: 14 })]);
  });

  it('keeps the safety margin out of the time it gives the pipeline', async () => {
    let budget = 0;
    const run = setup({ marketData: { putEvent: async (_e, deadline) => ((budget = deadline.remainingMs()), 'created') } });
    await run(trade('evt-4', 100), lambdaContext(SAFETY_MARGIN_MS + 500));
    // The clock moves 7 ms per reading: the start, the deadline being set, and the store reading it (latency: 2 × 7).
    expect(budget).toBe(500 - 7);
  });

  it('counts and logs an alert whose first delivery failed when a retry delivers it', async () => {
    let failing = true;
    const run = setup({
      notifier: { notify: async (alerts) => new Map(failing ? alerts.map((a) => [a.alertId, new PipelineFailure('notification', 'down')]) : []) },
    });
    const event = trade('evt-5', 151);
    await expect(run(event, lambdaContext())).rejects.toThrow('down');
    failing = false;
    expect(await run(event, lambdaContext())).toMatchObject({ status: 'processed', stored: 'exists', alertIds: [expect.any(String)] });
    expect(captured.logs('alert raised earlier, delivered now')).toEqual([expect.objectContaining({ eventId: 'evt-5', price: 151 })]);
    expect(captured.metrics().map((m) => m.AlertsRaised)).toEqual([undefined, 1]);
  });
});
