/**
 * The crosses condition: an alert each time the price crosses a level, as charting tools define a crossing: up when
 * it is over the level after a tick at or under it, down when it is under after one at or over it (`either`: both).
 * The engine applies it as a thresholds rule with both thresholds at the level (HIGH over it, LOW under it, NORMAL on
 * it) whose runs alert only when a run came before them: every run of the watched side but the first one ever, whatever
 * order the ticks arrive in. A crosses rule takes `level` and `direction` (default `either`); `cross` is its only mode.
 */
import { z } from 'zod';
import type { AlertRule, CrossDirection } from '../types.js';
import { priceSchema } from '../validation.js';

export const CROSS_DIRECTIONS = ['up', 'down', 'either'] as const satisfies readonly CrossDirection[];

/** The attributes a crosses rule takes, in the order people read them. */
export const CROSSES_FIELDS = ['level', 'direction'] as const;

export const crossesFieldSchemas = {
  level: priceSchema,
  direction: z.enum(CROSS_DIRECTIONS, { error: `must be one of ${CROSS_DIRECTIONS.join(', ')}` }),
} as const;

/** The rule the engine applies for a crossing of `level`. */
export const crossesRule = (level: number, direction: CrossDirection = 'either'): AlertRule => ({
  above: level,
  below: level,
  mode: 'cross',
  crossing: direction,
});

/** A crosses rule for people: `crosses 150, direction up`. */
export const describeCrossing = (rule: AlertRule): string => `crosses ${rule.above}, direction ${rule.crossing}`;
