import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { symbolSchema } from '../../domain/index.js';
import { UserError } from '../../local/failures.js';
import { formatOf, type InputFormat } from '../../local/input-file.js';
import { DEFAULT_SYMBOLS, syntheticTicks, type SyntheticTick } from '../synthetic.js';

export interface GenerateOptions {
  readonly out: string;
  readonly ticks: number;
  readonly symbols?: string;
  readonly seed: number;
  readonly start?: number;
  readonly interval: number;
  readonly volatility: number;
  readonly drift: number;
  readonly format?: InputFormat;
  readonly json?: boolean;
}

const CSV_HEADER = 'symbol,price,timestamp,volume\n';
const line = (tick: SyntheticTick, format: InputFormat): string =>
  format === 'csv' ? `${tick.symbol},${tick.price},${tick.timestamp},${tick.volume}\n` : `${JSON.stringify(tick)}\n`;

function symbolsOf(list: string | undefined): string[] {
  if (list === undefined) return Object.keys(DEFAULT_SYMBOLS);
  const symbols = [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))];
  if (symbols.length === 0) throw new UserError('--symbols: give at least one symbol, e.g. --symbols AAPL,MSFT');
  for (const symbol of symbols) {
    const checked = symbolSchema.safeParse(symbol);
    if (!checked.success) throw new UserError(`--symbols: "${symbol}" ${checked.error.issues[0]?.message ?? 'is not a valid symbol'}`);
  }
  return symbols;
}

/** Write seeded GBM ticks to a file, streaming (memory stays flat for any count). */
export async function generateCommand(options: GenerateOptions): Promise<void> {
  const symbols = symbolsOf(options.symbols);
  const format = formatOf(options.out, options.format);
  // By default the session ends a minute ago: the pipeline rejects event times more than 5 minutes ahead.
  const start = options.start ?? Date.now() - 60_000 - options.ticks * options.interval;
  await mkdir(dirname(options.out), { recursive: true });
  const out = createWriteStream(options.out);
  const failed = once(out, 'error').then(([error]) => {
    throw new UserError(`cannot write ${options.out}: ${(error as Error).message}`);
  });
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  let chunk = format === 'csv' ? CSV_HEADER : '';
  for (const tick of syntheticTicks({ ticks: options.ticks, symbols, seed: options.seed, start, intervalMs: options.interval, volatility: options.volatility, drift: options.drift })) {
    chunk += line(tick, format);
    if (chunk.length >= 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  out.end(chunk);
  await Promise.race([finished(out), failed]);
  const result = { file: options.out, format, ticks: options.ticks, symbols, seed: options.seed, from: new Date(start).toISOString(), to: new Date(start + Math.max(0, options.ticks - 1) * options.interval).toISOString() };
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `wrote ${result.ticks} ticks for ${symbols.join(', ')} to ${result.file} (${format}, seed ${result.seed}, ${result.from} to ${result.to})\n`);
}
