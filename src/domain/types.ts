/** Core vocabulary of the pipeline. Pure types: no I/O, no AWS. */

export type Zone = 'HIGH' | 'LOW' | 'NORMAL';
/** An alert's type: the zone of the run that raised it, INSIDE for a run inside a channel (a NORMAL run). */
export type AlertType = 'HIGH' | 'LOW' | 'INSIDE';
export const ALERT_TYPES: readonly AlertType[] = ['HIGH', 'LOW', 'INSIDE'];
export type TriggerMode = 'cross' | 'every';

/**
 * Hysteresis: how far the price must come back past a threshold, into the NORMAL band, before that threshold can
 * alert again. An amount of price (`0.5`) or a percentage of the threshold (`"0.5%"`); 0 re-arms at once.
 */
export type Rearm = number | `${number}%`;

/** The kinds of condition a rule can be (src/domain/conditions). */
export type ConditionKind = 'thresholds' | 'crosses' | 'channel';

/** What about a channel (the band between `below` and `above`) alerts: going in, going out, a stretch in, or out. */
export type ChannelEvent = 'entering' | 'exiting' | 'inside' | 'outside';

/** Which crossings of a level alert: up (from at or under it to over it), down, or either. */
export type CrossDirection = 'up' | 'down' | 'either';

/**
 * A rule as the engine applies it. A thresholds rule alerts on runs of HIGH (above `above`) and LOW (below `below`);
 * a crosses rule (conditions/crosses.ts) is the same with `above` = `below` = its level and `crossing` set, so that
 * a run alerts only when something came before it: the price crossed the level to get there.
 */
export interface AlertRule {
  /** HIGH when the price is strictly above this. */
  readonly above: number;
  /** LOW when the price is strictly below this. */
  readonly below: number;
  readonly mode: TriggerMode;
  /** Hysteresis of both thresholds (`cross` mode only); none when absent. */
  readonly rearm?: Rearm;
  /** A crosses rule: which crossings of the level (`above` = `below`) alert. */
  readonly crossing?: CrossDirection;
  /** A channel rule: what about the band between `below` and `above` alerts. */
  readonly channel?: ChannelEvent;
  /**
   * Expiry, epoch ms of event time: a run that starts after it (a tick after it, in `every` mode) raises nothing.
   * The rule stays in place, so a late tick that moves a run's start back before it still raises the run's alert.
   */
  readonly until?: number;
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
  /**
   * The message it came from, when its key depends on delivery: a tick without a timestamp is timed by the queue's
   * SentTimestamp, which a redrive from the dead-letter queue changes (and its key with it). Alerts it owns stay
   * claimable by the redriven copy through this.
   */
  readonly source?: string;
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
  /**
   * The kind of rule that raised it, when not thresholds: a crossing of the level `threshold` (HIGH up, LOW down), or
   * a channel (HIGH or LOW out of it over `threshold`, INSIDE it with `threshold` the nearer edge).
   */
  readonly kind?: Exclude<ConditionKind, 'thresholds'>;
}

/**
 * One price observation as the `cross` engine remembers it: where it sits in event time, its price (with the symbol,
 * that is its tick key), the zone it was in under the rule of the time, and whether it carries its run's alert.
 */
export interface Observation {
  /** Event time, epoch milliseconds. */
  readonly eventTime: number;
  readonly price: number;
  /** The zone of its run: its price's, unless the price is still re-arming the HIGH or LOW run before it (window.ts). */
  readonly zone: Zone;
  /** The run (maximal stretch of this zone) containing this observation has raised its alert. */
  readonly marked: boolean;
}

/**
 * The thresholds that decide a zone, and the hysteresis that decides where a run ends; an alert's threshold comes
 * from the same thresholds that gave its zone.
 */
export type Thresholds = Pick<AlertRule, 'above' | 'below' | 'rearm' | 'crossing' | 'channel' | 'until'>;

/**
 * The engine's memory of one symbol in `cross` mode: its most recent observations in event-time order. Its invariants
 * (order, unique keys, one mark per run, bounds) are stated and checked by `windowProblems` (window.ts).
 */
export interface SymbolWindow {
  /** Sorted by event time, ties by tick key; never more than the horizon. */
  readonly observations: readonly Observation[];
  /** Older observations were dropped: a tick that sorts before the first one is beyond the horizon (late). */
  readonly truncated: boolean;
  /**
   * The thresholds every observation's zone was decided with. Absent only in a window stored before windows kept
   * it; the engine then takes the zones as they are and adopts the rule in force.
   */
  readonly thresholds?: Thresholds;
}

/** An alert raised by a batch, with the tick whose message must stay unacknowledged until the alert is delivered. */
export interface RaisedAlert {
  readonly alert: Alert;
  /** Key of the tick that caused it. */
  readonly owner: string;
}
