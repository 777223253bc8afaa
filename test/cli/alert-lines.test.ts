import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../src/adapters/alert-record.js';
import { alertLine, listedAlertLine } from '../../src/cli/alert-lines.js';
import { SAMPLE_ALERT } from '../support/fakes.js';

const alert = SAMPLE_ALERT;

describe('alert lines', () => {
  it('as an alert fires: one readable line per alert', () => {
    expect(alertLine(alert)).toBe('ALERT HIGH  AAPL 155.25 > 150 at 2026-11-20T14:30:01.000Z [id 3f9c1a2b]');
    expect(alertLine({ ...alert, alertType: 'LOW', price: 48.1, threshold: 50 })).toBe(
      'ALERT LOW   AAPL 48.1 < 50 at 2026-11-20T14:30:01.000Z [id 3f9c1a2b]',
    );
  });

  it('as alerts lists a stored item: in columns, with control characters made visible', () => {
    const item: AlertRecord = {
      symbol: 'AAPL',
      timestamp: `2026-11-20T14:30:01.000Z#${alert.alertId}`,
      alert_id: alert.alertId,
      alert_type: 'HIGH',
      price: 155.25,
      threshold: 150,
      rule: 'cross',
      event_time: '2026-11-20T14:30:01.000Z',
      tick_key: 'k',
      environment: 'dev',
    };
    expect(listedAlertLine(item)).toBe('2026-11-20T14:30:01.000Z  HIGH  AAPL    155.25 > 150        cross  [id 3f9c1a2b]');
    // An item without event_time or rule (written by hand): the time from the sort key, no rule.
    const { event_time: _time, rule: _rule, ...bare } = item;
    expect(listedAlertLine({ ...bare, alert_type: 'LOW', symbol: 'EV\u001bIL' } as AlertRecord)).toBe(
      '2026-11-20T14:30:01.000Z  LOW   EV\\x1bIL  155.25 < 150               [id 3f9c1a2b]',
    );
  });
});
