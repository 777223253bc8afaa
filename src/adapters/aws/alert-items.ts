import { alertSortKey, type Alert, type AlertType, type TriggerMode } from '../../domain/index.js';

/** The market-alerts item of an alert: the source documents' attributes plus id, threshold, rule and event time. */
export interface AlertItem {
  readonly symbol: string;
  readonly timestamp: string;
  readonly alert_id: string;
  readonly alert_type: AlertType;
  readonly price: number;
  readonly threshold: number;
  readonly rule: TriggerMode;
  readonly event_time: string;
  readonly tick_key: string;
  readonly environment: string;
}

/** Deterministic content: writing the same alert again leaves the item unchanged. */
export function toAlertItem(alert: Alert, environment: string): AlertItem {
  return {
    symbol: alert.symbol,
    timestamp: alertSortKey(alert.eventTime, alert.alertId),
    alert_id: alert.alertId,
    alert_type: alert.alertType,
    price: alert.price,
    threshold: alert.threshold,
    rule: alert.mode,
    event_time: new Date(alert.eventTime).toISOString(),
    tick_key: alert.tickKey,
    environment,
  };
}
