import type { Alert, AlertRule, AlertType, Zone } from '../../../domain/index.js';
import { zoneOf } from '../../../domain/index.js';

export type ZoneDurations = Record<Zone, number>;

/**
 * Time spent in each zone, in event time: from each tick to the next one in the files, in the zone of the first.
 * A tick older than one already counted (out of order in the files) changes no duration; the engine still evaluates it.
 */
class ZoneClock {
  readonly ms: ZoneDurations = { HIGH: 0, NORMAL: 0, LOW: 0 };
  private lastTime: number | undefined;
  private lastZone: Zone = 'NORMAL';

  add(time: number, zone: Zone): void {
    if (this.lastTime !== undefined) {
      if (time < this.lastTime) return;
      this.ms[this.lastZone] += time - this.lastTime;
    }
    this.lastTime = time;
    this.lastZone = zone;
  }
}

/** What one rule set did to one symbol. */
export class SymbolRun {
  readonly alerts: Record<AlertType, number> = { HIGH: 0, LOW: 0, INSIDE: 0 };
  readonly zones = new ZoneClock();
  late = 0;

  constructor(readonly rule: AlertRule) {}

  tick(time: number, price: number): void {
    this.zones.add(time, zoneOf(price, this.rule));
  }

  alert(alert: Alert): void {
    this.alerts[alert.alertType]++;
  }
}

/** What the data holds for one symbol, whatever the rules. */
export class SymbolData {
  ticks = 0;
  invalid = 0;
  eventsWithoutPrice = 0;
  firstTime = Infinity;
  lastTime = -Infinity;
  minPrice = Infinity;
  maxPrice = -Infinity;

  tick(time: number, price: number): void {
    this.ticks++;
    if (time < this.firstTime) this.firstTime = time;
    if (time > this.lastTime) this.lastTime = time;
    if (price < this.minPrice) this.minPrice = price;
    if (price > this.maxPrice) this.maxPrice = price;
  }
}
