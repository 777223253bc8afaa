import { compareEventTime, evaluate, keyOfObservation, resolveRule, type Alert, type Tick } from '../domain/index.js';
import { describeError as describe } from './errors.js';
import type { AlertingPorts, Deadline, PendingAlert, SymbolRecord } from './ports.js';

/**
 * How many writes one symbol's state may take in one batch before its ticks are failed (and retried). Never reached
 * in practice: after a lost race the batch hands its ticks over (see settleSymbol), so within a few more writes of
 * the symbol, by anyone, they are folded in. A bound that cannot be hit by contention alone, only by a fault.
 */
export const MAX_STATE_ATTEMPTS = 50;

export type TickOutcome =
  | {
      readonly ok: true;
      /** Every alert this tick is responsible for, delivered (newly raised or re-sent). */
      readonly alerts: readonly Alert[];
      /** Those raised while this batch ran (the rest were raised before and are re-sent). */
      readonly raised: readonly Alert[];
      /** Beyond the lateness horizon: acknowledged, not applied. */
      readonly late: boolean;
    }
  | { readonly ok: false; readonly reason: string };

export interface AlertingLog {
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

/** One alert to notify and record, and which of the batch's ticks waits for it (none: every tick of the symbol). */
interface Delivery {
  readonly alert: Alert;
  readonly claimant?: string;
}

/** What one symbol's settled state asks of delivery. */
interface Settled {
  readonly deliver: readonly Delivery[];
  /** Ids of the alerts that were not pending when the batch read the symbol: raised while it ran. */
  readonly raised: ReadonlySet<string>;
  /** Keys of the batch's ticks beyond the horizon. */
  readonly late: ReadonlySet<string>;
}

/** Which pending alerts have their record (so were notified: a record is written only after that). */
class DeliveryLedger {
  private readonly checked = new Set<string>();
  readonly recorded = new Set<string>();

  constructor(
    private readonly ports: AlertingPorts,
    private readonly deadline: Deadline,
    private readonly log: AlertingLog,
  ) {}

  /** Looks up the pending alerts not looked up yet. If the lookup fails, they count as undelivered (sent again). */
  async check(pending: readonly PendingAlert[]): Promise<void> {
    const unknown = pending.map((p) => p.alert).filter((a) => !this.checked.has(a.alertId));
    if (unknown.length === 0) return;
    unknown.forEach((a) => this.checked.add(a.alertId));
    try {
      for (const id of await this.ports.alerts.recorded(unknown, this.deadline)) this.recorded.add(id);
    } catch (error) {
      this.log.warn('pending alerts not checked for delivery', { alerts: unknown.length, reason: describe(error) });
    }
  }
}

/**
 * Settle one symbol: fold the batch's ticks (and whatever other batches handed over) into its window, durably,
 * before anything is delivered. The write is conditional on the version (and the inbox) the batch read. A batch that
 * loses the race does not wait and retry alone: it appends its ticks to the symbol's inbox, which never conflicts, and
 * goes on; every write of the symbol that read the inbox folds it. So its ticks are in the window within a couple of
 * writes of the symbol by anyone, whoever wins, and no batch can be starved. It then delivers what its ticks are owed,
 * as the owner of those alerts, whoever raised them.
 */
async function settleSymbol(
  symbol: string,
  ticks: readonly Tick[],
  record: SymbolRecord,
  ledger: DeliveryLedger,
  ports: AlertingPorts,
  deadline: Deadline,
  log: AlertingLog,
  now: number,
): Promise<Settled> {
  const keys = new Set(ticks.map((t) => t.key));
  const sources = new Set(ticks.flatMap((t) => (t.source ? [t.source] : [])));
  const pendingAtStart = new Set(record.pending.map((p) => p.alert.alertId));
  const { limits } = ports;

  /** What a state asks of this batch: the alerts its ticks own, and the overdue ones of the symbol. */
  const owed = (pending: readonly PendingAlert[], late: ReadonlySet<string>, derived: readonly Delivery[] = []): Settled => {
    const deliver: Delivery[] = [...derived];
    for (const p of pending) {
      if (ledger.recorded.has(p.alert.alertId)) continue;
      const claimant = keys.has(p.owner) ? p.owner : p.source && sources.has(p.source) ? ticks.find((t) => t.source === p.source)!.key : undefined;
      if (claimant) deliver.push({ alert: p.alert, claimant });
      else if (now - p.raisedAt > limits.deliveryGraceMs) deliver.push({ alert: p.alert });
    }
    const raised = new Set(deliver.map((d) => d.alert.alertId).filter((id) => !pendingAtStart.has(id)));
    return { deliver, raised, late };
  };

  let current = record;
  let handedOver = false;
  for (let attempt = 1; ; attempt++) {
    await ledger.check(current.pending);
    const { rule, problem } = resolveRule(ports.defaultRule, current.rule);
    if (problem) log.warn('invalid alert rule', { symbol, problem });

    // `every` alerts are derived from their own tick each time it is delivered: nothing to remember.
    if (rule.mode === 'every') {
      const evaluation = evaluate(symbol, rule, undefined, ticks, limits.horizon);
      return owed(
        current.pending,
        new Set(),
        evaluation.raised.map((r) => ({ alert: r.alert, claimant: r.owner })),
      );
    }

    // Handed over and since folded by another batch: the state says what became of the ticks.
    if (handedOver && !ticks.some((t) => current.inbox.some((h) => h.key === t.key))) {
      return owed(current.pending, lateIn(symbol, current, ticks));
    }

    const evaluation = evaluate(symbol, rule, current.window, [...current.inbox, ...ticks], limits.horizon);
    const late = new Set(evaluation.late.filter((t) => keys.has(t.key)).map((t) => t.key));
    if (!evaluation.next && current.inbox.length === 0) return owed(current.pending, late);

    const { pending, overdue } = nextPending(symbol, current.pending, ledger.recorded, keys, now, limits, log);
    if (evaluation.raised.length > 0 && overdue >= limits.maxPending) {
      throw new Error(`${overdue} alerts of ${symbol} are still waiting for delivery; new alerts wait until they are delivered`);
    }
    const added: PendingAlert[] = evaluation.raised.map(({ alert, owner }) => {
      const source = [...ticks, ...current.inbox].find((t) => t.key === owner)?.source;
      return { alert, owner, ...(source && { source }), raisedAt: now };
    });
    const window = evaluation.next ?? current.window ?? { observations: [], truncated: false };
    const change = { window, pending: [...pending, ...added] };
    const saved = await ports.rules.saveState(symbol, current, change, deadline);
    if (saved === 'saved') return owed(change.pending, late);
    if (attempt >= MAX_STATE_ATTEMPTS) throw new Error(`state of ${symbol} kept changing under ${attempt} concurrent updates`);
    if (handedOver) {
      current = saved.conflict;
    } else {
      current = await ports.rules.handOver(symbol, ticks, deadline);
      handedOver = true;
    }
  }
}

/** The batch's ticks that another batch's fold left beyond the horizon: sorting before a truncated window's start. */
function lateIn(symbol: string, state: SymbolRecord, ticks: readonly Tick[]): Set<string> {
  const first = state.window?.observations[0];
  if (!state.window?.truncated || !first) return new Set();
  const firstKey = keyOfObservation(symbol, first);
  return new Set(ticks.filter((t) => compareEventTime(t.eventTime, t.key, first.eventTime, firstKey) < 0).map((t) => t.key));
}

/**
 * The pending alerts a write keeps: those without a record, except any undeliverable for the whole retention (logged
 * as lost: nothing could deliver them for that long). `overdue` counts those past their raiser's grace.
 */
function nextPending(
  symbol: string,
  pending: readonly PendingAlert[],
  recorded: ReadonlySet<string>,
  keys: ReadonlySet<string>,
  now: number,
  limits: AlertingPorts['limits'],
  log: AlertingLog,
): { pending: PendingAlert[]; overdue: number } {
  const kept: PendingAlert[] = [];
  let overdue = 0;
  for (const p of pending) {
    if (recorded.has(p.alert.alertId)) continue;
    const age = now - p.raisedAt;
    if (age > limits.pendingRetentionMs && !keys.has(p.owner)) {
      log.error('pending alert dropped undelivered after the retention period', { symbol, alertId: p.alert.alertId, raisedAt: p.raisedAt });
      continue;
    }
    if (age > limits.deliveryGraceMs) overdue++;
    kept.push(p);
  }
  return { pending: kept, overdue };
}

/**
 * Raise the alerts for a set of validated ticks: read rules and state once, settle each symbol, notify, then record
 * what SNS accepted (so a record means "notified"). A tick succeeds only when each alert it is responsible for, and
 * each overdue alert of its symbol, is both accepted for notification and recorded. Results are keyed by tick key.
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
  const ledger = new DeliveryLedger(ports, deadline, log);
  // One lookup for the whole batch first; later ones only for what a lost race brought.
  await ledger.check([...records.values()].flatMap((r) => r.pending));

  const settled = new Map<string, Settled>();
  await Promise.all(
    [...groups].map(async ([symbol, group]) => {
      try {
        const record = records.get(symbol) ?? { pending: [], inbox: [], version: 0 };
        settled.set(symbol, await settleSymbol(symbol, group, record, ledger, ports, deadline, log, now));
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
    const mine = s.deliver.filter((d) => d.claimant === tick.key).map((d) => d.alert);
    const waitedFor = [...mine, ...s.deliver.filter((d) => d.claimant === undefined).map((d) => d.alert)];
    const failed = waitedFor.find((a) => failures.has(a.alertId));
    outcomes.set(
      tick.key,
      failed
        ? { ok: false, reason: failures.get(failed.alertId)! }
        : { ok: true, alerts: mine, raised: mine.filter((a) => s.raised.has(a.alertId)), late: s.late.has(tick.key) },
    );
  }
  return outcomes;
}
