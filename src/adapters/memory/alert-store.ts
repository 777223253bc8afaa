import type { Alert } from '../../domain/index.js';
import type { AlertStore, Deadline, DeliveryFailures } from '../../pipeline/ports.js';

/**
 * The market-alerts table in memory: idempotent on the alert id, like the DynamoDB adapter. Each alert is handed
 * to `onRecorded` the first time it is written, so a caller can stream alerts out instead of keeping them here; the
 * store itself keeps only the ids (what `recorded` must answer).
 */
export class MemoryAlertStore implements AlertStore {
  private readonly ids = new Set<string>();

  constructor(private readonly onRecorded: (alert: Alert) => void = () => {}) {}

  async putAlerts(alerts: readonly Alert[], _deadline?: Deadline): Promise<DeliveryFailures> {
    for (const alert of alerts) {
      if (this.ids.has(alert.alertId)) continue;
      this.ids.add(alert.alertId);
      this.onRecorded(alert);
    }
    return new Map();
  }

  async recorded(alerts: readonly Alert[], _deadline?: Deadline): Promise<Set<string>> {
    return new Set(alerts.filter((a) => this.ids.has(a.alertId)).map((a) => a.alertId));
  }

  /** Alerts recorded so far. */
  get size(): number {
    return this.ids.size;
  }
}
