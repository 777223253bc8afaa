/**
 * What the application needs from storage besides the pipeline's ports: rule overrides as people change them, and
 * alert queries. The adapters in src/adapters/aws implement them (DynamoRuleStore, DynamoAlertQuery), so that only
 * they know the items' schemas; tests can pass any other implementation.
 */
import type { AlertRecord } from '../adapters/alert-record.js';
import type { AlertType, RuleOverride, StoredOverride, SymbolWindow } from '../domain/index.js';

/** A symbol's item in alert-rules as the rules commands see it: the override people set and the engine's window. */
export interface SymbolRules {
  readonly symbol: string;
  readonly override?: RuleOverride;
  /** Why the stored override is refused by the rule's parser (the functions apply the default rule meanwhile). */
  readonly problem?: string;
  readonly window?: SymbolWindow;
}

/** Per-symbol rule overrides (alert-rules), changed by people; the engine's state beside them is never written. */
export interface RuleOverrides {
  /** Every symbol with an item: its override, if any, and the engine's window, if any. */
  symbols(): Promise<SymbolRules[]>;
  /** Every override, by symbol, usable or refused (only the rule attributes are read). */
  overrides(): Promise<Map<string, StoredOverride>>;
  /**
   * Set some of a symbol's rule, decided on its current override: `decide` returns the attributes to set, or throws
   * to refuse. Written only if the override is still the one decided on; otherwise `decide` is asked again.
   */
  change(symbol: string, decide: (current: StoredOverride) => RuleOverride): Promise<{ override: RuleOverride; attempts: number }>;
  /** Remove a symbol's override; false when it had none. */
  remove(symbol: string): Promise<boolean>;
}

/** Which alerts: one symbol or all, an event-time range (epoch ms, inclusive), one type, at most so many. */
export interface AlertFilter {
  readonly symbol?: string;
  readonly from?: number;
  readonly to?: number;
  readonly type?: AlertType;
  readonly limit?: number;
}

export interface AlertQuery {
  /** The stored alerts the filter selects, in event-time order (symbol order for equal times). */
  list(filter: AlertFilter): Promise<AlertRecord[]>;
}
