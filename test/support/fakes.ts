import { PipelineFailure } from '../../src/pipeline/failures.js';
import { vi } from 'vitest';
import type { BackoffOptions } from '../../src/adapters/aws/index.js';
import type { Alert } from '../../src/domain/index.js';
import type { AlertStore, Deadline, DeliveryFailures, EventDeadLetters, Notifier } from '../../src/pipeline/index.js';

/** The engine limits the functions run with. */
export const LIMITS = { horizon: 256, maxPending: 100, deliveryGraceMs: 120_000, pendingRetentionMs: 14 * 86_400_000 };

/** Backoff that never waits, so retry tests are instant and deterministic. */
export const NO_WAIT: BackoffOptions = { baseMs: 10, capMs: 100, random: () => 0.5, sleep: async () => {} };

export const forever: Deadline = { remainingMs: () => 60_000 };
export const expired: Deadline = { remainingMs: () => 0 };

/** One HIGH alert with every field set, for tests of how an alert is written or shown. */
export const SAMPLE_ALERT: Alert = {
  alertId: '3f9c1a2b9d8e7f6a5b4c3d2e1f0a9b8c',
  symbol: 'AAPL',
  alertType: 'HIGH',
  price: 155.25,
  threshold: 150,
  mode: 'cross',
  eventTime: Date.parse('2026-11-20T14:30:01Z'),
  tickKey: 'k',
};

export const silentLog = { warn: vi.fn(), error: vi.fn() };

/** Records what it is given; fails the alert ids listed in `failing`. */
export class RecordingNotifier implements Notifier {
  readonly sent: Alert[] = [];
  readonly failing = new Set<string>();
  async notify(alerts: readonly Alert[], _deadline: Deadline): Promise<DeliveryFailures> {
    const failures: DeliveryFailures = new Map();
    for (const alert of alerts) {
      if (this.failing.has(alert.alertId))
        failures.set(alert.alertId, new PipelineFailure('notification', 'notification not accepted: InternalError'));
      else this.sent.push(alert);
    }
    return failures;
  }
}

/** Records the events sent to it as dead letters. */
export class RecordingDeadLetters implements EventDeadLetters {
  readonly sent: { event: unknown; reason: string; eventId: string }[] = [];
  async send(event: unknown, reason: string, eventId: string): Promise<void> {
    this.sent.push({ event, reason, eventId });
  }
}

/** Wraps a real store and fails the alert ids listed in `failing`. */
export class FlakyAlertStore implements AlertStore {
  readonly failing = new Set<string>();
  constructor(private readonly inner: AlertStore) {}
  async putAlerts(alerts: readonly Alert[], deadline: Deadline): Promise<DeliveryFailures> {
    const failures = await this.inner.putAlerts(
      alerts.filter((a) => !this.failing.has(a.alertId)),
      deadline,
    );
    for (const alert of alerts)
      if (this.failing.has(alert.alertId))
        failures.set(alert.alertId, new PipelineFailure('record', 'alert not written: ProvisionedThroughputExceededException'));
    return failures;
  }
  recorded(alerts: readonly Alert[], deadline: Deadline): Promise<Set<string>> {
    return this.inner.recorded(alerts, deadline);
  }
}
