import { evaluate, resolveRule, thresholdsOf, type Alert, type SymbolWindow, type Tick } from '../domain/index.js';
import { describeError as describe } from './errors.js';
import { PipelineFailure } from './failures.js';
import type { AlertingPorts, Deadline, HandOver, PendingAlert, SymbolRecord } from './ports.js';

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
  | { readonly ok: false; readonly failure: PipelineFailure };

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

/** Hand-overs that make a batch that hands over take the inbox into the window as well. */
export const COMPACT_AT = 4;

/** What the inbox comes to: the window with every hand-over folded in, in turn, and the alerts they raise. */
interface Folded {
  readonly window?: SymbolWindow;
  /** Each alert raised, owned by a handed-over tick, as raised at its hand-over. */
  readonly raised: readonly PendingAlert[];
  readonly late: ReadonlySet<string>;
}

/**
 * Fold the inbox into the window, one hand-over at a time in the order they came, each under the thresholds its batch
 * judged it by: the same inbox always comes to the same window and the same alerts, whoever reads it.
 */
function foldInbox(symbol: string, window: SymbolWindow | undefined, inbox: readonly HandOver[], horizon: number): Folded {
  let current = window;
  const raised: PendingAlert[] = [];
  const late = new Set<string>();
  for (const handed of inbox) {
    const evaluation = evaluate(symbol, { ...handed.thresholds, mode: 'cross' }, current, handed.ticks, horizon);
    for (const { alert, owner } of evaluation.raised) {
      const source = handed.ticks.find((t) => t.key === owner)?.source;
      raised.push({ alert, owner, ...(source && { source }), raisedAt: handed.at });
    }
    evaluation.late.forEach((t) => late.add(t.key));
    current = evaluation.next ?? current;
  }
  return { ...(current && { window: current }), raised, late };
}

/**
 * Settle one symbol, durably, before anything is delivered. A symbol's ticks are folded into its window in one order
 * every instance agrees on: the order of the writes. When nothing is handed over, the batch folds its ticks straight
 * in, conditional on the version it read and on the inbox still being empty. Otherwise (someone else wrote first, or
 * others are handing over) it appends its ticks to the symbol's inbox, an update that cannot lose, and the inbox as it
 * stands right after says what they come to (see foldInbox): the batch knows at once which alerts its ticks raise, and
 * delivers them. Every few hand-overs a batch takes the inbox into the window (compact). No batch waits, retries or can
 * be starved, and contention costs about one more write.
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
  const mine = (late: Iterable<string>) => new Set([...late].filter((key) => keys.has(key)));
  // Whether an alert found since the batch's first lookup was delivered matters only if the batch would send it as
  // overdue; the rest are looked up by a later batch before they are forgotten.
  const overdueOf = (pending: readonly PendingAlert[]) => pending.filter((p) => now - p.raisedAt > limits.deliveryGraceMs);

  /** What a state asks of this batch: the alerts its ticks own, and the overdue ones of the symbol. */
  const owed = (pending: readonly PendingAlert[], late: ReadonlySet<string>, derived: readonly Delivery[] = []): Settled => {
    const deliver: Delivery[] = [...derived];
    for (const p of pending) {
      if (ledger.recorded.has(p.alert.alertId) || deliver.some((d) => d.alert.alertId === p.alert.alertId)) continue;
      const claimant = keys.has(p.owner) ? p.owner : p.source && sources.has(p.source) ? ticks.find((t) => t.source === p.source)!.key : undefined;
      if (claimant) deliver.push({ alert: p.alert, claimant });
      else if (now - p.raisedAt > limits.deliveryGraceMs) deliver.push({ alert: p.alert });
    }
    const raised = new Set(deliver.map((d) => d.alert.alertId).filter((id) => !pendingAtStart.has(id)));
    return { deliver, raised, late };
  };

  const { rule, problem } = resolveRule(ports.defaultRule, record.rule, record.ruleProblem);
  if (problem) log.warn('invalid alert rule', { symbol, problem });

  // `every` alerts are derived from their own tick each time it is delivered: nothing to remember.
  if (rule.mode === 'every') {
    const evaluation = evaluate(symbol, rule, undefined, ticks, limits.horizon);
    return owed(
      record.pending,
      new Set(),
      evaluation.raised.map((r) => ({ alert: r.alert, claimant: r.owner })),
    );
  }

  const folded = foldInbox(symbol, record.window, record.inbox, limits.horizon);
  const evaluation = evaluate(symbol, rule, folded.window, ticks, limits.horizon);
  const pendingNow = [...record.pending, ...folded.raised];
  await ledger.check(overdueOf(folded.raised));
  if (!evaluation.next) return owed(pendingNow, mine([...folded.late, ...evaluation.late.map((t) => t.key)]));
  const { pending, overdue } = nextPending(symbol, pendingNow, ledger.recorded, keys, now, limits, log);
  if (evaluation.raised.length > 0 && overdue >= limits.maxPending) {
    throw new PipelineFailure('backlog', `${overdue} alerts of ${symbol} are still waiting for delivery; new alerts wait until they are delivered`);
  }

  // Nothing handed over: fold the ticks straight into the window, if no other write or hand-over comes first.
  if (record.inbox.length === 0) {
    const added: PendingAlert[] = evaluation.raised.map(({ alert, owner }) => {
      const source = ticks.find((t) => t.key === owner)?.source;
      return { alert, owner, ...(source && { source }), raisedAt: now };
    });
    const change = { window: evaluation.next, pending: [...pending, ...added] };
    if ((await ports.rules.saveState(symbol, record, change, deadline)) === 'saved')
      return owed(change.pending, mine(evaluation.late.map((t) => t.key)));
  }

  // Contended: hand the ticks over, and read what they come to off the inbox as it stands right after.
  const after = await ports.rules.handOver(symbol, { ticks, thresholds: thresholdsOf(rule), at: now }, deadline);
  const inbox = foldInbox(symbol, after.window, after.inbox, limits.horizon);
  await ledger.check(overdueOf([...after.pending, ...inbox.raised]));
  if (after.inbox.length >= COMPACT_AT) await compact(symbol, after, inbox, ledger, ports, deadline, log, now);
  return owed([...after.pending, ...inbox.raised], mine(inbox.late));
}

/**
 * Take the inbox into the window once it holds COMPACT_AT hand-overs: the window and outbox they come to are written,
 * and just those hand-overs leave the inbox (later ones stay), on condition that no other write came first; if one
 * did, it compacted, and nothing is lost by giving up.
 */
async function compact(
  symbol: string,
  read: SymbolRecord,
  inbox: Folded,
  ledger: DeliveryLedger,
  ports: AlertingPorts,
  deadline: Deadline,
  log: AlertingLog,
  now: number,
): Promise<void> {
  if (!inbox.window) return;
  const { pending } = nextPending(symbol, [...read.pending, ...inbox.raised], ledger.recorded, new Set(), now, ports.limits, log);
  await ports.rules.saveState(symbol, read, { window: inbox.window, pending }, deadline);
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
  const failAll = (group: readonly Tick[], failure: PipelineFailure) => group.forEach((t) => outcomes.set(t.key, { ok: false, failure }));

  const groups = Map.groupBy(ticks, (t) => t.symbol);
  let records: Map<string, SymbolRecord>;
  try {
    records = await ports.rules.load([...groups.keys()], deadline);
  } catch (error) {
    failAll(ticks, new PipelineFailure('rules', describe(error), { cause: error }));
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
        failAll(
          group,
          error instanceof PipelineFailure ? error : new PipelineFailure('state', `alert state not updated: ${describe(error)}`, { cause: error }),
        );
      }
    }),
  );

  const deliver = [...settled.values()].flatMap((s) => s.deliver);
  const alerts = [...new Map(deliver.map((d) => [d.alert.alertId, d.alert])).values()];
  const failures = await ports.notifier.notify(alerts, deadline);
  const notified = alerts.filter((a) => !failures.has(a.alertId));
  for (const [id, failure] of await ports.alerts.putAlerts(notified, deadline)) failures.set(id, failure);

  for (const tick of ticks) {
    if (outcomes.has(tick.key)) continue;
    const s = settled.get(tick.symbol)!;
    const mine = s.deliver.filter((d) => d.claimant === tick.key).map((d) => d.alert);
    const waitedFor = [...mine, ...s.deliver.filter((d) => d.claimant === undefined).map((d) => d.alert)];
    const failed = waitedFor.find((a) => failures.has(a.alertId));
    outcomes.set(
      tick.key,
      failed
        ? { ok: false, failure: failures.get(failed.alertId)! }
        : { ok: true, alerts: mine, raised: mine.filter((a) => s.raised.has(a.alertId)), late: s.late.has(tick.key) },
    );
  }
  return outcomes;
}
