import { stat } from 'node:fs/promises';
import { MAX_LINE_BYTES, readLines } from './line-reader.js';

/** A line of a local JSONL file that could not be read as an entry: skipped, and reported with where it is. */
export interface UnreadableLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface JsonlEntry<T> {
  readonly value: T;
  readonly line: number;
  /** Byte offset just past the entry's line. */
  readonly end: number;
}

export interface JsonlReadOptions<T> {
  /** Accepts what parsed as JSON as an entry of the file's kind. */
  readonly isEntry: (value: unknown) => value is T;
  readonly onUnreadable?: (problem: UnreadableLine) => void;
  readonly start?: number;
  readonly firstLine?: number;
}

/** A JSON object (not an array, not null). */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const fileExists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );

/**
 * The entries of a JSONL file kept by this tool, streamed. A line that is not an entry (cut short by a crash or a
 * full disk, not JSON, over the line limit) is skipped and reported with its file and line; the rest is read.
 */
export async function* readJsonl<T>(file: string, options: JsonlReadOptions<T>): AsyncGenerator<JsonlEntry<T>> {
  if (!(await fileExists(file))) return;
  const lines = readLines(file, {
    maxBytes: MAX_LINE_BYTES,
    ...(options.start !== undefined && { start: options.start }),
    ...(options.firstLine !== undefined && { firstLine: options.firstLine }),
  });
  for await (const line of lines) {
    const report = (reason: string) => options.onUnreadable?.({ file, line: line.number, reason });
    if (line.text === undefined) {
      report(`longer than ${MAX_LINE_BYTES} bytes (${line.bytes}), skipped`);
      continue;
    }
    if (line.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch {
      report(line.unterminated ? 'torn last line (a write cut short by a crash or a full disk), skipped' : 'not valid JSON, skipped');
      continue;
    }
    if (!options.isEntry(value)) {
      report('not an entry of this file, skipped');
      continue;
    }
    yield { value, line: line.number, end: line.end };
  }
}
