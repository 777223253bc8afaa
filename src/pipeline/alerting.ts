import { evaluate, resolveRule, type Alert, type EmittedAlert, type Tick } from '../domain/index.js';
import type { AlertingPorts, Deadline, SymbolRecord } from './ports.js';

/** How often a symbol's state update is re-attempted after losing a race to a concurrent batch. */
export const MAX_STATE_CONFLICTS = 10;

export type TickOutcome = { readonly ok: true; readonly alerts: readonly Alert[]; readonly raised: readonly Alert[] } | { readonly ok: false; readonly reason: string };

export interface AlertingLog {
  warn(message: string, fields: Record<string, unknown>): void;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function groupBySymbol(ticks: readonly Tick[]): Map<string, Tick[]> {
  const groups = new Map<string, Tick[]>();
  for (const tick of ticks) {
    const group = groups.get(tick.symbol);
    if (group) group.push(tick);
    else groups.set(tick.symbol, [tick]);
  }
  return groups;
}

/**
 * Evaluate one symbol and make its state change durable. The version-conditional update is what makes concurrent
 * batches safe: the loser re-reads the winner's state and evaluates its ticks again, so a transition is raised once.
 */
async function settleSymbol(
  symbol: string,
  ticks: readonly Tick[],
  record: SymbolRecord,
  ports: AlertingPorts,
  deadline: Deadline,
  log: AlertingLog,
): Promise<readonly EmittedAlert[]> {
  let current = record;
  for (let attempt = 1; ; attempt++) {
    const { rule, problem } = resolveRule(ports.defaultRule, current.rule);
    if (problem) log.warn('invalid alert rule', { symbol, problem });
    const evaluation = evaluate(rule, current.state, ticks);
    if (!evaluation.nextState) return evaluation.alerts;
    if ((await ports.rules.saveState(symbol, current.version, evaluation.nextState, deadline)) === 'saved') return evaluation.alerts;
    if (attempt >= MAX_STATE_CONFLICTS) throw new Error(`state of ${symbol} kept changing under ${attempt} concurrent updates`);
    current = await ports.rules.reload(symbol, deadline);
  }
}

/**
 * Raise the alerts for a set of validated ticks: read rules and state once, settle each symbol, write the alerts in
 * batches, then notify. A tick succeeds only when each of its alerts is both written and accepted for notification.
 * Results are keyed by tick key.
 */
export async function raiseAlerts(ticks: readonly Tick[], ports: AlertingPorts, deadline: Deadline, log: AlertingLog): Promise<Map<string, TickOutcome>> {
  const outcomes = new Map<string, TickOutcome>();
  if (ticks.length === 0) return outcomes;
  const failAll = (group: readonly Tick[], reason: string) => group.forEach((t) => outcomes.set(t.key, { ok: false, reason }));

  const groups = groupBySymbol(ticks);
  let records: Map<string, SymbolRecord>;
  try {
    records = await ports.rules.load([...groups.keys()], deadline);
  } catch (error) {
    failAll(ticks, describe(error));
    return outcomes;
  }

  const emitted: EmittedAlert[] = [];
  await Promise.all(
    [...groups].map(async ([symbol, group]) => {
      try {
        emitted.push(...(await settleSymbol(symbol, group, records.get(symbol) ?? { version: 0 }, ports, deadline, log)));
      } catch (error) {
        failAll(group, `alert state not updated: ${describe(error)}`);
      }
    }),
  );

  const alerts = [...new Map(emitted.map((e) => [e.alert.alertId, e.alert])).values()];
  const failures = await ports.alerts.putAlerts(alerts, deadline);
  const written = alerts.filter((a) => !failures.has(a.alertId));
  for (const [id, reason] of await ports.notifier.notify(written, deadline)) failures.set(id, reason);

  const byTick = new Map<string, EmittedAlert[]>();
  for (const e of emitted) byTick.set(e.tickKey, [...(byTick.get(e.tickKey) ?? []), e]);
  for (const tick of ticks) {
    if (outcomes.has(tick.key)) continue;
    const mine = byTick.get(tick.key) ?? [];
    const failed = mine.find((e) => failures.has(e.alert.alertId));
    outcomes.set(
      tick.key,
      failed
        ? { ok: false, reason: failures.get(failed.alert.alertId) as string }
        : { ok: true, alerts: mine.map((e) => e.alert), raised: mine.filter((e) => !e.replay).map((e) => e.alert) },
    );
  }
  return outcomes;
}
