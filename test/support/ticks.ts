import { tickKey, type Tick } from '../../src/domain/index.js';

export const T0 = Date.parse('2026-11-23T14:30:00Z');

/** A validated tick as the engine sees it. */
export function tick(symbol: string, price: number, eventTime: number): Tick {
  return { key: tickKey(symbol, eventTime, price), symbol, price, eventTime };
}

/** Prices as ticks one second apart from T0. */
export function series(symbol: string, prices: readonly number[], start = T0): Tick[] {
  return prices.map((price, i) => tick(symbol, price, start + i * 1000));
}
