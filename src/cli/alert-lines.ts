import type { AlertRecord } from '../app/alerts.js';
import type { Alert } from '../domain/index.js';
import { visible } from './terminal.js';

/** How an alert's price compares with the threshold it crossed (INSIDE: within the channel, by that edge). */
const comparison = (alertType: unknown): string => (alertType === 'HIGH' ? '>' : alertType === 'INSIDE' ? 'inside' : '<');
/** An alert id as people quote it: its first eight characters. */
const shortId = (alertId: unknown): string => `[id ${String(alertId).slice(0, 8)}]`;

/** An alert as it fires, e.g. `ALERT HIGH  AAPL 155.25 > 150 at 2026-11-20T14:30:01.000Z [id 3f9c1a2b]`. */
export function alertLine(alert: Alert): string {
  const when = new Date(alert.eventTime).toISOString();
  return `ALERT ${alert.alertType.padEnd(5)} ${alert.symbol} ${alert.price} ${comparison(alert.alertType)} ${alert.threshold} at ${when} [id ${alert.alertId.slice(0, 8)}]`;
}

/**
 * A stored alert item as `alerts` lists it: event time, type, symbol, price against threshold, rule and id, in
 * columns. Every field is shown with its control characters made visible (a table can hold anything).
 */
export function listedAlertLine(item: AlertRecord): string {
  return [
    visible(item.event_time ?? String(item.timestamp).split('#')[0]),
    visible(item.alert_type).padEnd(4),
    visible(item.symbol).padEnd(6),
    `${visible(item.price)} ${comparison(item.alert_type)} ${visible(item.threshold)}`.padEnd(18),
    visible(item.rule ?? '').padEnd(5),
    visible(shortId(item.alert_id)),
  ].join('  ');
}
