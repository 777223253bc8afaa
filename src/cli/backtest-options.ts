import { InvalidArgumentError } from 'commander';
import { symbolSchema } from '../domain/index.js';
import { parseSweep, type Sweep } from '../app/backtest.js';
import { symbolList } from './common.js';

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
  const symbols = symbolList(list, '--chart');
  for (const symbol of symbols)
    if (!symbolSchema.safeParse(symbol).success)
      throw new InvalidArgumentError(`"${symbol}" is not a valid symbol (use uppercase, e.g. AAPL, BRK.B)`);
  return symbols;
}
