import { identityOf, parseMarketEvent, tickOf, type Alert, type MarketEvent, type MarketEventRouting } from '../domain/index.js';
import { raiseAlerts, type AlertingLog } from './alerting.js';
import { describeError as describe } from './errors.js';
import type { AlertingPorts, AuditLog, Deadline, EventDeadLetters, MarketDataStore } from './ports.js';

export interface MarketEventPorts extends AlertingPorts {
  readonly marketData: MarketDataStore;
  readonly audit: AuditLog;
  readonly deadLetters: EventDeadLetters;
  readonly routing: MarketEventRouting;
}

export type MarketEventOutcome =
  | {
      readonly status: 'processed';
      readonly event: MarketEvent;
      /** 'exists' when a retry or duplicate delivery finds the event already stored. */
      readonly stored: 'created' | 'exists';
      readonly alerts: readonly Alert[];
      readonly raised: readonly Alert[];
      /** Its price is beyond the lateness horizon: the event is stored, but it changed no run (audited as LATE). */
      readonly late: boolean;
    }
  | { readonly status: 'rejected'; readonly eventId: string; readonly reason: string };

/** Longest reason kept in an audit record or a dead letter's attributes. */
const MAX_REASON_LENGTH = 1_000;

/** What a LATE audit record says of its event. */
const LATE_REASON = 'price beyond the lateness horizon: stored, not applied to the alert runs';

const bounded = (reason: string): string => (reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH)}…` : reason);

/**
 * Store one EventBridge market event once, feed a price-bearing event to the alert engine, and record its outcome in
 * the audit trail, whatever the event looks like. A processed event is audited as PROCESSED, or as LATE when its
 * price came beyond the lateness horizon (stored, but it changed no run). An invalid event is audited as REJECTED and
 * sent straight to the dead-letter queue with its reason (a retry cannot make it valid); a failure is audited as
 * FAILED and thrown, so that the platform's retries apply.
 */
export async function processMarketEvent(
  raw: unknown,
  ports: MarketEventPorts,
  deadline: Deadline,
  log: AlertingLog,
  now: number = Date.now(),
): Promise<MarketEventOutcome> {
  const parsed = parseMarketEvent(raw, ports.routing, now);
  if (!parsed.ok) {
    const identity = identityOf(raw);
    const reason = bounded(parsed.reason);
    await ports.audit.record(
      { eventId: identity.eventId, eventType: identity.eventType, outcome: 'REJECTED', eventTime: identity.time, detail: { reason } },
      deadline,
    );
    await ports.deadLetters.send(raw, reason, identity.eventId, deadline);
    return { status: 'rejected', eventId: identity.eventId, reason };
  }
  const event = parsed.value;
  const audit = { eventId: event.eventId, eventType: event.eventType, eventTime: new Date(event.eventTime).toISOString(), symbol: event.symbol };
  try {
    const stored = await ports.marketData.putEvent(event, deadline);
    const tick = tickOf(event);
    const outcome = tick
      ? (await raiseAlerts([tick], ports, deadline, log, now)).get(tick.key)!
      : { ok: true as const, alerts: [], raised: [], late: false };
    if (!outcome.ok) throw outcome.failure;
    const detail = { stored, alert_ids: outcome.alerts.map((a) => a.alertId), ...(outcome.late && { reason: LATE_REASON }) };
    await ports.audit.record({ ...audit, outcome: outcome.late ? 'LATE' : 'PROCESSED', detail }, deadline);
    return { status: 'processed', event, stored, alerts: outcome.alerts, raised: outcome.raised, late: outcome.late };
  } catch (error) {
    try {
      await ports.audit.record({ ...audit, outcome: 'FAILED', detail: { reason: bounded(describe(error)) } }, deadline);
    } catch (auditError) {
      log.warn('audit record of a failed event not written', { eventId: event.eventId, reason: describe(auditError) });
    }
    throw error;
  }
}
