import { createReadStream } from 'node:fs';

/** One line of a file, split on LF bytes (a CR before it is dropped). */
export interface FileLine {
  /** 1-based, as an editor shows it. */
  readonly number: number;
  /** The text, unless the line was longer than the limit. */
  readonly text?: string;
  /** Bytes in the line (without its line break). */
  readonly bytes: number;
  /** True for the last line of a file that does not end in a line break: it may have been torn by a crash. */
  readonly unterminated: boolean;
  /** Byte offset just past this line and its line break. */
  readonly end: number;
}

export interface LineReaderOptions {
  /** Longer lines are handed out without text (and never held in memory whole). */
  readonly maxBytes: number;
  /** Byte offset to start at; it must be the start of a line. */
  readonly start?: number;
  /** Line number of the line at `start`. */
  readonly firstLine?: number;
}

/** The longest line read whole: more than any valid message, far less than what would exhaust memory. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Stream a file's lines with bounded memory: a line over `maxBytes` (a 1 GB line, a binary file) is skipped over
 * as it streams by and handed out without its text, so the caller can report it by number and go on.
 */
export async function* readLines(file: string, options: LineReaderOptions): AsyncGenerator<FileLine> {
  const start = options.start ?? 0;
  let number = options.firstLine ?? 1;
  let offset = start;
  let parts: Buffer[] = [];
  let lineBytes = 0;
  const stream = createReadStream(file, { start, highWaterMark: 1 << 16 });
  const finish = (bytes: number, terminated: boolean): FileLine => {
    const tooLong = bytes > options.maxBytes;
    let text: string | undefined;
    if (!tooLong) {
      text = Buffer.concat(parts).toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
    }
    const line: FileLine = { number, bytes, unterminated: !terminated, end: offset, ...(text !== undefined && { text }) };
    number++;
    parts = [];
    lineBytes = 0;
    return line;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, from)) {
        const piece = chunk.subarray(from, at);
        if (lineBytes + piece.length <= options.maxBytes) parts.push(piece);
        offset += piece.length + 1;
        yield finish(lineBytes + piece.length, true);
        from = at + 1;
      }
      const rest = chunk.subarray(from);
      offset += rest.length;
      lineBytes += rest.length;
      if (lineBytes <= options.maxBytes) parts.push(rest);
      else parts = [];
    }
    if (lineBytes > 0) yield finish(lineBytes, false);
  } finally {
    stream.destroy();
  }
}
