import { evaluate, resolveRule, type Alert, type RaisedAlert, type Tick } from '../domain/index.js';
import { describeError as describe } from './errors.js';
import type { AlertingPorts, Deadline, PendingAlert, SymbolRecord } from './ports.js';

/** How often a symbol's state update is re-attempted after losing a race to a concurrent batch. */
export const MAX_STATE_CONFLICTS = 25;

/**
 * After losing a race, wait a random while (full jitter, 10 ms doubling to at most 250 ms) before re-reading, so the
 * batches that lost together do not collide again at once: fewer wasted conditional writes, each of which costs.
 */
export function contentionPause(attempt: number, deadline: Deadline, random: () => number = Math.random): Promise<void> {
  const ms = Math.min(Math.floor(random() * Math.min(250, 10 * 2 ** attempt)), Math.max(0, deadline.remainingMs() / 4));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type TickOutcome =
  | {
      readonly ok: true;
      /** Every alert this tick is responsible for, delivered (newly raised or re-sent). */
      readonly alerts: readonly Alert[];
      /** Those raised by this batch (the rest were raised before and are re-sent). */
      readonly raised: readonly Alert[];
      /** Beyond the lateness horizon: acknowledged, not applied. */
      readonly late: boolean;
    }
  | { readonly ok: false; readonly reason: string };

export interface AlertingLog {
  warn(message: string, fields: Record<string, unknown>): void;
}

/** What one symbol's settled state asks of delivery. */
interface Settled {
  /** Alerts to notify and record, each with the tick that waits for it. */
  readonly deliver: readonly RaisedAlert[];
  /** Ids raised by this batch. */
  readonly raised: ReadonlySet<string>;
  /** Keys of the ticks beyond the horizon. */
  readonly late: ReadonlySet<string>;
}

/**
 * Evaluate one symbol and make its new state durable before anything is delivered. The version-conditional update
 * makes concurrent batches safe: the loser re-reads the winner's state and evaluates its ticks again, so a run is
 * raised once. New alerts join the symbol's pending set in the same write, and pending alerts known to be delivered
 * (`recorded`) or past retention leave it; alerts pending for one of this batch's ticks are delivered again.
 */
async function settleSymbol(
  symbol: string,
  ticks: readonly Tick[],
  record: SymbolRecord,
  recorded: ReadonlySet<string>,
  ports: AlertingPorts,
  deadline: Deadline,
  log: AlertingLog,
  now: number,
): Promise<Settled> {
  const keys = new Set(ticks.map((t) => t.key));
  let current = record;
  for (let attempt = 1; ; attempt++) {
    const { rule, problem } = resolveRule(ports.defaultRule, current.rule);
    if (problem) log.warn('invalid alert rule', { symbol, problem });
    const evaluation = evaluate(symbol, rule, current.window, ticks, ports.limits.horizon);
    // Owed: raised for one of these ticks by an earlier delivery of it, and not known to be delivered.
    const owed = current.pending.filter((p) => keys.has(p.owner) && !recorded.has(p.alert.alertId));
    const settled = (raised: readonly RaisedAlert[]): Settled => ({
      deliver: [...raised, ...owed],
      raised: new Set(raised.map((r) => r.alert.alertId)),
      late: new Set(evaluation.late.map((t) => t.key)),
    });
    // `every` alerts are derived from their own tick each time it is delivered: nothing to remember.
    if (rule.mode === 'every') return settled(evaluation.raised);
    // Nothing changed: no write (forgetting delivered alerts waits for a write that happens anyway).
    if (!evaluation.next) return settled([]);

    const kept = current.pending.filter(
      (p) => !recorded.has(p.alert.alertId) && (now - p.raisedAt <= ports.limits.pendingRetentionMs || keys.has(p.owner)),
    );
    if (evaluation.raised.length > 0 && kept.length + evaluation.raised.length > ports.limits.maxPending) {
      throw new Error(`${kept.length} alerts of ${symbol} are still waiting for delivery; new alerts wait until they are delivered`);
    }
    const added: PendingAlert[] = evaluation.raised.map((r) => ({ ...r, raisedAt: now }));
    if ((await ports.rules.saveState(symbol, current.version, { window: evaluation.next, pending: [...kept, ...added] }, deadline)) === 'saved') {
      return settled(evaluation.raised);
    }
    if (attempt >= MAX_STATE_CONFLICTS) throw new Error(`state of ${symbol} kept changing under ${attempt} concurrent updates`);
    await (ports.pause ?? contentionPause)(attempt, deadline);
    current = await ports.rules.reload(symbol, deadline);
  }
}

/**
 * Which of the symbols' pending alerts have their record, i.e. were delivered: those are neither sent again nor kept.
 * One read for the whole batch, only when something is pending; if it fails, nothing is forgotten this time.
 */
async function deliveredEarlier(
  records: ReadonlyMap<string, SymbolRecord>,
  ports: AlertingPorts,
  deadline: Deadline,
  log: AlertingLog,
): Promise<Set<string>> {
  const candidates = [...records.values()].flatMap((r) => r.pending.map((p) => p.alert));
  if (candidates.length === 0) return new Set();
  try {
    return await ports.alerts.recorded(candidates, deadline);
  } catch (error) {
    log.warn('pending alerts not checked for delivery', { alerts: candidates.length, reason: describe(error) });
    return new Set();
  }
}

/**
 * Raise the alerts for a set of validated ticks: read rules and state once, settle each symbol, notify, then record
 * what SNS accepted (so a record means "notified"). A tick succeeds only when each alert it is responsible for is
 * both accepted for notification and recorded. Results are keyed by tick key.
 */
export async function raiseAlerts(
  ticks: readonly Tick[],
  ports: AlertingPorts,
  deadline: Deadline,
  log: AlertingLog,
  now: number = Date.now(),
): Promise<Map<string, TickOutcome>> {
  const outcomes = new Map<string, TickOutcome>();
  if (ticks.length === 0) return outcomes;
  const failAll = (group: readonly Tick[], reason: string) => group.forEach((t) => outcomes.set(t.key, { ok: false, reason }));

  const groups = Map.groupBy(ticks, (t) => t.symbol);
  let records: Map<string, SymbolRecord>;
  try {
    records = await ports.rules.load([...groups.keys()], deadline);
  } catch (error) {
    failAll(ticks, describe(error));
    return outcomes;
  }
  const recorded = await deliveredEarlier(records, ports, deadline, log);

  const settled = new Map<string, Settled>();
  await Promise.all(
    [...groups].map(async ([symbol, group]) => {
      try {
        const record = records.get(symbol) ?? { pending: [], version: 0 };
        settled.set(symbol, await settleSymbol(symbol, group, record, recorded, ports, deadline, log, now));
      } catch (error) {
        failAll(group, `alert state not updated: ${describe(error)}`);
      }
    }),
  );

  const deliver = [...settled.values()].flatMap((s) => s.deliver);
  const alerts = [...new Map(deliver.map((d) => [d.alert.alertId, d.alert])).values()];
  const failures = await ports.notifier.notify(alerts, deadline);
  const notified = alerts.filter((a) => !failures.has(a.alertId));
  for (const [id, reason] of await ports.alerts.putAlerts(notified, deadline)) failures.set(id, reason);

  for (const tick of ticks) {
    if (outcomes.has(tick.key)) continue;
    const s = settled.get(tick.symbol)!;
    const mine = s.deliver.filter((d) => d.owner === tick.key).map((d) => d.alert);
    const failed = mine.find((a) => failures.has(a.alertId));
    outcomes.set(
      tick.key,
      failed
        ? { ok: false, reason: failures.get(failed.alertId)! }
        : { ok: true, alerts: mine, raised: mine.filter((a) => s.raised.has(a.alertId)), late: s.late.has(tick.key) },
    );
  }
  return outcomes;
}
