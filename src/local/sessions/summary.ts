import { basename } from 'node:path';
import type { AlertType } from '../../domain/index.js';
import type { Origin } from '../emulation/dead-letter-store.js';
import type { Problem, RunStats } from '../emulation/run-stats.js';
import { plural } from '../../shared/text.js';

/** What a run through the local pipeline did: the summary printed at the end, or emitted by `--json`. */
export interface RunSummary {
  readonly environment: string;
  readonly inputs: readonly string[];
  /** `late`: processed, but beyond the lateness horizon (acknowledged without changing any alert run). */
  readonly ticks: { readonly in: number; readonly processed: number; readonly deadLettered: number; readonly late: number };
  readonly alerts: { readonly total: number } & Readonly<Record<AlertType, number>>;
  readonly marketEvents: {
    readonly in: number;
    readonly stored: number;
    readonly alreadyStored: number;
    readonly deadLettered: number;
    readonly unmatched: number;
    /** Stored, but their price came beyond the lateness horizon. */
    readonly late: number;
  };
  readonly badLines: number;
  /** Up to PROBLEMS_KEPT problems of each outcome, in the order they happened. */
  readonly problems: readonly Problem[];
  readonly wallTimeMs: number;
  /** Ticks in per second of wall time; null for a run under a second, where a rate says nothing. */
  readonly ticksPerSecond: number | null;
}

/** A rate per second of wall time; null for a run under a second, where a rate says nothing. */
export const perSecond = (count: number, wallTimeMs: number): number | null => (wallTimeMs >= 1000 ? Math.round((count * 1000) / wallTimeMs) : null);

/** Messages that were not processed: dead-lettered, matched no rule, or unreadable lines. */
export const rejectedCount = (summary: RunSummary): number =>
  summary.ticks.deadLettered + summary.marketEvents.deadLettered + summary.marketEvents.unmatched + summary.badLines;

/** Ticks and price-bearing events that came beyond the lateness horizon: acknowledged, but they changed no alert run. */
export const lateCount = (summary: RunSummary): number => summary.ticks.late + summary.marketEvents.late;

/** The summary of a run, from the counters the pipeline kept. */
export function summaryOf(stats: RunStats, environment: string, inputs: readonly string[], wallTimeMs: number): RunSummary {
  return {
    environment,
    inputs,
    ticks: { in: stats.ticksIn, processed: stats.ticksProcessed, deadLettered: stats.ticksDeadLettered, late: stats.ticksLate },
    alerts: { total: stats.alerts.HIGH + stats.alerts.LOW, ...stats.alerts },
    marketEvents: {
      in: stats.eventsIn,
      stored: stats.eventsStored,
      alreadyStored: stats.eventsAlreadyStored,
      deadLettered: stats.eventsDeadLettered,
      unmatched: stats.eventsUnmatched,
      late: stats.eventsLate,
    },
    badLines: stats.badLines,
    problems: [...stats.problems],
    wallTimeMs: Math.round(wallTimeMs),
    ticksPerSecond: perSecond(stats.ticksIn, wallTimeMs),
  };
}

export interface ProblemFormat {
  /** Name the file of each line (a run over several files). */
  readonly withFile?: boolean;
  /** Makes text from input data safe to print (the console shows control characters as escapes). */
  readonly escape?: (text: string) => string;
}

const same = (text: string): string => text;

/** Where a problem's message came from: `line 64`, or `day2.csv line 64` when a run reads several files. */
function where(origin: Origin | undefined, format: ProblemFormat): string {
  if (!origin) return 'redriven';
  return `${format.withFile ? `${(format.escape ?? same)(basename(origin.file))} ` : ''}line ${origin.line}`;
}

/** One line per problem, as printed while a run goes. */
export function formatProblem(problem: Problem, format: ProblemFormat = {}): string {
  const label = { 'dead-lettered': 'DLQ  ', unmatched: 'SKIP ', skipped: 'SKIP ', late: 'LATE ' }[problem.outcome];
  const what = problem.kind === 'line' ? 'unreadable line' : problem.kind;
  return `${label} ${where(problem.origin, format)} (${what}): ${(format.escape ?? same)(problem.reason)}`;
}

/** Always shown, 0 included: a late tick is never applied, so a run's alerts may miss what it would have raised. */
function lateRow(summary: RunSummary): string {
  const what = 'beyond the lateness horizon: acknowledged, not applied';
  const events = summary.marketEvents.late;
  if (events === 0) return `${lateCount(summary)} (${what})`;
  return `${lateCount(summary)} (${summary.ticks.late} from the queue, ${plural(events, 'market event')}; ${what})`;
}

/** The human-readable summary. */
export function formatSummary(summary: RunSummary, format: ProblemFormat = {}): string {
  const { ticks, alerts, marketEvents: events } = summary;
  const rows: [string, string][] = [
    ['ticks in', `${ticks.in} (${ticks.processed} processed, ${ticks.deadLettered} to the DLQ)`],
    ['alerts', `${alerts.total} (HIGH ${alerts.HIGH}, LOW ${alerts.LOW})`],
    [
      'market events',
      `${events.in} in: ${events.stored} stored, ${events.alreadyStored} already stored, ${events.deadLettered} to the DLQ, ${events.unmatched} matched no rule`,
    ],
    [
      'dead letters',
      `${plural(ticks.deadLettered + events.deadLettered, 'message')} (${plural(ticks.deadLettered, 'tick')}, ${plural(events.deadLettered, 'event')})`,
    ],
    ['late ticks', lateRow(summary)],
  ];
  if (summary.badLines > 0) rows.push(['unreadable lines', `${summary.badLines} skipped`]);
  rows.push(['wall time', `${(summary.wallTimeMs / 1000).toFixed(2)} s`]);
  if (summary.ticksPerSecond !== null) rows.push(['throughput', `${summary.ticksPerSecond} ticks/s`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [`Summary (environment ${summary.environment})`, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  const byLine = (a: Problem, b: Problem) =>
    (a.origin?.file ?? '').localeCompare(b.origin?.file ?? '') || (a.origin?.line ?? 0) - (b.origin?.line ?? 0);
  const listed = summary.problems.filter((p) => p.outcome === 'dead-lettered').sort(byLine);
  if (listed.length > 0) {
    lines.push('  dead-lettered:');
    for (const p of listed) lines.push(`    ${where(p.origin, format).padEnd(10)} ${p.kind.padEnd(6)}${(format.escape ?? same)(p.reason)}`);
    const total = ticks.deadLettered + events.deadLettered;
    if (total > listed.length) lines.push(`    … and ${total - listed.length} more (market-data dlq list)`);
  }
  return lines.join('\n');
}
