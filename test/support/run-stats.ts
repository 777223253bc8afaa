import { RunStats, type Problem } from '../../src/local/emulation/run-stats.js';

/** A problem of a run, with its line in /data/day1.jsonl (or `file`), or none (a redriven message). */
export const problem = (kind: Problem['kind'], outcome: Problem['outcome'], line?: number, file = '/data/day1.jsonl'): Problem => ({
  kind,
  outcome,
  reason: `reason ${line ?? 'none'}`,
  ...(line !== undefined && { origin: { file, line } }),
});

/** The counters of a small run: 10 ticks in, 3 alerts, 3 bus events, two dead-lettered ticks, a skipped event and line. */
export function runStats(): RunStats {
  const s = new RunStats();
  s.ticksIn = 10;
  s.ticksProcessed = 8;
  s.alerts = { HIGH: 2, LOW: 1, INSIDE: 0 };
  s.eventsIn = 3;
  s.eventsStored = 1;
  s.eventsAlreadyStored = 1;
  s.problem(problem('tick', 'dead-lettered', 64));
  s.problem(problem('tick', 'dead-lettered', 7, '/data/day0.jsonl'));
  s.problem(problem('event', 'unmatched', 9));
  s.problem(problem('line', 'skipped', 12));
  return s;
}
