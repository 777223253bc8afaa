import type { AlertType } from '../../domain/index.js';
import type { Problem, RunStats } from '../emulation/run-stats.js';

/** What a run through the local pipeline did: the summary printed at the end, or emitted by `--json`. */
export interface RunSummary {
  readonly environment: string;
  readonly inputs: readonly string[];
  /** `late`: processed, but beyond the lateness horizon (acknowledged without changing any alert run). */
  readonly ticks: { readonly in: number; readonly processed: number; readonly deadLettered: number; readonly late: number };
  /** By type; INSIDE (channel rules) only when there is any. */
  readonly alerts: { readonly total: number } & Readonly<Record<Exclude<AlertType, 'INSIDE'>, number>> & { readonly INSIDE?: number };
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

/** The summary of a run, from the counters the pipeline kept. */
export function summaryOf(stats: RunStats, environment: string, inputs: readonly string[], wallTimeMs: number): RunSummary {
  return {
    environment,
    inputs,
    ticks: { in: stats.ticksIn, processed: stats.ticksProcessed, deadLettered: stats.ticksDeadLettered, late: stats.ticksLate },
    alerts: {
      total: stats.alerts.HIGH + stats.alerts.LOW + stats.alerts.INSIDE,
      HIGH: stats.alerts.HIGH,
      LOW: stats.alerts.LOW,
      ...(stats.alerts.INSIDE > 0 && { INSIDE: stats.alerts.INSIDE }),
    },
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
