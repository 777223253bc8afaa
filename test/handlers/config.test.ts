import { describe, expect, it } from 'vitest';
import { alertingConfigFrom, marketEventConfigFrom } from '../../src/handlers/config.js';

const base = {
  ENVIRONMENT: 'dev',
  ALERTS_TABLE: 'market-alerts-dev',
  ALERT_RULES_TABLE: 'alert-rules-dev',
  TRADING_ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:trading-alerts-dev',
};

describe('handler configuration', () => {
  it('applies the defaults of src/resources and the overrides of the environment', () => {
    expect(alertingConfigFrom(base).defaultRule).toEqual({ above: 150, below: 50, mode: 'cross' });
    expect(alertingConfigFrom({ ...base, ALERT_THRESHOLD_HIGH: '200', ALERT_THRESHOLD_LOW: '20', ALERT_TRIGGER_MODE: 'every' }).defaultRule).toEqual({
      above: 200,
      below: 20,
      mode: 'every',
    });
    expect(alertingConfigFrom({ ...base, ALERT_REARM: '0.5%' }).defaultRule).toEqual({ above: 150, below: 50, mode: 'cross', rearm: '0.5%' });
    expect(alertingConfigFrom({ ...base, ALERT_REARM: '0.25' }).defaultRule).toEqual({ above: 150, below: 50, mode: 'cross', rearm: 0.25 });
    expect(alertingConfigFrom({ ...base, ALERT_REARM: '0' }).defaultRule).toEqual({ above: 150, below: 50, mode: 'cross' });
    const dlq = 'https://sqs.us-east-1.amazonaws.com/123456789012/market-events-dlq-dev';
    expect(
      marketEventConfigFrom({ ...base, MARKET_DATA_TABLE: 'market-data-dev', AUDIT_TRAIL_TABLE: 'audit-trail-dev', MARKET_EVENTS_DLQ_URL: dlq }),
    ).toMatchObject({
      ttlDays: 30,
      eventsDlqUrl: dlq,
    });
    expect(() => marketEventConfigFrom({ ...base, MARKET_DATA_TABLE: 'm', AUDIT_TRAIL_TABLE: 'a' })).toThrow(
      'missing required environment variable MARKET_EVENTS_DLQ_URL',
    );
  });

  it('keeps 256 observations per symbol and 100 overdue alerts, leaves an alert 2 minutes to its raiser, keeps it 14 days', () => {
    expect(alertingConfigFrom(base).limits).toEqual({ horizon: 256, maxPending: 100, deliveryGraceMs: 120_000, pendingRetentionMs: 1_209_600_000 });
    expect(alertingConfigFrom({ ...base, ALERT_LATENESS_HORIZON_TICKS: '64' }).limits.horizon).toBe(64);
    expect(() => alertingConfigFrom({ ...base, ALERT_LATENESS_HORIZON_TICKS: '2.5' })).toThrow(
      'environment variable ALERT_LATENESS_HORIZON_TICKS must be a whole number (got "2.5")',
    );
  });

  it.each([
    [{ ALERTS_TABLE: '' }, 'missing required environment variable ALERTS_TABLE'],
    [{ ALERT_THRESHOLD_HIGH: 'abc' }, 'environment variable ALERT_THRESHOLD_HIGH must be a finite number (got "abc")'],
    [{ ALERT_TRIGGER_MODE: 'sometimes' }, 'environment variable ALERT_TRIGGER_MODE must be one of cross, every (got "sometimes")'],
    [{ ALERT_THRESHOLD_LOW: '500' }, 'ALERT_THRESHOLD_LOW (500) must be less than ALERT_THRESHOLD_HIGH (150)'],
    [
      { ALERT_REARM: 'a little' },
      'environment variable ALERT_REARM must be an amount of price (0.5) or a percentage of the threshold ("0.5%"), 0 or more (got "a little")',
    ],
    [{ ALERT_REARM: '1', ALERT_TRIGGER_MODE: 'every' }, 'ALERT_REARM: rearm (1) applies to mode cross only: give mode cross, or rearm 0'],
  ])('refuses %o', (override, message) => {
    expect(() => alertingConfigFrom({ ...base, ...override })).toThrow(message);
  });
});
