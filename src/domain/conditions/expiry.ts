/**
 * Expiry, a modifier of every kind: `until` stops a rule at a moment of event time (AlertRule.until); the engine
 * raises nothing for a run that starts after it.
 */
import { z } from 'zod';
import { LIMITS, timestampSchema } from '../validation.js';
import type { AlertRule } from '../types.js';

/** An expiry: a moment of event time as ticks give it (ISO-8601 with a time zone, or epoch ms), kept as ISO-8601 UTC. */
export const untilSchema = timestampSchema.transform((value, context) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms) || ms < LIMITS.minEventTime || ms > 8.64e15) {
    context.addIssue({ code: 'custom', message: 'must be on or after 2000-01-01T00:00:00Z' });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

/** The expiry for people: `, until 2026-12-31T21:00:00.000Z`, or nothing. */
export const describeExpiry = (rule: AlertRule): string => (rule.until === undefined ? '' : `, until ${new Date(rule.until).toISOString()}`);
