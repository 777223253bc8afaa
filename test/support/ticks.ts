import { evaluate, tickKey, type Alert, type Tick } from '../../src/domain/index.js';

export const T0 = Date.parse('2026-11-23T14:30:00Z');

/** A validated tick as the engine sees it. */
export function tick(symbol: string, price: number, eventTime: number): Tick {
  return { key: tickKey(symbol, eventTime, price), symbol, price, eventTime };
}

/** Prices as ticks one second apart from T0. */
export function series(symbol: string, prices: readonly number[], start = T0): Tick[] {
  return prices.map((price, i) => tick(symbol, price, start + i * 1000));
}

/** `every`-mode alerts for prices one second apart (each price above 150 or below 50 is one alert). */
export function everyAlerts(symbol: string, prices: readonly number[], start = T0): Alert[] {
  return evaluate(symbol, { above: 150, below: 50, mode: 'every' }, undefined, series(symbol, prices, start), 1).raised.map((r) => r.alert);
}
