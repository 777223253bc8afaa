import { alertSortKey, type Alert, type AlertType, type ConditionKind, type TriggerMode } from '../domain/index.js';

/**
 * An alert as the outside world sees it, in one shape everywhere: the market-alerts item, the SNS message body, the
 * local notifications file and what the CLI prints from. The source documents' attributes (`symbol`, `timestamp`,
 * `price`, `alert_type`, `environment`) plus the alert id, the threshold crossed, the rule's kind and mode, and the
 * event time.
 */
export interface AlertRecord {
  readonly symbol: string;
  /** `{event time ISO}#{alert id}`: the table's sort key, unique per alert and ordered by event time. */
  readonly timestamp: string;
  readonly alert_id: string;
  readonly alert_type: AlertType;
  readonly price: number;
  readonly threshold: number;
  /** `thresholds`, or `crosses` for a crossing of the level `threshold`; records written before it existed have none. */
  readonly kind?: ConditionKind;
  readonly rule: TriggerMode;
  readonly event_time: string;
  readonly tick_key: string;
  readonly environment: string;
}

/** Deterministic content: recording the same alert again leaves the record unchanged. */
export function alertRecord(alert: Alert, environment: string): AlertRecord {
  return {
    symbol: alert.symbol,
    timestamp: alertSortKey(alert.eventTime, alert.alertId),
    alert_id: alert.alertId,
    alert_type: alert.alertType,
    price: alert.price,
    threshold: alert.threshold,
    kind: alert.kind ?? 'thresholds',
    rule: alert.mode,
    event_time: new Date(alert.eventTime).toISOString(),
    tick_key: alert.tickKey,
    environment,
  };
}

/** The alert a record holds. */
export function alertOf(record: AlertRecord): Alert {
  return {
    alertId: record.alert_id,
    symbol: record.symbol,
    alertType: record.alert_type,
    price: record.price,
    threshold: record.threshold,
    mode: record.rule,
    eventTime: Date.parse(record.event_time),
    tickKey: record.tick_key,
    ...(record.kind === 'crosses' && { kind: record.kind }),
  };
}
