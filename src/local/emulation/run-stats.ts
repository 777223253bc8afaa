import type { AlertType } from '../../domain/index.js';
import type { Origin } from './dead-letter-store.js';

/**
 * Something the user should see: a message that could not be processed, a line that could not be read, or a tick (or
 * price-bearing event) that came beyond the lateness horizon.
 */
export interface Problem {
  readonly kind: 'tick' | 'event' | 'line';
  /** What happened to it: `late` was acknowledged (and an event stored) without changing any alert run. */
  readonly outcome: 'dead-lettered' | 'unmatched' | 'skipped' | 'late';
  readonly reason: string;
  readonly origin?: Origin;
}

/**
 * Problems of each outcome kept for the summary, so that a flood of one (say, late ticks) never hides the others; the
 * rest are counted (and dead letters are in the dead-letter files).
 */
export const PROBLEMS_KEPT = 50;

/** Counters the local pipeline updates as messages flow. */
export class RunStats {
  ticksIn = 0;
  ticksProcessed = 0;
  ticksDeadLettered = 0;
  ticksLate = 0;
  alerts: Record<AlertType, number> = { HIGH: 0, LOW: 0, INSIDE: 0 };
  eventsIn = 0;
  eventsStored = 0;
  eventsAlreadyStored = 0;
  eventsDeadLettered = 0;
  eventsUnmatched = 0;
  eventsLate = 0;
  badLines = 0;
  readonly problems: Problem[] = [];
  private readonly kept = new Map<Problem['outcome'], number>();

  constructor(private readonly onProblem?: (problem: Problem) => void) {}

  problem(problem: Problem): void {
    if (problem.kind === 'line') this.badLines++;
    else if (problem.outcome === 'unmatched') this.eventsUnmatched++;
    else if (problem.outcome === 'late') this[problem.kind === 'tick' ? 'ticksLate' : 'eventsLate']++;
    else if (problem.kind === 'tick') this.ticksDeadLettered++;
    else this.eventsDeadLettered++;
    const kept = this.kept.get(problem.outcome) ?? 0;
    if (kept < PROBLEMS_KEPT) {
      this.problems.push(problem);
      this.kept.set(problem.outcome, kept + 1);
    }
    this.onProblem?.(problem);
  }
}
