import { describe, expect, it } from 'vitest';
import { lateCount, rejectedCount } from '../../src/app/sessions.js';
import { formatProblem, formatSummary } from '../../src/cli/run-summary.js';
import { RunStats } from '../../src/local/emulation/run-stats.js';
import { summaryOf } from '../../src/local/sessions/summary.js';
import { problem, runStats as stats } from '../support/run-stats.js';

describe('the run summary as text', () => {
  it('counts late ticks and late market events apart from what was not processed, and always shows the count', () => {
    const s = stats();
    expect(formatSummary(summaryOf(s, 'dev', [], 500))).toContain(
      '\n  late ticks        0 (beyond the lateness horizon: acknowledged, not applied)\n',
    );
    s.problem(problem('tick', 'late', 17));
    s.problem(problem('tick', 'late', 18));
    const ticksOnly = summaryOf(s, 'dev', [], 500);
    expect([ticksOnly.ticks.late, ticksOnly.marketEvents.late, lateCount(ticksOnly), rejectedCount(ticksOnly)]).toEqual([2, 0, 2, 4]);
    expect(formatSummary(ticksOnly)).toContain('\n  late ticks        2 (beyond the lateness horizon: acknowledged, not applied)\n');
    s.problem(problem('event', 'late', 40));
    const both = summaryOf(s, 'dev', [], 500);
    expect([both.ticks.late, both.marketEvents.late, lateCount(both), rejectedCount(both)]).toEqual([2, 1, 3, 4]);
    expect(both.problems.filter((p) => p.outcome === 'late').map((p) => p.origin?.line)).toEqual([17, 18, 40]);
    expect(formatSummary(both)).toContain(
      '\n  late ticks        3 (2 from the queue, 1 market event; beyond the lateness horizon: acknowledged, not applied)\n',
    );
    // They were processed: not listed with the dead letters.
    expect(formatSummary(both)).not.toContain('line 17');
  });

  it('gives no rate for a run under a second, where a rate says nothing', () => {
    const summary = summaryOf(stats(), 'dev', [], 999);
    expect(summary.ticksPerSecond).toBeNull();
    expect(formatSummary(summary)).not.toContain('throughput');
    expect(formatSummary(summaryOf(stats(), 'dev', [], 1_000))).toContain('  throughput        10 ticks/s');
  });

  it('reads as a table, dead letters listed by file and line, with the input text escaped', () => {
    const text = formatSummary(summaryOf(stats(), 'dev', [], 500), { withFile: true, escape: (t) => t.toUpperCase() });
    expect(text.split('\n')).toEqual([
      'Summary (environment dev)',
      '  ticks in          10 (8 processed, 2 to the DLQ)',
      '  alerts            3 (HIGH 2, LOW 1)',
      '  market events     3 in: 1 stored, 1 already stored, 0 to the DLQ, 1 matched no rule',
      '  dead letters      2 messages (2 ticks, 0 events)',
      '  late ticks        0 (beyond the lateness horizon: acknowledged, not applied)',
      '  unreadable lines  1 skipped',
      '  wall time         0.50 s',
      '  dead-lettered:',
      '    DAY0.JSONL line 7 tick  REASON 7',
      '    DAY1.JSONL line 64 tick  REASON 64',
    ]);
  });

  it('says how many dead letters it leaves out', () => {
    const s = new RunStats();
    for (let line = 1; line <= 60; line++) s.problem(problem('tick', 'dead-lettered', line));
    const text = formatSummary(summaryOf(s, 'dev', [], 10));
    expect(text).toContain('  dead letters   60 messages (60 ticks, 0 events)');
    expect(text.split('\n').at(-1)).toBe('    … and 10 more (market-data dlq list)');
  });

  it('keeps up to 50 problems of each outcome, so that a flood of late ticks never hides a dead letter', () => {
    const s = new RunStats();
    for (let line = 1; line <= 80; line++) s.problem(problem('tick', 'late', line));
    s.problem(problem('tick', 'dead-lettered', 81));
    const summary = summaryOf(s, 'dev', [], 10);
    expect(summary.ticks).toMatchObject({ late: 80, deadLettered: 1 });
    expect(summary.problems.filter((p) => p.outcome === 'late')).toHaveLength(50);
    expect(summary.problems.at(-1)).toMatchObject({ outcome: 'dead-lettered', origin: { line: 81 } });
    expect(formatSummary(summary).split('\n').slice(-2)).toEqual(['  dead-lettered:', '    line 81    tick  reason 81']);
  });

  it('prints each problem with where it came from', () => {
    expect(formatProblem(problem('tick', 'dead-lettered', 64))).toBe('DLQ   line 64 (tick): reason 64');
    expect(formatProblem(problem('event', 'unmatched', 9), { withFile: true })).toBe('SKIP  day1.jsonl line 9 (event): reason 9');
    expect(formatProblem(problem('line', 'skipped', 12))).toBe('SKIP  line 12 (unreadable line): reason 12');
    expect(formatProblem(problem('event', 'dead-lettered'))).toBe('DLQ   redriven (event): reason none');
    expect(formatProblem(problem('tick', 'late', 17))).toBe('LATE  line 17 (tick): reason 17');
    expect(formatProblem(problem('event', 'late', 40), { withFile: true })).toBe('LATE  day1.jsonl line 40 (event): reason 40');
  });
});
