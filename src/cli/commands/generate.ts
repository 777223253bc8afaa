import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { symbolSchema } from '../../domain/index.js';
import { withPath } from '../../adapters/local/private-files.js';
import { UserError } from '../../shared/user-error.js';
import { formatOf, type InputFormat } from '../../local/formats/input-file.js';
import { LATEST_TIME } from '../common.js';
import { safeJson, visible } from '../terminal.js';
import { DEFAULT_SYMBOLS, syntheticTicks, type SyntheticTick } from '../../local/formats/synthetic.js';

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

/**
 * The first tick's event time unless --start says otherwise: fixed (a Monday, at the New York open), so the same
 * options always give the same file, byte for byte.
 */
export const DEFAULT_START = Date.UTC(2026, 0, 5, 14, 30);

/** The pipeline rejects event times more than this far ahead of its clock. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Write seeded GBM ticks to a file, streaming (memory stays flat for any count). */
export async function generateCommand(options: GenerateOptions): Promise<void> {
  const symbols = symbolsOf(options.symbols);
  const format = formatOf(options.out, options.format);
  const start = options.start ?? DEFAULT_START;
  const end = start + Math.max(0, options.ticks - 1) * options.interval;
  if (end > LATEST_TIME) throw new UserError(`the last tick would be after ${new Date(LATEST_TIME).toISOString()}: use fewer --ticks, a shorter --interval or an earlier --start`);
  await mkdir(dirname(options.out), { recursive: true });
  const out = createWriteStream(options.out);
  const failed = once(out, 'error').then(([error]) => {
    throw withPath(error, options.out);
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
  const result = { file: options.out, format, ticks: options.ticks, symbols, seed: options.seed, from: new Date(start).toISOString(), to: new Date(end).toISOString() };
  process.stdout.write(
    options.json
      ? `${safeJson(result)}\n`
      : `wrote ${result.ticks} ticks for ${symbols.join(', ')} to ${visible(result.file)} (${format}, seed ${result.seed}, ${result.from} to ${result.to})\n`,
  );
  if (end > Date.now() + FUTURE_TOLERANCE_MS) {
    process.stderr.write(`warning: ticks after ${new Date(Date.now() + FUTURE_TOLERANCE_MS).toISOString()} are in the future and the pipeline will reject them; give an earlier --start\n`);
  }
}
