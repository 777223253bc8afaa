import type { Alert, Tick } from '../../../domain/index.js';

/** How long after an alert, in event time, the backtest looks at where the price went. */
export const MOVE_HORIZONS = [
  { label: '1m', ms: 60_000 },
  { label: '5m', ms: 5 * 60_000 },
  { label: '15m', ms: 15 * 60_000 },
] as const;
export type MoveHorizon = (typeof MOVE_HORIZONS)[number]['label'];

/**
 * What the price did after an alert: its change at each horizon, in percent of the alert's price (the price at a
 * moment is that of the symbol's last tick at or before it); null when the history ends first.
 */
export type Moves = Readonly<Record<MoveHorizon, number | null>>;

interface Probe {
  readonly alertId: string;
  readonly from: number;
  readonly label: MoveHorizon;
  readonly target: number;
  /** The latest tick seen at or before the target: the price at the target once a later tick shows it is over. */
  at: { readonly eventTime: number; readonly price: number };
}

/**
 * Where the price went after each alert of one rule set, as the ticks stream by in file order. A probe is settled by
 * the first tick past its moment; a tick older than one already seen (out of event-time order) does not change it.
 */
export class MovesAfter {
  private readonly open = new Map<string, Probe[]>();
  private readonly moves = new Map<string, Record<MoveHorizon, number | null>>();

  watch(alert: Alert): void {
    if (this.moves.has(alert.alertId)) return;
    this.moves.set(alert.alertId, { '1m': null, '5m': null, '15m': null });
    const probes = this.open.get(alert.symbol) ?? [];
    for (const { label, ms } of MOVE_HORIZONS) {
      probes.push({
        alertId: alert.alertId,
        from: alert.price,
        label,
        target: alert.eventTime + ms,
        at: { eventTime: alert.eventTime, price: alert.price },
      });
    }
    this.open.set(alert.symbol, probes);
  }

  observe(tick: Tick): void {
    const probes = this.open.get(tick.symbol);
    if (!probes) return;
    const still: Probe[] = [];
    for (const probe of probes) {
      if (tick.eventTime > probe.target) {
        this.moves.get(probe.alertId)![probe.label] = Number((((probe.at.price - probe.from) / probe.from) * 100).toFixed(4));
        continue;
      }
      if (tick.eventTime >= probe.at.eventTime) probe.at = { eventTime: tick.eventTime, price: tick.price };
      still.push(probe);
    }
    if (still.length > 0) this.open.set(tick.symbol, still);
    else this.open.delete(tick.symbol);
  }

  /** By alert id; a horizon the history did not reach stays null. */
  result(): ReadonlyMap<string, Moves> {
    return this.moves;
  }
}
