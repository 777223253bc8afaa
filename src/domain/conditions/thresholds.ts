/**
 * The thresholds condition, the default kind of alert rule: a symbol is HIGH strictly above `above`, LOW strictly
 * below `below`, NORMAL in between; `cross` alerts once per excursion, `every` on every tick outside the band; `rearm`
 * (hysteresis, cross mode) ends an excursion only once the price is back inside the band by that amount or
 * percentage. Its attributes, their schemas and how it is described; the registry (registry.ts) parses rules.
 */
import { z } from 'zod';
import type { AlertRule, Rearm, TriggerMode } from '../types.js';
import { LIMITS, priceSchema } from '../validation.js';

export const TRIGGER_MODES: readonly TriggerMode[] = ['cross', 'every'];

/** Whether a value read from outside (an environment variable, a stored item) is a trigger mode. */
export const isTriggerMode = (value: unknown): value is TriggerMode => (TRIGGER_MODES as readonly unknown[]).includes(value);

/** A thresholds rule's attributes, in the order people read them. */
export const THRESHOLDS_FIELDS = ['above', 'below', 'mode', 'rearm'] as const satisfies readonly (keyof AlertRule)[];
export type ThresholdsField = (typeof THRESHOLDS_FIELDS)[number];

/** A threshold is a price: what validation accepts as a price is what a rule may compare prices with. */
const modeSchema = z.enum(TRIGGER_MODES as [TriggerMode, ...TriggerMode[]], { error: `must be one of ${TRIGGER_MODES.join(', ')}` });

const REARM_TEXT = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)(%?)$/i;
const REARM_ERROR = 'must be an amount of price (0.5) or a percentage of the threshold ("0.5%"), 0 or more';

/**
 * Hysteresis, as written: an amount (a number, or its text, as an environment variable or option gives it) or a
 * percentage (`"0.5%"`, under 100). Kept as a number or as `"<number>%"` in its shortest form; 0 is no hysteresis.
 */
export const rearmSchema = z.union([z.number(), z.string()], { error: REARM_ERROR }).transform((value, context): Rearm => {
  const match = typeof value === 'string' ? REARM_TEXT.exec(value.trim()) : undefined;
  const amount = typeof value === 'number' ? value : match ? Number(match[1]) : Number.NaN;
  const percent = match?.[2] === '%';
  if (!Number.isFinite(amount) || amount < 0 || amount > (percent ? 99.999 : LIMITS.maxPrice)) {
    context.addIssue({ code: 'custom', message: percent ? 'must be a percentage under 100' : REARM_ERROR });
    return z.NEVER;
  }
  return percent && amount > 0 ? `${amount}%` : amount;
});

/** Each attribute of a thresholds rule on its own. */
export const thresholdsFieldSchemas = { above: priceSchema, below: priceSchema, mode: modeSchema, rearm: rearmSchema } as const satisfies Record<
  ThresholdsField,
  z.ZodType
>;

/** Why a rule leaves no NORMAL band (below not under above), or undefined when it has one. */
export const bandProblem = (rule: Pick<AlertRule, 'above' | 'below'>): string | undefined =>
  rule.below < rule.above ? undefined : `below (${rule.below}) must be less than above (${rule.above})`;

/** A thresholds rule for people: `above 150, below 50, mode cross` (`, rearm 0.5%` with hysteresis). */
export const describeThresholds = (rule: AlertRule): string =>
  `above ${rule.above}, below ${rule.below}, mode ${rule.mode}${rule.rearm ? `, rearm ${rule.rearm}` : ''}`;
