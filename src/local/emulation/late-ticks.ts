import type { Tick } from '../../domain/index.js';

/**
 * The ticks a function reported beyond the lateness horizon (its `onLate`), by message or event id, until the
 * transport settles the delivery: a late tick is reported once, when its message is acknowledged (or forgotten if it
 * is dead-lettered). A mark left by a receive that then failed as a whole still holds when the message comes back:
 * the window only moves on, so a tick beyond the horizon stays beyond it.
 */
export class LateTicks {
  private readonly ticks = new Map<string, Tick>();

  /** Pass as the handler's `onLate`. */
  readonly record = (id: string, tick: Tick): void => {
    this.ticks.set(id, tick);
  };

  /** The late tick of a delivery that has ended, if it was late; forgotten once read. */
  take(id: string): Tick | undefined {
    const tick = this.ticks.get(id);
    this.ticks.delete(id);
    return tick;
  }
}

/** What a late tick's problem line says about it. */
export const lateReason = (tick: Tick): string =>
  `beyond the lateness horizon: acknowledged, not applied (${tick.symbol} ${tick.price} at ${new Date(tick.eventTime).toISOString()})`;
