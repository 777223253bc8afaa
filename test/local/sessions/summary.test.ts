import { describe, expect, it } from 'vitest';
import { summaryOf } from '../../../src/local/sessions/summary.js';
import { runStats } from '../../support/run-stats.js';

describe('the run summary', () => {
  it('counts what the pipeline did, and what it did not process', () => {
    const summary = summaryOf(runStats(), 'dev', ['/data/day1.jsonl'], 1_999.6);
    expect(summary).toMatchObject({
      environment: 'dev',
      ticks: { in: 10, processed: 8, deadLettered: 2, late: 0 },
      alerts: { total: 3, HIGH: 2, LOW: 1 },
      marketEvents: { in: 3, stored: 1, alreadyStored: 1, deadLettered: 0, unmatched: 1, late: 0 },
      badLines: 1,
      wallTimeMs: 2000,
      ticksPerSecond: 5,
    });
    expect(summary.problems).toHaveLength(4);
  });
});
