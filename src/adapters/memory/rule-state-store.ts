import type { RuleOverride } from '../../domain/index.js';
import type { Deadline, HandOver, RuleStateStore, StateChange, SymbolRecord } from '../../pipeline/ports.js';

/**
 * The alert-rules table in memory: per-symbol rule overrides and engine state, with the same guard as the DynamoDB
 * adapter (a save on a stale version is a conflict; it takes out of the inbox what it read). Records are immutable values, so nothing is copied.
 */
export class MemoryRuleStateStore implements RuleStateStore {
  private readonly records = new Map<string, SymbolRecord>();

  constructor(overrides: ReadonlyMap<string, RuleOverride> = new Map()) {
    for (const [symbol, rule] of overrides) this.records.set(symbol, { rule, pending: [], inbox: [], version: 0 });
  }

  async load(symbols: readonly string[], _deadline?: Deadline): Promise<Map<string, SymbolRecord>> {
    return new Map(symbols.map((symbol) => [symbol, this.get(symbol)]));
  }

  /** The record as it is now. */
  async current(symbol: string): Promise<SymbolRecord> {
    return this.get(symbol);
  }

  async saveState(symbol: string, read: SymbolRecord, change: StateChange, _deadline?: Deadline): Promise<'saved' | 'conflict'> {
    const current = this.get(symbol);
    if (current.version !== read.version || (read.inbox.length === 0 && current.inbox.length > 0)) return 'conflict';
    this.records.set(symbol, {
      ...(current.rule && { rule: current.rule }),
      window: change.window,
      pending: change.pending,
      // What was handed over since the read stays for the next write.
      inbox: current.inbox.slice(read.inbox.length),
      version: read.version + 1,
    });
    return 'saved';
  }

  async handOver(symbol: string, handOver: HandOver, _deadline?: Deadline): Promise<SymbolRecord> {
    const current = this.get(symbol);
    const next = { ...current, inbox: [...current.inbox, handOver] };
    this.records.set(symbol, next);
    return next;
  }

  /** Symbols with a record (an override, or engine state). */
  get size(): number {
    return this.records.size;
  }

  private get(symbol: string): SymbolRecord {
    return this.records.get(symbol) ?? { pending: [], inbox: [], version: 0 };
  }
}
