/** Core vocabulary of the pipeline. Pure types: no I/O, no AWS. */

export type Zone = 'HIGH' | 'LOW' | 'NORMAL';
export type AlertType = Exclude<Zone, 'NORMAL'>;
export type TriggerMode = 'cross' | 'every';

export interface AlertRule {
  /** HIGH when the price is strictly above this. */
  readonly above: number;
  /** LOW when the price is strictly below this. */
  readonly below: number;
  readonly mode: TriggerMode;
}

/** A validated price observation, from an SQS tick or a price-bearing EventBridge event. */
export interface Tick {
  /** Deterministic identity of the observation (symbol, event time, price): equal for redeliveries and duplicates. */
  readonly key: string;
  readonly symbol: string;
  readonly price: number;
  /** Event time, epoch milliseconds. */
  readonly eventTime: number;
  readonly volume?: number;
  readonly exchange?: string;
  readonly bid?: number;
  readonly ask?: number;
}

export interface Alert {
  /** Deterministic: the same tick crossing into the same zone always yields the same id. */
  readonly alertId: string;
  readonly symbol: string;
  readonly alertType: AlertType;
  readonly price: number;
  /** The threshold that was crossed. */
  readonly threshold: number;
  readonly mode: TriggerMode;
  /** Event time of the tick, epoch milliseconds. */
  readonly eventTime: number;
  /** Key of the tick that raised it. */
  readonly tickKey: string;
}

/** The engine's memory of one symbol in `cross` mode. */
export interface SymbolState {
  readonly zone: Zone;
  /** Event time of the tick that put the symbol in this zone; older ticks change nothing. */
  readonly since: number;
  readonly tickKey: string;
  /** The most recent alerts (newest last), so a redelivered tick re-emits its alert even after later transitions. */
  readonly recentAlerts: readonly Alert[];
}
