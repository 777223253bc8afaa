/** Seeded synthetic market data: one geometric Brownian motion price path per symbol, as JSONL or CSV lines. */
import { YEAR_MS } from '../../shared/time.js';
import type { InputFormat } from '../../resources/input-formats.js';

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; the same seed always gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box–Muller) from a uniform source. */
export function normal(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const u = 1 - uniform(); // (0, 1]: log(0) would be -Infinity
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** Starting prices near the default thresholds (150 and 50), so a session has crossings both ways. */
export const DEFAULT_SYMBOLS: Readonly<Record<string, number>> = {
  AAPL: 148,
  MSFT: 152,
  NVDA: 140,
  TSLA: 155,
  F: 51,
  INTC: 49,
  KO: 60,
  XOM: 110,
};

export interface SyntheticOptions {
  readonly ticks: number;
  readonly symbols: readonly string[];
  readonly seed: number;
  /** Event time of the first tick, epoch ms. */
  readonly start: number;
  /** Time between consecutive ticks (of any symbol), ms. */
  readonly intervalMs: number;
  /** Annualised volatility σ. */
  readonly volatility: number;
  /** Annualised drift μ. */
  readonly drift: number;
}

export interface SyntheticTick {
  readonly symbol: string;
  readonly price: number;
  readonly timestamp: string;
  readonly volume: number;
}

/**
 * Ticks in event-time order, symbols in turn. Each symbol's price follows S·exp((μ − σ²/2)·dt + σ·√dt·Z) between its
 * own ticks; symbols without a default start somewhere between 20 and 200 (from the seed).
 */
export function* syntheticTicks(options: SyntheticOptions): Generator<SyntheticTick> {
  const uniform = mulberry32(options.seed);
  const gaussian = normal(uniform);
  const prices = options.symbols.map((symbol) => DEFAULT_SYMBOLS[symbol] ?? 20 + uniform() * 180);
  const dt = (options.intervalMs * options.symbols.length) / YEAR_MS;
  const driftTerm = (options.drift - options.volatility ** 2 / 2) * dt;
  const diffusion = options.volatility * Math.sqrt(dt);
  for (let i = 0; i < options.ticks; i++) {
    const s = i % options.symbols.length;
    const price = prices[s]! * Math.exp(driftTerm + diffusion * gaussian());
    prices[s] = price;
    yield {
      symbol: options.symbols[s]!,
      // Cents, and never below one: validation rejects prices that are not greater than 0.
      price: Math.max(0.01, Math.round(price * 100) / 100),
      timestamp: new Date(options.start + i * options.intervalMs).toISOString(),
      volume: (1 + Math.floor(uniform() * 50)) * 100,
    };
  }
}

/** The header of a CSV file of synthetic ticks (the columns replay and publish read). */
export const SYNTHETIC_CSV_HEADER = 'symbol,price,timestamp,volume\n';

/** One tick as a line of the given format, line break included. */
export const syntheticLine = (tick: SyntheticTick, format: InputFormat): string =>
  format === 'csv' ? `${tick.symbol},${tick.price},${tick.timestamp},${tick.volume}\n` : `${JSON.stringify(tick)}\n`;
