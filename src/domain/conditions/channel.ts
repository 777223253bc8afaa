/**
 * The channel condition: the band between `below` and `above` (both in it), and `on`, what about it alerts:
 * `entering` (a run in it after a run out of it), `exiting` (a run out of it, over or under, after anything else),
 * `inside` (every run in it) or `outside` (every run out of it: the thresholds rule). The engine applies it on the
 * same zones as a thresholds rule (HIGH over the band, LOW under it, NORMAL in it), alerting on the runs `on` names;
 * a run in the channel is an INSIDE alert, a run out of it HIGH or LOW. `rearm` and `until` apply as for thresholds.
 */
import { z } from 'zod';
import type { AlertRule, ChannelEvent } from '../types.js';

export const CHANNEL_EVENTS = ['entering', 'exiting', 'inside', 'outside'] as const satisfies readonly ChannelEvent[];

/** The attributes only a channel rule takes (its band is `above` and `below`). */
export const CHANNEL_FIELDS = ['on'] as const;

export const channelFieldSchemas = {
  on: z.enum(CHANNEL_EVENTS, { error: `must be one of ${CHANNEL_EVENTS.join(', ')}` }),
} as const;

/** A channel rule for people: `channel 140 to 150, on exiting`. */
export const describeChannel = (rule: AlertRule): string =>
  `channel ${rule.below} to ${rule.above}, on ${rule.channel}${rule.rearm ? `, rearm ${rule.rearm}` : ''}`;
