import { basename } from 'node:path';
import { lateCount } from '../app/sessions.js';
import type { Origin } from '../local/emulation/dead-letter-store.js';
import type { Problem } from '../local/emulation/run-stats.js';
import type { RunSummary } from '../local/sessions/summary.js';
import { plural } from '../shared/text.js';

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
    ['alerts', `${alerts.total} (HIGH ${alerts.HIGH}, LOW ${alerts.LOW}${alerts.INSIDE ? `, INSIDE ${alerts.INSIDE}` : ''})`],
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
