import { InvalidArgumentError } from 'commander';
import { symbolSchema } from '../domain/index.js';
import { parseSweep, type Sweep } from '../local/sessions/backtest/sweep.js';

/**
 * `--sweep` values, each read when given; repeated, they accumulate. Ready to be commander argument parsers (a
 * malformed value is then a usage error); the command calls them first thing.
 */
export function sweepOption(value: string, previous: readonly Sweep[] = []): Sweep[] {
  try {
    return [...previous, parseSweep(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--chart AAPL,MSFT`: symbols, checked as the functions check them. */
export function chartOption(list: string): string[] {
  const symbols = [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))];
  if (symbols.length === 0) throw new InvalidArgumentError('give at least one symbol, e.g. --chart AAPL,MSFT');
  for (const symbol of symbols) if (!symbolSchema.safeParse(symbol).success) throw new InvalidArgumentError(`"${symbol}" is not a valid symbol (use uppercase, e.g. AAPL, BRK.B)`);
  return symbols;
}
