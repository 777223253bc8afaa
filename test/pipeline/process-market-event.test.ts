import { PipelineFailure } from '../../src/pipeline/failures.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoAlertStore, DynamoAuditLog, DynamoMarketDataStore, DynamoRuleStateStore } from '../../src/adapters/aws/index.js';
import { MARKET_EVENT_ROUTING } from '../../src/handlers/config.js';
import { processMarketEvent, type MarketEventPorts } from '../../src/pipeline/index.js';
import { startLocalDynamo, type LocalDynamo } from '../support/dynamo.js';
import { LIMITS, RecordingDeadLetters, RecordingNotifier, forever } from '../support/fakes.js';

const NOW = Date.parse('2026-11-23T15:00:00Z');
const event = (id: string, detailType: string, detail: Record<string, unknown>) => ({
  id,
  source: 'market.data',
  'detail-type': detailType,
  time: '2026-11-23T14:59:00Z',
  detail,
});

describe('processMarketEvent', () => {
  let db: LocalDynamo;
  let ports: MarketEventPorts;
  const notifier = new RecordingNotifier();
  const deadLetters = new RecordingDeadLetters();
  const log = { warn: vi.fn(), error: vi.fn() };
  const audit = async () => (await db.scan(db.names.auditTrailTable)).map((i) => `${i.audit_id}`).sort();

  beforeAll(async () => {
    db = await startLocalDynamo();
    ports = {
      rules: new DynamoRuleStateStore(db.documents, db.names.alertRulesTable),
      alerts: new DynamoAlertStore(db.documents, db.names.alertsTable, 'test'),
      notifier,
      defaultRule: { above: 150, below: 50, mode: 'cross' },
      marketData: new DynamoMarketDataStore(db.documents, db.names.marketDataTable, 30, () => NOW),
      audit: new DynamoAuditLog(db.documents, db.names.auditTrailTable, 'test', () => NOW),
      deadLetters,
      routing: MARKET_EVENT_ROUTING,
      limits: LIMITS,
    };
  });
  afterAll(async () => db.close());

  it('stores a trade once, raises its alert, and audits it; a redelivery finds it stored and adds nothing', async () => {
    const trade = event('e-1', 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 150.25, volume: 1000 });
    const first = await processMarketEvent(trade, ports, forever, log, NOW);
    expect(first).toMatchObject({ status: 'processed', stored: 'created', raised: [{ symbol: 'AAPL', alertType: 'HIGH' }] });
    const again = await processMarketEvent(trade, ports, forever, log, NOW);
    expect(again).toMatchObject({ status: 'processed', stored: 'exists', raised: [], alerts: [] });
    expect(await db.scan(db.names.marketDataTable)).toHaveLength(1);
    expect(await db.scan(db.names.alertsTable)).toHaveLength(1);
    expect(await audit()).toEqual(['e-1#PROCESSED']);
  });

  it('stores a quote without a price and raises nothing', async () => {
    const quote = event('e-2', 'Market Quote', { exchange: 'NASDAQ', symbol: 'MSFT', bid: 410.1, ask: 410.3 });
    expect(await processMarketEvent(quote, ports, forever, log, NOW)).toMatchObject({ status: 'processed', stored: 'created', alerts: [] });
  });

  it('audits an invalid event as REJECTED and sends it straight to the dead-letter queue with its reason', async () => {
    const bad = event('e-3', 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: -5, volume: 1 });
    expect(await processMarketEvent(bad, ports, forever, log, NOW)).toEqual({
      status: 'rejected',
      eventId: 'e-3',
      reason: 'detail.price: must be greater than 0',
    });
    const items = await db.scan(db.names.auditTrailTable);
    expect(items.find((i) => i.audit_id === 'e-3#REJECTED')).toMatchObject({
      outcome: 'REJECTED',
      detail: { reason: 'detail.price: must be greater than 0' },
    });
    expect(deadLetters.sent.at(-1)).toEqual({ event: bad, reason: 'detail.price: must be greater than 0', eventId: 'e-3' });
  });

  it('rejects, audits and dead-letters an event nested 5 000 levels deep without walking it', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const bad = event('e-deep', 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 151, volume: 1, extra: deep });
    expect(await processMarketEvent(bad, ports, forever, log, NOW)).toEqual({
      status: 'rejected',
      eventId: 'e-deep',
      reason: 'detail: nests deeper than 16 levels',
    });
    expect(await audit()).toContain('e-deep#REJECTED');
  });

  it('audits an event with a 3 000-character id under a bounded, stable stand-in', async () => {
    const id = 'x'.repeat(3000);
    const bad = { ...event(id, 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 151, volume: 1 }), 'detail-type': 'y'.repeat(5000) };
    const first = await processMarketEvent(bad, ports, forever, log, NOW);
    expect(first).toMatchObject({ status: 'rejected', reason: 'id: must be at most 128 characters' });
    const eventId = first.status === 'rejected' ? first.eventId : '';
    expect(eventId).toMatch(/^x{48}…#[0-9a-f]{16}$/);
    const item = (await db.scan(db.names.auditTrailTable)).find((i) => i.audit_id === `${eventId}#REJECTED`);
    expect(item).toMatchObject({ event_type: expect.stringMatching(/^y{48}…#[0-9a-f]{16}$/), timestamp: '2026-11-23T14:59:00.000Z' });
    expect((await processMarketEvent(bad, ports, forever, log, NOW)).status).toBe('rejected');
    expect((await db.scan(db.names.auditTrailTable)).filter((i) => i.event_id === eventId)).toHaveLength(1);
  });

  it('rejects a detail field no store could hold, before trying to store it', async () => {
    const bad = event('e-tiny', 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 151, volume: 1, note: { size: 1e-200 } });
    expect(await processMarketEvent(bad, ports, forever, log, NOW)).toMatchObject({
      status: 'rejected',
      reason: 'detail.note.size: 1e-200 is outside what can be stored (0, or a magnitude from 1e-130 to below 1e+126)',
    });
    const empty = event('e-empty', 'Trade Execution', { exchange: 'NYSE', symbol: 'AAPL', price: 151, volume: 1, '': 'x' });
    expect(await processMarketEvent(empty, ports, forever, log, NOW)).toMatchObject({
      status: 'rejected',
      reason: 'detail: has a field with an empty name',
    });
  });

  it('audits whatever arrives, even something that is not an event at all', async () => {
    for (const raw of [null, 'text', 42, [], { id: { nested: true } }]) {
      expect(await processMarketEvent(raw, ports, forever, log, NOW)).toMatchObject({ status: 'rejected', eventId: 'unknown' });
    }
    expect((await db.scan(db.names.auditTrailTable)).find((i) => i.audit_id === 'unknown#REJECTED')).toMatchObject({
      timestamp: '1970-01-01T00:00:00.000Z',
    });
  });

  it('throws, after auditing, when the dead-letter queue does not take the event, so the platform retries it', async () => {
    const bad = event('e-dlq', 'Market Quote', { exchange: 'NYSE', symbol: 'AAPL' });
    const broken: MarketEventPorts = { ...ports, deadLetters: { send: async () => Promise.reject(new Error('queue unreachable')) } };
    await expect(processMarketEvent(bad, broken, forever, log, NOW)).rejects.toThrow('queue unreachable');
    expect(await audit()).toContain('e-dlq#REJECTED');
  });

  it('audits a failure as FAILED and throws, so the event is retried and reaches the DLQ', async () => {
    const failing: MarketEventPorts = {
      ...ports,
      notifier: {
        notify: async (alerts) => new Map(alerts.map((a) => [a.alertId, new PipelineFailure('notification', 'notification not accepted: down')])),
      },
    };
    const trade = event('e-4', 'Price Update', { exchange: 'NYSE', symbol: 'GE', price: 20, volume: 1 });
    await expect(processMarketEvent(trade, failing, forever, log, NOW)).rejects.toThrow('notification not accepted: down');
    expect(await audit()).toContain('e-4#FAILED');
    expect(await processMarketEvent(trade, ports, forever, log, NOW)).toMatchObject({
      status: 'processed',
      stored: 'exists',
      alerts: [{ symbol: 'GE', alertType: 'LOW' }],
    });
  });

  it('still throws the original error when even the audit record fails, and says so in the log', async () => {
    const broken: MarketEventPorts = {
      ...ports,
      marketData: { putEvent: async () => Promise.reject(new Error('table missing')) },
      audit: { record: async () => Promise.reject(new Error('audit down')) },
    };
    const trade = event('e-5', 'Trade Update', { exchange: 'NYSE', symbol: 'AAPL', price: 100, volume: 1 });
    await expect(processMarketEvent(trade, broken, forever, log, NOW)).rejects.toThrow('table missing');
    expect(log.warn).toHaveBeenCalledWith('audit record of a failed event not written', { eventId: 'e-5', reason: 'audit down' });
  });

  it('records what it did in the audit trail: stored or already there, and the alert ids', async () => {
    const trade = event('e-audit', 'Trade Execution', { exchange: 'NYSE', symbol: 'AUD', price: 151, volume: 1 });
    const first = await processMarketEvent(trade, ports, forever, log, NOW);
    const ids = first.status === 'processed' ? first.alerts.map((a) => a.alertId) : [];
    expect(ids).toHaveLength(1);
    const record = (await db.scan(db.names.auditTrailTable)).find((i) => i.audit_id === 'e-audit#PROCESSED');
    expect(record?.detail).toEqual({ stored: 'created', alert_ids: ids });
    const quote = event('e-quote', 'Market Quote', { exchange: 'NYSE', symbol: 'AUD', bid: 1, ask: 2 });
    expect(await processMarketEvent(quote, ports, forever, log, NOW)).toMatchObject({ status: 'processed', alerts: [], raised: [] });
  });

  it('stores an event whose price is beyond the lateness horizon, audits it as LATE and says it was late', async () => {
    const narrow: MarketEventPorts = { ...ports, limits: { ...LIMITS, horizon: 2 } };
    const trade = (id: string, minute: number, price: number) => ({
      ...event(id, 'Trade Execution', { exchange: 'NYSE', symbol: 'LATE', price, volume: 1 }),
      time: `2026-11-23T14:${minute}:00Z`,
    });
    for (const [id, minute] of [
      ['e-late-2', 52],
      ['e-late-3', 53],
      ['e-late-4', 54],
    ] as const) {
      expect(await processMarketEvent(trade(id, minute, 100), narrow, forever, log, NOW)).toMatchObject({ status: 'processed', late: false });
    }
    // Older than the two newest observations kept, and above the threshold: it would open a HIGH run if applied.
    const late = await processMarketEvent(trade('e-late-1', 51, 151), narrow, forever, log, NOW);
    expect(late).toMatchObject({ status: 'processed', stored: 'created', late: true, alerts: [], raised: [] });
    expect((await db.scan(db.names.marketDataTable)).map((i) => i.event_id)).toContain('e-late-1');
    const records = (await db.scan(db.names.auditTrailTable)).filter((i) => String(i.event_id).startsWith('e-late-'));
    expect(records.map((i) => `${i.audit_id} ${i.outcome}`).sort()).toEqual([
      'e-late-1#LATE LATE',
      'e-late-2#PROCESSED PROCESSED',
      'e-late-3#PROCESSED PROCESSED',
      'e-late-4#PROCESSED PROCESSED',
    ]);
    expect(records.find((i) => i.outcome === 'LATE')).toMatchObject({
      symbol: 'LATE',
      timestamp: '2026-11-23T14:51:00.000Z',
      detail: { stored: 'created', alert_ids: [], reason: 'price beyond the lateness horizon: stored, not applied to the alert runs' },
    });
  });

  it('keeps at most 1 000 characters of a failure reason in the audit trail', async () => {
    const failing = (reason: string): MarketEventPorts => ({ ...ports, marketData: { putEvent: async () => Promise.reject(new Error(reason)) } });
    const trade = (id: string) => event(id, 'Trade Update', { exchange: 'NYSE', symbol: 'AUD', price: 100, volume: 1 });
    await expect(processMarketEvent(trade('e-long'), failing('x'.repeat(1500)), forever, log, NOW)).rejects.toThrow();
    await expect(processMarketEvent(trade('e-exact'), failing('y'.repeat(1000)), forever, log, NOW)).rejects.toThrow();
    const items = await db.scan(db.names.auditTrailTable);
    expect(items.find((i) => i.audit_id === 'e-long#FAILED')?.detail).toEqual({ reason: `${'x'.repeat(1000)}…` });
    expect(items.find((i) => i.audit_id === 'e-exact#FAILED')?.detail).toEqual({ reason: 'y'.repeat(1000) });
  });
});
