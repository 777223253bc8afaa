import type { Alert, AlertRule, MarketEvent, RuleOverride, SymbolWindow, Thresholds, Tick } from '../domain/index.js';
import type { PipelineFailure } from './failures.js';

/** Time left for the work at hand; adapters stop retrying when it runs out. */
export interface Deadline {
  remainingMs(): number;
}

/**
 * An alert the engine raised whose delivery is not yet confirmed: the symbol's outbox. It stays with the symbol's
 * state until its record is seen, so its owner tick re-sends it whenever its message comes back, and any batch of the
 * symbol sends it once its raiser has had its chance (see EngineLimits.deliveryGraceMs).
 */
export interface PendingAlert {
  readonly alert: Alert;
  /** Key of the tick whose message is acknowledged only once this alert is delivered. */
  readonly owner: string;
  /** The owner's message, when its key depends on delivery (Tick.source): a redriven copy still claims it. */
  readonly source?: string;
  /** Wall-clock time it was raised (epoch ms). */
  readonly raisedAt: number;
}

/**
 * One batch's ticks of a symbol, handed over after it lost the race to write the symbol's state. Whoever reads the
 * inbox judges each hand-over in turn, in the order they came, under the thresholds the batch judged it by, so every
 * reader draws the same alerts from the same inbox.
 */
export interface HandOver {
  readonly ticks: readonly Tick[];
  readonly thresholds: Thresholds;
  /** Wall-clock time of the hand-over (epoch ms): the alerts its ticks raise count as raised then. */
  readonly at: number;
}

/** One symbol's stored rule override and engine state, with the version that guards concurrent updates. */
export interface SymbolRecord {
  readonly rule?: RuleOverride;
  /** Why the stored override is refused by the rule's parser: the symbol is on the default rule meanwhile. */
  readonly ruleProblem?: string;
  readonly window?: SymbolWindow;
  readonly pending: readonly PendingAlert[];
  /**
   * What batches that lost a race handed over instead of retrying, in the order they came: the next write of the
   * symbol, whoever makes it, folds it into the window.
   */
  readonly inbox: readonly HandOver[];
  /** 0 when the symbol has no engine state yet. */
  readonly version: number;
}

/** A symbol's next engine state: the window and the whole set of pending alerts. */
export interface StateChange {
  readonly window: SymbolWindow;
  readonly pending: readonly PendingAlert[];
}

export interface RuleStateStore {
  /** All records for these symbols in one round trip, strongly consistent (symbols without an item: version 0). */
  load(symbols: readonly string[], deadline: Deadline): Promise<Map<string, SymbolRecord>>;
  /**
   * Replaces the state and takes out of the inbox the hand-overs `read` held, conditional on the version being as in
   * `read`, and, when `read` held none, on the inbox still being empty ('conflict' when another write or a hand-over
   * got there first); hand-overs made since stay.
   */
  saveState(symbol: string, read: SymbolRecord, change: StateChange, deadline: Deadline): Promise<'saved' | 'conflict'>;
  /** Appends to the symbol's inbox, whatever its version (it never conflicts); the record as it is right after. */
  handOver(symbol: string, handOver: HandOver, deadline: Deadline): Promise<SymbolRecord>;
}

/** Alert ids that could not be delivered, each with why. */
export type DeliveryFailures = Map<string, PipelineFailure>;

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
  /** Overdue alerts a symbol may hold before its new alerts are refused (retried later) instead of piling up. */
  readonly maxPending: number;
  /**
   * How long (ms of wall-clock time) a pending alert is left to the batch that raised it, whose invocation may still
   * be delivering it; after that it is overdue, and any batch of the symbol delivers it before acknowledging.
   */
  readonly deliveryGraceMs: number;
  /** Pending alerts older than this (ms) are dropped, and logged as lost: nothing could deliver them for that long. */
  readonly pendingRetentionMs: number;
}

/** What the alerting use case needs. */
export interface AlertingPorts {
  readonly rules: RuleStateStore;
  readonly alerts: AlertStore;
  readonly notifier: Notifier;
  readonly defaultRule: AlertRule;
  readonly limits: EngineLimits;
}
