import type { Alert, AlertRule, MarketEvent, RuleOverride, SymbolState } from '../domain/index.js';

/** Time left for the work at hand; adapters stop retrying when it runs out. */
export interface Deadline {
  remainingMs(): number;
}

/** One symbol's stored rule override and engine state, with the version that guards concurrent updates. */
export interface SymbolRecord {
  readonly rule?: RuleOverride;
  readonly state?: SymbolState;
  /** 0 when the symbol has no item yet. */
  readonly version: number;
}

export interface RuleStateStore {
  /** All records for these symbols in one round trip (symbols without an item come back with version 0). */
  load(symbols: readonly string[], deadline: Deadline): Promise<Map<string, SymbolRecord>>;
  /** A strongly consistent re-read after a lost race. */
  reload(symbol: string, deadline: Deadline): Promise<SymbolRecord>;
  /** Conditional on `expectedVersion`; 'conflict' when another writer got there first. */
  saveState(symbol: string, expectedVersion: number, state: SymbolState, deadline: Deadline): Promise<'saved' | 'conflict'>;
}

/** Alert ids that could not be delivered, each with the reason. */
export type DeliveryFailures = Map<string, string>;

export interface AlertStore {
  /** Idempotent: an alert id is one item however often it is written. */
  putAlerts(alerts: readonly Alert[], deadline: Deadline): Promise<DeliveryFailures>;
}

export interface Notifier {
  /** At-least-once; each notification carries the alert id. */
  notify(alerts: readonly Alert[], deadline: Deadline): Promise<DeliveryFailures>;
}

export interface MarketDataStore {
  /** Idempotent on the event id: 'exists' when it was stored before. */
  putEvent(event: MarketEvent, deadline: Deadline): Promise<'created' | 'exists'>;
}

export type AuditOutcome = 'PROCESSED' | 'REJECTED' | 'FAILED';

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

/** What the alerting use case needs. */
export interface AlertingPorts {
  readonly rules: RuleStateStore;
  readonly alerts: AlertStore;
  readonly notifier: Notifier;
  readonly defaultRule: AlertRule;
}
