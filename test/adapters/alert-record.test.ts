import { describe, expect, it } from 'vitest';
import { alertOf, alertRecord } from '../../src/adapters/alert-record.js';
import { everyAlerts, T0 } from '../support/ticks.js';

describe('alert record', () => {
  it('is the one shape of an alert outside the engine, and reads back as the same alert', () => {
    const [alert] = everyAlerts('AAPL', [155.25]);
    const record = alertRecord(alert!, 'dev');
    expect(record).toEqual({
      symbol: 'AAPL',
      timestamp: `2026-11-23T14:30:00.000Z#${alert!.alertId}`,
      alert_id: alert!.alertId,
      alert_type: 'HIGH',
      price: 155.25,
      threshold: 150,
      kind: 'thresholds',
      rule: 'every',
      event_time: '2026-11-23T14:30:00.000Z',
      tick_key: alert!.tickKey,
      environment: 'dev',
    });
    expect(alertOf(record)).toEqual(alert);
    expect(alertOf(record).eventTime).toBe(T0);
    // A crossing says so; a record written before records had a kind reads as thresholds.
    const crossing = { ...alert!, kind: 'crosses' as const };
    expect(alertRecord(crossing, 'dev').kind).toBe('crosses');
    expect(alertOf(alertRecord(crossing, 'dev'))).toEqual(crossing);
    const { kind: _, ...older } = record;
    expect(alertOf(older)).toEqual(alert);
  });
});
