import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { withPath } from '../adapters/local/private-files.js';
import { formatOf } from '../local/formats/input-file.js';
import { DEFAULT_SYMBOLS, SYNTHETIC_CSV_HEADER, syntheticLine, syntheticTicks } from '../local/formats/synthetic.js';
import type { InputFormat } from '../resources/input-formats.js';

/**
 * The first tick's event time unless told otherwise: fixed (a Monday, at the New York open), so the same request
 * always gives the same file, byte for byte.
 */
const DEFAULT_START = Date.UTC(2026, 0, 5, 14, 30);

export interface GenerateRequest {
  readonly out: string;
  readonly ticks: number;
  /** Default: the symbols of DEFAULT_SYMBOLS, priced near the default thresholds. */
  readonly symbols?: readonly string[];
  readonly seed: number;
  /** Event time of the first tick, epoch ms (default DEFAULT_START). */
  readonly start?: number;
  /** Milliseconds between consecutive ticks. */
  readonly interval: number;
  readonly volatility: number;
  readonly drift: number;
  /** Default: from the file's extension. */
  readonly format?: InputFormat;
}

export interface GenerateResult {
  readonly file: string;
  readonly format: InputFormat;
  readonly ticks: number;
  readonly symbols: readonly string[];
  readonly seed: number;
  /** Event times of the first and the last tick, ISO-8601. */
  readonly from: string;
  readonly to: string;
}

/** Event time of the last tick of a request, epoch ms. */
export const lastTickTime = (request: Pick<GenerateRequest, 'ticks' | 'interval' | 'start'>): number =>
  (request.start ?? DEFAULT_START) + Math.max(0, request.ticks - 1) * request.interval;

/** Write seeded GBM ticks to a file, streaming (memory stays flat for any count). */
export async function generateFile(request: GenerateRequest): Promise<GenerateResult> {
  const symbols = request.symbols ?? Object.keys(DEFAULT_SYMBOLS);
  const format = formatOf(request.out, request.format);
  const start = request.start ?? DEFAULT_START;
  await mkdir(dirname(request.out), { recursive: true });
  const out = createWriteStream(request.out);
  const failed = once(out, 'error').then(([error]) => {
    throw withPath(error, request.out);
  });
  const write = async (chunk: string) => {
    if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
  };
  let chunk = format === 'csv' ? SYNTHETIC_CSV_HEADER : '';
  const ticks = syntheticTicks({
    ticks: request.ticks,
    symbols,
    seed: request.seed,
    start,
    intervalMs: request.interval,
    volatility: request.volatility,
    drift: request.drift,
  });
  for (const tick of ticks) {
    chunk += syntheticLine(tick, format);
    if (chunk.length >= 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  out.end(chunk);
  await Promise.race([finished(out), failed]);
  return {
    file: request.out,
    format,
    ticks: request.ticks,
    symbols,
    seed: request.seed,
    from: new Date(start).toISOString(),
    to: new Date(lastTickTime(request)).toISOString(),
  };
}
