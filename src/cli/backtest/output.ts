import { basename } from 'node:path';
import { ALERT_TYPES, describeRule, type Alert, type AlertRule, type AlertType, type Zone } from '../../domain/index.js';
import type { Problem } from '../../local/emulation/run-stats.js';
import type { Moves } from '../../local/sessions/backtest/moves-after.js';
import type { BacktestResult, RunResult } from '../../local/sessions/backtest/session.js';
import type { SymbolData, SymbolRun } from '../../local/sessions/backtest/symbol-stats.js';
import { plural, visible } from '../../shared/text.js';
import { formatProblem } from '../run-summary.js';
import { textTable } from '../text-table.js';

const ZONES: readonly Zone[] = ['HIGH', 'NORMAL', 'LOW'];
/** Per-symbol columns of the sweep table fit a terminal up to this many symbols; beyond, one row per symbol. */
const WIDE_SWEEP_SYMBOLS = 10;
/** Problems printed on the terminal; --json and the report keep more. */
const PROBLEMS_PRINTED = 10;

const iso = (ms: number): string | null => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** Symbols in a stable order: by name. */
export const sortedSymbols = (result: BacktestResult): string[] => [...result.symbols.keys()].sort();

/** Time in each zone as a share of the symbol's observed time. */
export function zoneShares(run: SymbolRun | undefined): Record<Zone, number> {
  const ms = run?.zones.ms ?? { HIGH: 0, NORMAL: 0, LOW: 0 };
  const total = ms.HIGH + ms.NORMAL + ms.LOW;
  return Object.fromEntries(ZONES.map((z) => [z, total > 0 ? ms[z] / total : 0])) as Record<Zone, number>;
}

/** Alerts as the alerts table lists them: by event time (then symbol and id, so the order is stable). */
/** Alerts of every type, added up. */
const totalOf = (counts: Readonly<Record<AlertType, number>>): number => ALERT_TYPES.reduce((n, type) => n + counts[type], 0);
/** Counts by type as JSON: HIGH and LOW always, INSIDE (channel rules) when there is any. */
const typeCounts = (counts: Readonly<Record<AlertType, number>>) => ({
  HIGH: counts.HIGH,
  LOW: counts.LOW,
  ...(counts.INSIDE > 0 && { INSIDE: counts.INSIDE }),
});
const alertCounts = (counts: Readonly<Record<AlertType, number>>) => ({ total: totalOf(counts), ...typeCounts(counts) });

const inEventTimeOrder = (alerts: readonly Alert[]): Alert[] =>
  [...alerts].sort((a, b) => a.eventTime - b.eventTime || a.symbol.localeCompare(b.symbol) || a.alertId.localeCompare(b.alertId));

function alertJson(alert: Alert, moves: Moves | undefined) {
  return {
    alertId: alert.alertId,
    symbol: alert.symbol,
    alertType: alert.alertType,
    price: alert.price,
    threshold: alert.threshold,
    mode: alert.mode,
    ...(alert.kind && { kind: alert.kind }),
    eventTime: new Date(alert.eventTime).toISOString(),
    /** Percent change of the price 1, 5 and 15 minutes of event time later (null: the history ends first). */
    ...(moves && { movesAfter: moves }),
  };
}

const rulesJson = (run: RunResult) => ({
  label: run.ruleSet.label,
  defaultRule: run.ruleSet.defaultRule,
  overrides: Object.fromEntries([...run.ruleSet.overrides].sort(([a], [b]) => a.localeCompare(b))),
  warnings: run.warnings,
});

function symbolJson(symbol: string, data: SymbolData, run: SymbolRun | undefined, rule: AlertRule) {
  return {
    symbol,
    rule: run?.rule ?? rule,
    ticks: data.ticks,
    invalid: data.invalid,
    eventsWithoutPrice: data.eventsWithoutPrice,
    late: run?.late ?? 0,
    alerts: alertCounts(run?.alerts ?? { HIGH: 0, LOW: 0, INSIDE: 0 }),
    timeInZoneMs: run ? { ...run.zones.ms } : { HIGH: 0, NORMAL: 0, LOW: 0 },
    firstEventTime: iso(data.firstTime),
    lastEventTime: iso(data.lastTime),
    minPrice: finite(data.minPrice),
    maxPrice: finite(data.maxPrice),
  };
}

const common = (result: BacktestResult) => ({
  inputs: result.inputs,
  records: result.records,
  problems: result.problems,
  wallTimeMs: result.wallTimeMs,
  ticksPerSecond: result.ticksPerSecond,
});

/** What hysteresis suppressed, for a rule set with a rearm: in all and per symbol. */
const suppressedJson = (run: RunResult) =>
  run.suppressedByRearm && {
    suppressedByRearm: {
      total: run.suppressedByRearm.total,
      symbols: Object.fromEntries([...run.suppressedByRearm.symbols].sort(([a], [b]) => a.localeCompare(b))),
    },
  };

/** One line for what hysteresis suppressed, or none. */
function suppressedLine(run: RunResult): string[] {
  const s = run.suppressedByRearm;
  if (!s) return [];
  const worst = [...s.symbols].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).slice(0, 5);
  return [
    `rearm suppressed ${s.total} of the ${totalOf(run.totals) + s.total} alerts the same rules raise without it${worst.length > 0 ? ` (${worst.map(([symbol, n]) => `${symbol} ${n}`).join(', ')}${s.symbols.size > worst.length ? ', …' : ''})` : ''}`,
  ];
}

/** The `--json` document of a run with one rule set: everything, every alert included. */
export function backtestJson(result: BacktestResult) {
  const run = result.runs[0]!;
  return {
    ...common(result),
    rules: rulesJson(run),
    totals: {
      alerts: alertCounts(run.totals),
      late: run.totals.late,
      failed: run.totals.failed,
      ...suppressedJson(run),
    },
    symbols: sortedSymbols(result).map((s) => symbolJson(s, result.symbols.get(s)!, run.symbols.get(s), run.ruleSet.defaultRule)),
    alerts: inEventTimeOrder(run.alerts ?? []).map((alert) => alertJson(alert, run.moves?.get(alert.alertId))),
  };
}

/** The `--json` document of a sweep: per setting, the alerts of each symbol. */
export function sweepJson(result: BacktestResult) {
  const symbols = sortedSymbols(result);
  return {
    ...common(result),
    settings: result.runs.map((run) => ({
      ...rulesJson(run),
      alerts: alertCounts(run.totals),
      late: run.totals.late,
      failed: run.totals.failed,
      ...suppressedJson(run),
      symbols: Object.fromEntries(symbols.map((s) => [s, typeCounts(run.symbols.get(s)?.alerts ?? { HIGH: 0, LOW: 0, INSIDE: 0 })])),
    })),
    symbols: symbols.map((s) => {
      const data = result.symbols.get(s)!;
      return { symbol: s, ticks: data.ticks, invalid: data.invalid, firstEventTime: iso(data.firstTime), lastEventTime: iso(data.lastTime) };
    }),
  };
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

function inputLine(result: BacktestResult): string {
  const r = result.records;
  const parts = [
    plural(r.ticks, 'tick'),
    `${plural(r.eventTicks + r.eventsWithoutPrice, 'bus event')} (${r.eventTicks} with a price)`,
    `${r.invalid} invalid`,
  ];
  if (r.unmatchedEvents > 0) parts.push(`${r.unmatchedEvents} matched no bus rule`);
  if (r.unreadableLines > 0) parts.push(`${r.unreadableLines} unreadable`);
  return `read ${visible(result.inputs.join(', '))}: ${parts.join(', ')}`;
}

function footer(result: BacktestResult, lines: string[]): void {
  const r = result.records;
  if (r.untimed > 0) lines.push(`${plural(r.untimed, 'message')} had no timestamp: each was timed 1 ms after the record before it (file order)`);
  if (result.problems.length > 0) {
    const total = r.invalid + r.unmatchedEvents + r.unreadableLines;
    lines.push('', `problems (${total}; deployed, invalid messages would go to the dead-letter queues):`);
    // Line numbers are per file: name the file when there are several.
    const file = (p: Problem) => (result.inputs.length > 1 && p.origin ? `${basename(p.origin.file)}: ` : '');
    for (const p of result.problems.slice(0, PROBLEMS_PRINTED)) lines.push(`  ${visible(`${file(p)}${formatProblem(p)}`)}`);
    if (total > PROBLEMS_PRINTED)
      lines.push(`  … and ${total - PROBLEMS_PRINTED} more (--json and --report list the first ${result.problems.length})`);
  }
  for (const run of result.runs)
    for (const warning of run.warnings) lines.push(visible(`warning: ${result.runs.length > 1 ? `${run.ruleSet.label}: ` : ''}${warning}`));
  if (r.ticks + r.eventTicks === 0) lines.push('', 'no valid tick in the input: nothing was evaluated');
  const rate = result.ticksPerSecond === null ? '' : `, ${result.ticksPerSecond} ticks/s`;
  lines.push('', `${(result.wallTimeMs / 1000).toFixed(2)} s${rate}; nothing was written to any store`);
}

/** The terminal summary of a run with one rule set: one row per symbol. */
export function formatBacktest(result: BacktestResult): string {
  const run = result.runs[0]!;
  const overrides = run.ruleSet.overrides.size;
  const lines = [
    inputLine(result),
    `rules: ${run.ruleSet.label} (default ${describeRule(run.ruleSet.defaultRule)}${overrides > 0 ? `; ${plural(overrides, 'symbol override')}` : ''})`,
    '',
  ];
  const rows = sortedSymbols(result).map((symbol) => {
    const data = result.symbols.get(symbol)!;
    const s = run.symbols.get(symbol);
    const shares = zoneShares(s);
    const rule = s?.rule ?? run.ruleSet.defaultRule;
    return [
      symbol,
      rule.crossing
        ? `crosses ${rule.above} ${rule.crossing}`
        : `${rule.above}/${rule.below} ${rule.mode}${rule.rearm ? ` rearm ${rule.rearm}` : ''}`,
      data.ticks,
      s?.alerts.HIGH ?? 0,
      s?.alerts.LOW ?? 0,
      s?.late ?? 0,
      data.invalid,
      percent(shares.HIGH),
      percent(shares.NORMAL),
      percent(shares.LOW),
    ];
  });
  const t = run.totals;
  rows.push(['total', '', result.records.ticks + result.records.eventTicks, t.HIGH, t.LOW, t.late, result.records.invalid, '', '', '']);
  lines.push(textTable(['symbol', 'rule (above/below)', 'ticks', 'HIGH', 'LOW', 'late', 'invalid', 'in HIGH', 'in NORMAL', 'in LOW'], rows));
  lines.push(
    '',
    `${plural(totalOf(t), 'alert')} (HIGH ${t.HIGH}, LOW ${t.LOW}${t.INSIDE > 0 ? `, INSIDE ${t.INSIDE}` : ''})${t.failed > 0 ? `; ${t.failed} ticks failed` : ''}`,
    ...suppressedLine(run),
  );
  footer(result, lines);
  return lines.join('\n');
}

/** The terminal table of a sweep: alerts per setting, per symbol. */
export function formatSweep(result: BacktestResult): string {
  const symbols = sortedSymbols(result);
  const first = result.runs[0]!.ruleSet;
  const overrides = first.overrides.size > 0 ? `, ${plural(first.overrides.size, 'symbol override')}` : '';
  const lines = [
    inputLine(result),
    `${plural(result.runs.length, 'setting')} evaluated on the same ticks (mode ${first.defaultRule.mode}${overrides})`,
    '',
  ];
  const total = (run: RunResult) => totalOf(run.totals);
  if (symbols.length <= WIDE_SWEEP_SYMBOLS) {
    const rows = result.runs.map((run) => [
      run.ruleSet.label,
      total(run),
      run.totals.HIGH,
      run.totals.LOW,
      run.totals.late,
      ...symbols.map((s) => totalOf(run.symbols.get(s)?.alerts ?? { HIGH: 0, LOW: 0, INSIDE: 0 })),
    ]);
    lines.push(textTable(['setting', 'alerts', 'HIGH', 'LOW', 'late', ...symbols], rows));
  } else {
    const rows = result.runs.flatMap((run) => [
      [run.ruleSet.label, 'all', total(run), run.totals.HIGH, run.totals.LOW, run.totals.late],
      ...symbols.map((s) => {
        const sr = run.symbols.get(s);
        return [
          run.ruleSet.label,
          s,
          totalOf(sr?.alerts ?? { HIGH: 0, LOW: 0, INSIDE: 0 }),
          sr?.alerts.HIGH ?? 0,
          sr?.alerts.LOW ?? 0,
          sr?.late ?? 0,
        ];
      }),
    ]);
    lines.push(textTable(['setting', 'symbol', 'alerts', 'HIGH', 'LOW', 'late'], rows));
  }
  footer(result, lines);
  return lines.join('\n');
}
