import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuditLog, DynamoMarketDataStore } from '../../../src/adapters/aws/index.js';
import { parseMarketEvent } from '../../../src/domain/index.js';
import { MARKET_EVENT_ROUTING } from '../../../src/handlers/config.js';
import { startLocalDynamo, type LocalDynamo } from '../../support/dynamo.js';
import { forever } from '../../support/fakes.js';

const NOW = Date.parse('2026-11-23T15:00:00Z');
const parsed = parseMarketEvent(
  {
    id: 'e-1',
    source: 'market.data',
    'detail-type': 'Trade Execution',
    time: '2026-11-23T14:59:00Z',
    detail: { exchange: 'NYSE', symbol: 'AAPL', price: 150.25, volume: 1000 },
  },
  MARKET_EVENT_ROUTING,
  NOW,
);

describe('market-data and audit-trail on dynalite', () => {
  let db: LocalDynamo;
  beforeAll(async () => (db = await startLocalDynamo()));
  afterAll(async () => db.close());

  it('stores an event once, keyed by its event id, with a 30-day expiry', async () => {
    if (!parsed.ok) throw new Error(parsed.reason);
    const store = new DynamoMarketDataStore(db.documents, db.names.marketDataTable, 30, () => NOW);
    expect(await store.putEvent(parsed.value, forever)).toBe('created');
    expect(await store.putEvent(parsed.value, forever)).toBe('exists');
    const items = await db.scan(db.names.marketDataTable);
    expect(items).toEqual([
      expect.objectContaining({
        event_id: 'e-1',
        timestamp: '2026-11-23T14:59:00.000Z',
        event_type: 'Trade Execution',
        symbol: 'AAPL',
        exchange: 'NYSE',
        price: 150.25,
        expires_at: NOW / 1000 + 30 * 86_400,
      }),
    ]);
  });

  it('keeps one audit record per event and outcome: the first', async () => {
    const audit = new DynamoAuditLog(db.documents, db.names.auditTrailTable, 'test', () => NOW);
    const entry = { eventId: 'e-1', eventType: 'Trade Execution', eventTime: '2026-11-23T14:59:00.000Z', symbol: 'AAPL', detail: {} };
    await audit.record({ ...entry, outcome: 'FAILED' }, forever);
    await audit.record({ ...entry, outcome: 'PROCESSED', detail: { alert_ids: ['a-1'] } }, forever);
    await audit.record({ ...entry, outcome: 'PROCESSED', detail: { alert_ids: [] } }, forever);
    const items = await db.scan(db.names.auditTrailTable);
    expect(items.map((i) => i.audit_id).sort()).toEqual(['e-1#FAILED', 'e-1#PROCESSED']);
    expect(items.find((i) => i.audit_id === 'e-1#PROCESSED')).toMatchObject({
      event_type: 'Trade Execution',
      environment: 'test',
      recorded_at: '2026-11-23T15:00:00.000Z',
      detail: { alert_ids: ['a-1'] },
    });
  });
});
