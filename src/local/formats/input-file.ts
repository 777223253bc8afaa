import { parse, type CsvError, type Options as CsvOptions } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { InputFormat } from '../../resources/input-formats.js';
import { UserError } from '../../shared/user-error.js';
import { isJsonObject } from './jsonl-reader.js';
import { MAX_LINE_BYTES, readLines } from './line-reader.js';

/** A PutEvents entry, as an input line gives it and the bus (local or deployed) takes it. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  /** ISO-8601; default: when it is put. */
  readonly time?: string;
}

/** One line of an input file: a tick (an SQS message body), a bus event (a PutEvents entry), or a line that is neither. */
export type InputRecord =
  | { readonly kind: 'tick'; readonly line: number; readonly body: string }
  | { readonly kind: 'event'; readonly line: number; readonly entry: BusEntry }
  | { readonly kind: 'bad'; readonly line: number; readonly reason: string };

/** A problem with the input as a whole (the user fixes the command or the file, nothing was processed). */
export class InputError extends UserError {
  override name = 'InputError';
}

export const formatOf = (file: string, explicit?: InputFormat): InputFormat => explicit ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl');

/** Fail early and clearly when the file cannot be read; returns its size in bytes (for progress). */
async function checkInputFile(file: string): Promise<number> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new InputError(`file not found: ${file}`);
    throw new InputError(`cannot read ${file}: ${error.code === 'EACCES' ? 'permission denied' : error.message}`);
  });
  if (!info.isFile()) throw new InputError(`not a file: ${file}`);
  return info.size;
}

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
  if (!isJsonObject(value) || !('detail-type' in value || 'DetailType' in value)) return { kind: 'tick', line, body: text };
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
        : !isJsonObject(detail)
          ? 'detail: must be a JSON object'
          : time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))
            ? 'time: must be an ISO-8601 date'
            : undefined;
  if (problem || !isJsonObject(detail)) return { kind: 'bad', line, reason: `not a valid bus event: ${problem}` };
  return {
    kind: 'event',
    line,
    entry: { source: source as string, detailType: detailType as string, detail, ...(typeof time === 'string' && { time }) },
  };
}

const CSV_NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const CSV_COLUMNS = ['symbol', 'price', 'timestamp', 'volume', 'exchange', 'bid', 'ask'] as const;

/** Column names of a CSV header record; it must name at least symbol and price. */
function csvHeader(record: readonly string[], file: string): string[] {
  const columns = record.map((c) => c.trim().toLowerCase());
  if (!columns.includes('symbol') || !columns.includes('price')) {
    throw new InputError(
      `${file}: the first line must be a header naming the columns, at least symbol and price (known: ${CSV_COLUMNS.join(', ')}); got "${record.join(',')}"`,
    );
  }
  return columns;
}

/** A CSV record as a tick body; cells that look numeric become numbers, empty cells are left out. */
export function csvRecord(cells: readonly string[], line: number, columns: readonly string[]): InputRecord {
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
  /** Bytes of the file consumed so far. */
  readonly bytesRead: number;
}

/** RFC 4180 as csv-parse reads it: quoted fields (with commas, quotes, line breaks), CRLF or LF, a BOM, blank lines. */
const CSV_OPTIONS: CsvOptions = {
  bom: true,
  trim: true,
  info: true,
  raw: true,
  record_delimiter: ['\r\n', '\n'],
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_empty_values: true,
  skip_records_with_error: true,
  max_record_size: MAX_LINE_BYTES,
};

interface CsvRow {
  readonly record: string[];
  readonly info: { readonly lines: number };
  readonly raw: string;
}

/** The line a record starts on (csv-parse counts the line it ends on; a quoted field may span lines). */
const startLine = (row: CsvRow): number => row.info.lines - (row.raw.replace(/^[\r\n]+|\r?\n$/g, '').match(/\n/g)?.length ?? 0);

/** Read a CSV file's header record and check it, before anything of any file is sent. */
async function readCsvHeader(file: string): Promise<string[]> {
  const stream = createReadStream(file);
  const parser = stream.pipe(parse({ ...CSV_OPTIONS, to: 1 }));
  try {
    for await (const row of parser as AsyncIterable<CsvRow>) return csvHeader(row.record, file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${file}: cannot read the CSV header: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
  throw new InputError(`${file}: the file is empty; a CSV file starts with a header naming at least symbol and price`);
}

/** Everything that makes a file unusable as a whole, checked before a run starts: that it exists, is a file, and (CSV) its header. */
export async function checkInput(file: string, format: InputFormat, options: { readonly allowEmpty?: boolean } = {}): Promise<number> {
  const size = await checkInputFile(file);
  if (format === 'csv' && !(options.allowEmpty && size === 0)) await readCsvHeader(file);
  return size;
}

async function* readCsv(file: string, progress?: (p: ReadProgress) => void): AsyncGenerator<InputRecord> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  const skipped: InputRecord[] = [];
  let overflow = false;
  const onSkip = (error: CsvError | undefined): undefined => {
    if (!error || overflow) return undefined;
    // csv-parse cannot find the next record after one over the size limit (usually a quote that is never closed).
    overflow = error.code === 'CSV_MAX_RECORD_SIZE';
    const reason = overflow
      ? `a record longer than ${MAX_LINE_BYTES} bytes (a quote that is never closed?): the rest of the file is not read`
      : `not valid CSV: ${error.message}`;
    skipped.push({ kind: 'bad', line: Number(error.lines), reason });
    return undefined;
  };
  const parser = stream.pipe(parse({ ...CSV_OPTIONS, on_skip: onSkip }));
  let columns: string[] | undefined;
  try {
    for await (const row of parser as AsyncIterable<CsvRow>) {
      const line = startLine(row);
      // The parser reads ahead: report what it skipped in line order among the records.
      while (skipped.length > 0 && skipped[0]!.line < line) yield skipped.shift()!;
      if (overflow) break;
      if (!columns) {
        columns = csvHeader(row.record, file);
        continue;
      }
      yield csvRecord(row.record, line, columns);
      progress?.({ bytesRead: stream.bytesRead });
    }
  } finally {
    stream.destroy();
  }
  yield* skipped.splice(0);
}

async function* readJsonlInput(file: string, progress?: (p: ReadProgress) => void): AsyncGenerator<InputRecord> {
  for await (const line of readLines(file, { maxBytes: MAX_LINE_BYTES })) {
    if (line.text === undefined) {
      yield { kind: 'bad', line: line.number, reason: `longer than ${MAX_LINE_BYTES} bytes (${line.bytes}), skipped` };
      continue;
    }
    // An editor may start the file with a byte order mark; it is not part of the first message.
    const text = (line.number === 1 ? line.text.replace(/^\ufeff/, '') : line.text).trim();
    if (text === '') continue;
    yield jsonlRecord(text, line.number);
    progress?.({ bytesRead: line.end });
  }
}

/**
 * Stream the records of a JSONL or CSV file (memory stays flat whatever the file size). Blank lines are skipped;
 * line numbers are 1-based as an editor shows them; a line too long to be a message is reported, not read whole.
 */
export async function* readInput(file: string, format: InputFormat, progress?: (p: ReadProgress) => void): AsyncGenerator<InputRecord> {
  await checkInputFile(file);
  yield* format === 'csv' ? readCsv(file, progress) : readJsonlInput(file, progress);
}
