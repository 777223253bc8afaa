import type { Alert, AlertRule, MarketEvent, RuleOverride, SymbolWindow } from '../domain/index.js';

/** Time left for the work at hand; adapters stop retrying when it runs out. */
export interface Deadline {
  remainingMs(): number;
}

/**
 * An alert the engine raised whose delivery is not yet confirmed. It stays with the symbol's state until delivered,
 * so a redelivered owner tick re-sends it however far the symbol has moved on.
 */
export interface PendingAlert {
  readonly alert: Alert;
  /** Key of the tick whose message is acknowledged only once this alert is delivered. */
  readonly owner: string;
  /** Wall-clock time it was raised (epoch ms). */
  readonly raisedAt: number;
}

/** One symbol's stored rule override and engine state, with the version that guards concurrent updates. */
export interface SymbolRecord {
  readonly rule?: RuleOverride;
  readonly window?: SymbolWindow;
  readonly pending: readonly PendingAlert[];
  /** 0 when the symbol has no item yet. */
  readonly version: number;
}

/** A symbol's next engine state: the window and the whole set of pending alerts. */
export interface StateChange {
  readonly window: SymbolWindow;
  readonly pending: readonly PendingAlert[];
}

export interface RuleStateStore {
  /** All records for these symbols in one round trip (symbols without an item come back with version 0). */
  load(symbols: readonly string[], deadline: Deadline): Promise<Map<string, SymbolRecord>>;
  /** A strongly consistent re-read after a lost race. */
  reload(symbol: string, deadline: Deadline): Promise<SymbolRecord>;
  /** Conditional on `expectedVersion`; 'conflict' when another writer got there first. */
  saveState(symbol: string, expectedVersion: number, change: StateChange, deadline: Deadline): Promise<'saved' | 'conflict'>;
}

/** Alert ids that could not be delivered, each with the reason. */
export type DeliveryFailures = Map<string, string>;

export interface AlertStore {
  /** Idempotent: an alert id is one item however often it is written. Called only once SNS has accepted them. */
  putAlerts(alerts: readonly Alert[], deadline: Deadline): Promise<DeliveryFailures>;
  /** Ids of these alerts that have their record, and so were notified (a record is written only after that). */
  recorded(alerts: readonly Alert[], deadline: Deadline): Promise<Set<string>>;
}

export interface Notifier {
  /** At-least-once; each notification carries the alert id. */
  notify(alerts: readonly Alert[], deadline: Deadline): Promise<DeliveryFailures>;
}

export interface MarketDataStore {
  /** Idempotent on the event id: 'exists' when it was stored before. */
  putEvent(event: MarketEvent, deadline: Deadline): Promise<'created' | 'exists'>;
}

export type AuditOutcome = 'PROCESSED' | 'LATE' | 'REJECTED' | 'FAILED';

export interface AuditEntry {
  readonly eventId: string;
  readonly eventType: string;
  readonly outcome: AuditOutcome;
  /** Event time (ISO-8601). */
  readonly eventTime: string;
  readonly symbol?: string;
  readonly detail: Record<string, unknown>;
}

export interface AuditLog {
  /** One record per event and outcome: recording the same outcome again replaces it. */
  record(entry: AuditEntry, deadline: Deadline): Promise<void>;
}

/** Where an event goes that no retry can make valid, with the reason, so it is neither retried nor lost. */
export interface EventDeadLetters {
  send(event: unknown, reason: string, eventId: string, deadline: Deadline): Promise<void>;
}

/** How the engine keeps each symbol's state bounded. */
export interface EngineLimits {
  /** Observations kept per symbol: a tick older than the newest this many is late. */
  readonly horizon: number;
  /** Undelivered alerts a symbol may hold before its new alerts are refused (retried later) instead of piling up. */
  readonly maxPending: number;
  /** Pending alerts older than this (ms) can no longer be claimed: their owner message has left the queues. */
  readonly pendingRetentionMs: number;
}

/** What the alerting use case needs. */
export interface AlertingPorts {
  readonly rules: RuleStateStore;
  readonly alerts: AlertStore;
  readonly notifier: Notifier;
  readonly defaultRule: AlertRule;
  readonly limits: EngineLimits;
  /** Wait before retrying after a lost race (default: contentionPause); tests and in-memory runs pass none. */
  readonly pause?: (attempt: number, deadline: Deadline) => Promise<void>;
}
