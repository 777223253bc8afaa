import { TABLES } from '../../resources/index.js';
import {
  RULE_FIELDS,
  parseRuleOverride,
  tickKey,
  type Alert,
  type AlertType,
  type ChannelEvent,
  type CrossDirection,
  type Rearm,
  type StoredOverride,
  type SymbolWindow,
  type TriggerMode,
} from '../../domain/index.js';
import type { HandOver, PendingAlert, SymbolRecord } from '../../pipeline/ports.js';
import { decodeWindow } from './window-codec.js';

/**
 * The alert-rules item, one per symbol: what this file says about it is all that anything knows of its schema. The
 * rule override (`kind`, `above`, `below`, `mode`, `rearm`, `level`, `direction`, `on`, `until`: written by people through the CLI) and the engine state (`window`,
 * `pending`, `version`: written by the functions) share the item, and neither writer touches the other's attributes.
 */
export const KEY = TABLES.alertRules.partitionKey.name;

export type Item = Record<string, unknown>;

/** The rule override's attributes: the rule's own fields, named as the rule names them. */
export const RULE_ATTRIBUTES = RULE_FIELDS;
export type RuleAttribute = (typeof RULE_ATTRIBUTES)[number];

/**
 * The engine's attributes: the packed window, the pending alerts (a map by alert id), the inbox of ticks handed over
 * by batches that lost a race (a list, appended to without a condition), and the version guarding them.
 */
export const STATE = { window: 'window', pending: 'pending', inbox: 'inbox', version: 'version' } as const;

/** Attributes of the first engine version (zone and recent alerts); removed on the first write of the new state. */
export const RETIRED_ATTRIBUTES = ['zone', 'since', 'tick_key', 'recent_alerts'] as const;

/** The override of an item (plain values), as the rule's parser reads it; neither when the item sets no rule attribute. */
export function ruleOverrideOf(item: Readonly<Item>): StoredOverride {
  const attributes = Object.fromEntries(RULE_ATTRIBUTES.filter((a) => item[a] !== undefined).map((a) => [a, item[a]]));
  if (Object.keys(attributes).length === 0) return {};
  const parsed = parseRuleOverride(attributes);
  return parsed.ok ? { override: parsed.value } : { problem: parsed.reason };
}

/** The stored form of a pending alert (its id is the map key, its symbol the item's). */
interface PendingItem {
  readonly alert_type: AlertType;
  readonly price: number;
  readonly threshold: number;
  readonly mode: TriggerMode;
  readonly event_time: number;
  readonly tick_key: string;
  readonly kind?: Alert['kind'];
  readonly owner: string;
  readonly source?: string;
  readonly raised_at: number;
}

export const pendingItem = ({ alert, owner, source, raisedAt }: PendingAlert): PendingItem => ({
  alert_type: alert.alertType,
  price: alert.price,
  threshold: alert.threshold,
  mode: alert.mode,
  event_time: alert.eventTime,
  tick_key: alert.tickKey,
  ...(alert.kind && { kind: alert.kind }),
  owner,
  ...(source && { source }),
  raised_at: raisedAt,
});

/**
 * A hand-over as the inbox keeps it: the thresholds, its time, and its ticks' event times, prices and (for ticks timed
 * by the queue) sources side by side; a tick's key follows from the symbol, event time and price.
 */
interface InboxEntry {
  readonly above: number;
  readonly below: number;
  /** The hysteresis the ticks were judged with, when there was one. */
  readonly rearm?: Rearm;
  /** The crossing they were judged by, for a crosses rule. */
  readonly crossing?: CrossDirection;
  /** The rule's expiry (epoch ms), when it had one. */
  readonly until?: number;
  /** What about the channel alerted, for a channel rule. */
  readonly channel?: ChannelEvent;
  readonly at: number;
  readonly t: readonly number[];
  readonly p: readonly number[];
  /** Index of the tick → its source, for the ticks that have one. */
  readonly s?: Readonly<Record<string, string>>;
}

export function inboxEntry({ ticks, thresholds, at }: HandOver): InboxEntry {
  const sources = Object.fromEntries(ticks.flatMap((tick, i) => (tick.source ? [[String(i), tick.source]] : [])));
  return {
    above: thresholds.above,
    below: thresholds.below,
    ...(thresholds.rearm !== undefined && { rearm: thresholds.rearm }),
    ...(thresholds.crossing && { crossing: thresholds.crossing }),
    ...(thresholds.until !== undefined && { until: thresholds.until }),
    ...(thresholds.channel && { channel: thresholds.channel }),
    at,
    t: ticks.map((tick) => tick.eventTime),
    p: ticks.map((tick) => tick.price),
    ...(Object.keys(sources).length > 0 && { s: sources }),
  };
}

function inboxOf(symbol: string, value: unknown): HandOver[] {
  if (!Array.isArray(value)) return [];
  return (value as InboxEntry[]).map(({ above, below, rearm, crossing, until, channel, at, t, p, s }) => ({
    thresholds: {
      above,
      below,
      ...(rearm !== undefined && { rearm }),
      ...(crossing && { crossing }),
      ...(until !== undefined && { until }),
      ...(channel && { channel }),
    },
    at,
    ticks: t.map((eventTime, i) => {
      const price = p[i]!;
      const source = s?.[String(i)];
      return { key: tickKey(symbol, eventTime, price), symbol, price, eventTime, ...(source && { source }) };
    }),
  }));
}

function pendingOf(symbol: string, value: unknown): PendingAlert[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, PendingItem>).map(([alertId, p]) => ({
    alert: {
      alertId,
      symbol,
      alertType: p.alert_type,
      price: p.price,
      threshold: p.threshold,
      mode: p.mode,
      eventTime: p.event_time,
      tickKey: p.tick_key,
      ...((p.kind === 'crosses' || p.kind === 'channel') && { kind: p.kind }),
    },
    owner: p.owner,
    ...(p.source && { source: p.source }),
    raisedAt: p.raised_at,
  }));
}

function windowOf(value: unknown): SymbolWindow | undefined {
  return value instanceof Uint8Array ? decodeWindow(value) : undefined;
}

export function recordOf(item: Item | undefined): SymbolRecord {
  if (!item) return { pending: [], inbox: [], version: 0 };
  const { override: rule, problem } = ruleOverrideOf(item);
  const window = windowOf(item[STATE.window]);
  return {
    ...(rule && { rule }),
    ...(problem && { ruleProblem: problem }),
    ...(window && { window }),
    pending: pendingOf(item.symbol as string, item[STATE.pending]),
    inbox: inboxOf(item.symbol as string, item[STATE.inbox]),
    version: typeof item[STATE.version] === 'number' ? (item[STATE.version] as number) : 0,
  };
}
