import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { BusEntry } from './event-bus.js';

export type InputFormat = 'jsonl' | 'csv';
export const INPUT_FORMATS: readonly InputFormat[] = ['jsonl', 'csv'];

/** One line of an input file: a tick (an SQS message body), a bus event (a PutEvents entry), or a line that is neither. */
export type InputRecord =
  | { readonly kind: 'tick'; readonly line: number; readonly body: string }
  | { readonly kind: 'event'; readonly line: number; readonly entry: BusEntry }
  | { readonly kind: 'bad'; readonly line: number; readonly reason: string };

/** A problem with the input as a whole (the user fixes the command or the file, nothing was processed). */
export class InputError extends Error {
  override name = 'InputError';
}

export const formatOf = (file: string, explicit?: InputFormat): InputFormat =>
  explicit ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl');

/** Fail early and clearly when the file cannot be read; returns its size in bytes (for progress). */
export async function checkInputFile(file: string): Promise<number> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new InputError(`file not found: ${file}`);
    throw new InputError(`cannot read ${file}: ${error.message}`);
  });
  if (!info.isFile()) throw new InputError(`not a file: ${file}`);
  return info.size;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A JSONL line: an object with a `detail-type` (or PutEvents' `DetailType`) is a bus event; anything else is sent as
 * the body of a tick message as it stands, so malformed ticks reach the pipeline and end in its dead-letter queue.
 */
export function jsonlRecord(text: string, line: number): InputRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'tick', line, body: text };
  }
  if (!isObject(value) || !('detail-type' in value || 'DetailType' in value)) return { kind: 'tick', line, body: text };
  return busEntry(value, line);
}

function busEntry(value: Record<string, unknown>, line: number): InputRecord {
  const detailType = value['detail-type'] ?? value.DetailType;
  const source = value.source ?? value.Source;
  let detail = value.detail ?? value.Detail;
  const time = value.time ?? value.Time;
  if (typeof detail === 'string') {
    try {
      detail = JSON.parse(detail);
    } catch {
      // reported below as not an object
    }
  }
  const problem =
    typeof source !== 'string' || source === ''
      ? 'source: must be a non-empty string'
      : typeof detailType !== 'string' || detailType === ''
        ? 'detail-type: must be a non-empty string'
        : !isObject(detail)
          ? 'detail: must be a JSON object'
          : time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))
            ? 'time: must be an ISO-8601 date'
            : undefined;
  if (problem || !isObject(detail)) return { kind: 'bad', line, reason: `not a valid bus event: ${problem}` };
  return {
    kind: 'event',
    line,
    entry: { source: source as string, detailType: detailType as string, detail, ...(typeof time === 'string' && { time }) },
  };
}

const CSV_NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const CSV_COLUMNS = ['symbol', 'price', 'timestamp', 'volume', 'exchange', 'bid', 'ask'] as const;

/** Column names of a CSV header; it must name at least symbol and price. */
export function csvHeader(text: string, file: string): string[] {
  const columns = text.split(',').map((c) => c.trim().toLowerCase());
  if (!columns.includes('symbol') || !columns.includes('price')) {
    throw new InputError(
      `${file}: the first line must be a header naming the columns, at least symbol and price (known: ${CSV_COLUMNS.join(', ')}); got "${text}"`,
    );
  }
  return columns;
}

/** A CSV row as a tick body; cells that look numeric become numbers, empty cells are left out. */
export function csvRecord(text: string, line: number, columns: readonly string[]): InputRecord {
  const cells = text.split(',').map((c) => c.trim());
  if (cells.length !== columns.length) return { kind: 'bad', line, reason: `expected ${columns.length} columns, got ${cells.length}` };
  const body: Record<string, string | number> = {};
  columns.forEach((column, i) => {
    const cell = cells[i] ?? '';
    if (cell === '' || !(CSV_COLUMNS as readonly string[]).includes(column)) return;
    body[column] = column !== 'symbol' && column !== 'exchange' && CSV_NUMERIC.test(cell) ? Number(cell) : cell;
  });
  return { kind: 'tick', line, body: JSON.stringify(body) };
}

export interface ReadProgress {
  /** Bytes of the file consumed so far (lines handed out, counted as UTF-16 units: close enough for progress). */
  readonly bytesRead: number;
}

/**
 * Stream the records of a JSONL or CSV file, one line at a time (memory stays flat whatever the file size).
 * Blank lines are skipped; line numbers are 1-based as an editor shows them.
 */
export async function* readInput(file: string, format: InputFormat, progress?: (p: ReadProgress) => void): AsyncGenerator<InputRecord> {
  await checkInputFile(file);
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  let consumed = 0;
  let columns: string[] | undefined;
  try {
    for await (const raw of lines) {
      line++;
      consumed += raw.length + 1;
      const text = raw.trim();
      if (text === '') continue;
      if (format === 'csv') {
        if (!columns) {
          columns = csvHeader(text, file);
          continue;
        }
        yield csvRecord(text, line, columns);
      } else {
        yield jsonlRecord(text, line);
      }
      progress?.({ bytesRead: consumed });
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
