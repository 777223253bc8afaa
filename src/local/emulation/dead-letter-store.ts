import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deadLetterEvent, withinDeadLetterBounds } from '../../adapters/dead-letter-event.js';
import { appendLines, ensurePrivateDir, PRIVATE_FILE_MODE, withPath } from '../../adapters/local/private-files.js';
import { fileExists, isJsonObject, readJsonl, type UnreadableLine } from '../formats/jsonl-reader.js';

/** Where a message came from, so a dead letter can be traced back to its input line. */
export interface Origin {
  readonly file: string;
  readonly line: number;
}

/** A tick message that failed its maximum receives. */
export interface TickDeadLetter {
  /** Its id on its last trip through the queue: each redrive gives it a new one, as SQS does. */
  readonly messageId: string;
  /** The id it was first sent with, which redrives keep (absent from files written before they had it). */
  readonly originalMessageId?: string;
  readonly body: string;
  readonly sentTimestamp: number;
  readonly receiveCount: number;
  readonly reason: string;
  readonly deadLetteredAt: string;
  readonly origin?: Origin;
}

/** A bus event whose target still failed after its retries, or that market-processor found invalid. */
export interface EventDeadLetter {
  /** As market-events-dlq holds it (see deadLetterEvent): the event as it came, or its envelope when cut down. */
  readonly event: Record<string, unknown>;
  /** The event's detail was left out (too deep or too large to keep), like market-events-dlq's Truncated attribute. */
  readonly truncated?: true;
  readonly rule: string;
  readonly attempts: number;
  readonly reason: string;
  readonly deadLetteredAt: string;
  readonly origin?: Origin;
}

const isTickDeadLetter = (value: unknown): value is TickDeadLetter =>
  isJsonObject(value) &&
  typeof value.messageId === 'string' &&
  // Its identity across redrives: anything but text (an edited file) could count one dead letter twice.
  (value.originalMessageId === undefined || typeof value.originalMessageId === 'string') &&
  typeof value.body === 'string' &&
  typeof value.sentTimestamp === 'number';

/** Only an event this store could have written: one too deep for the readers after it is damage, skipped and reported. */
const isEventDeadLetter = (value: unknown): value is EventDeadLetter =>
  isJsonObject(value) &&
  isJsonObject(value.event) &&
  typeof value.event.id === 'string' &&
  typeof value.rule === 'string' &&
  withinDeadLetterBounds(value.event);

/** The event cut down exactly as the deployed function cuts it for market-events-dlq, before it is serialised. */
function serialiseEventDeadLetter(letter: EventDeadLetter): string {
  const { event, complete } = deadLetterEvent(letter.event);
  return JSON.stringify(complete ? letter : { ...letter, event, truncated: true });
}

/**
 * What identifies a tick dead letter however often it is redriven: the id it was first sent with (each redrive gives
 * the message a new id), so a resumed redrive recognises the entries an interrupted one already sent back.
 */
export const tickLetterId = (letter: TickDeadLetter): string => letter.originalMessageId ?? letter.messageId;
const eventKey = (letter: EventDeadLetter): string => `${String(letter.event.id)} ${letter.rule}`;

/** Entries redriven between two progress records; also how far back a resumed redrive looks for entries it sent back. */
const REDRIVE_CHUNK = 500;

/**
 * How far a redrive got: the aside file up to `offset` is done; the main file was `mainSize` bytes then; `skip` are
 * aside entries after `offset` that an earlier, interrupted run already sent back to the main file.
 */
interface RedriveProgress {
  readonly offset: number;
  readonly line: number;
  readonly mainSize: number;
  readonly skip: readonly string[];
}

const START: RedriveProgress = { offset: 0, line: 1, mainSize: 0, skip: [] };

export interface DeadLetterStoreOptions<T> {
  readonly isEntry: (value: unknown) => value is T;
  readonly keyOf: (entry: T) => string;
  /** An entry as its line (default JSON.stringify); it must not throw, whatever the entry holds. */
  readonly serialise?: (entry: T) => string;
  /** Told of every line that could not be read (it is skipped). */
  readonly onUnreadable?: (problem: UnreadableLine) => void;
}

/**
 * A dead-letter queue kept as a JSONL file, crash-safe: appends never glue to a torn line, and a redrive can be
 * killed at any moment without losing or doubling a dead letter.
 *
 * A redrive renames the file aside (new dead letters, those that fail again included, go to a fresh file), sends
 * the aside entries back in chunks and records, when it starts and after each chunk, how far it got and how long the
 * main file was, in a progress file replaced atomically. Only the redrive appends while it holds the store lock, so
 * what a chunk sends back sits right after the recorded length. If it stops, the queue still reads as "the aside
 * entries after the recorded offset, less those already back in the main file (listed, or after the recorded
 * length), then the main file", which is every dead letter exactly once; the next redrive resumes from there.
 */
export class JsonlDeadLetterStore<T> {
  constructor(
    readonly file: string,
    private readonly options: DeadLetterStoreOptions<T>,
  ) {}

  get asideFile(): string {
    return `${this.file}.redrive`;
  }

  private folder: Promise<void> | undefined;

  get progressFile(): string {
    return `${this.file}.redrive-progress.json`;
  }

  /** Where lines that could not be read during a redrive are kept, so that nothing is dropped. */
  get unreadableFile(): string {
    return `${this.file}.unreadable`;
  }

  async append(entries: readonly T[]): Promise<void> {
    if (entries.length === 0) return;
    // The folder once per store, not once per dead letter (a failure is tried again on the next append).
    this.folder ??= ensurePrivateDir(dirname(this.file)).catch((error: unknown) => {
      this.folder = undefined;
      throw error;
    });
    await this.folder;
    await appendLines(this.file, entries.map(this.options.serialise ?? ((e) => JSON.stringify(e))));
  }

  /** Every dead letter, oldest first: those of an interrupted redrive that have not come back yet, then the file. */
  async *entries(): AsyncGenerator<T> {
    if (await fileExists(this.asideFile)) {
      const progress = await this.progress();
      const back = await this.alreadyBack(progress);
      for await (const { value } of this.read(this.asideFile, progress)) if (!back.has(this.options.keyOf(value))) yield value;
    }
    for await (const { value } of this.read(this.file)) yield value;
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const _ of this.entries()) n++;
    return n;
  }

  /**
   * Take every dead letter out for a redrive, `send` getting them a chunk at a time; once `send` resolves, the chunk
   * is gone from the queue, except what `send` put back with `append`. An interrupted redrive is finished first.
   */
  async redrive(send: (chunk: T[]) => Promise<void>, requestedChunk: number = REDRIVE_CHUNK): Promise<void> {
    // A chunk may not send back more than the entries a resumed run looks at after the recorded length.
    const chunkSize = Math.min(requestedChunk, REDRIVE_CHUNK);
    if (await fileExists(this.asideFile)) await this.redriveAside(send, chunkSize);
    await rm(this.progressFile, { force: true });
    try {
      await rename(this.file, this.asideFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw withPath(error, this.file);
    }
    await this.redriveAside(send, chunkSize);
  }

  private async redriveAside(send: (chunk: T[]) => Promise<void>, chunkSize: number): Promise<void> {
    const progress = await this.progress();
    const back = await this.alreadyBack(progress);
    // Start from a record of our own: what this run sends back will sit right after the main file's length now.
    await this.saveProgress({ offset: progress.offset, line: progress.line, mainSize: await sizeOf(this.file), skip: [...back] });
    let chunk: T[] = [];
    const unreadable: string[] = [];
    const entries = this.read(this.asideFile, progress, (problem) => {
      unreadable.push(`${problem.reason}: line ${problem.line} of ${problem.file}`);
      this.options.onUnreadable?.(problem);
    });
    for await (const { value, line, end } of entries) {
      if (!back.has(this.options.keyOf(value))) chunk.push(value);
      if (chunk.length >= chunkSize) {
        await send(chunk);
        chunk = [];
        // Every entry an earlier run sent back lies within this first chunk's span, so the list is done with.
        await this.saveProgress({ offset: end, line: line + 1, mainSize: await sizeOf(this.file), skip: [] });
      }
    }
    if (chunk.length > 0) await send(chunk);
    // Lines no one could read are kept aside with a note, rather than vanishing with the redriven file.
    if (unreadable.length > 0) await appendLines(this.unreadableFile, unreadable);
    await rm(this.asideFile);
    await rm(this.progressFile, { force: true });
  }

  private read(file: string, from: RedriveProgress = START, onUnreadable = this.options.onUnreadable) {
    return readJsonl<T>(file, {
      isEntry: this.options.isEntry,
      start: from.offset,
      firstLine: from.line,
      ...(onUnreadable && { onUnreadable }),
    });
  }

  /**
   * Keys of aside entries already back in the main file: those listed, and the first entries appended after the
   * recorded length (at most a chunk's worth: what the interrupted chunk sent back).
   */
  private async alreadyBack(progress: RedriveProgress): Promise<Set<string>> {
    const keys = new Set<string>(progress.skip);
    if ((await sizeOf(this.file)) <= progress.mainSize) return keys;
    let read = 0;
    for await (const { value } of readJsonl<T>(this.file, { isEntry: this.options.isEntry, start: progress.mainSize })) {
      keys.add(this.options.keyOf(value));
      if (++read >= REDRIVE_CHUNK) break;
    }
    return keys;
  }

  private async progress(): Promise<RedriveProgress> {
    let text: string;
    try {
      text = await readFile(this.progressFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return START;
      throw withPath(error, this.progressFile);
    }
    let value: Partial<RedriveProgress>;
    try {
      value = JSON.parse(text) as Partial<RedriveProgress>;
    } catch {
      // Only ever replaced whole (rename), so this is damage from outside; guessing could double dead letters.
      throw new Error(
        `${this.progressFile} is damaged (not JSON): it records how far an interrupted redrive got; restore it, or move ${this.asideFile} aside to inspect it`,
      );
    }
    return {
      offset: Number(value.offset) || 0,
      line: Number(value.line) || 1,
      mainSize: Number(value.mainSize) || 0,
      skip: Array.isArray(value.skip) ? value.skip.map(String) : [],
    };
  }

  /** Written to a temporary file, flushed, then renamed over the old one: a reader sees the old record or the new. */
  private async saveProgress(progress: RedriveProgress): Promise<void> {
    const temporary = `${this.progressFile}.tmp`;
    const handle = await open(temporary, 'w', PRIVATE_FILE_MODE).catch((error: unknown) => {
      throw withPath(error, temporary);
    });
    try {
      await handle.writeFile(JSON.stringify(progress));
      await handle.sync();
    } catch (error) {
      throw withPath(error, temporary);
    } finally {
      await handle.close();
    }
    await rename(temporary, this.progressFile);
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw withPath(error, file);
  }
}

type OnUnreadable = DeadLetterStoreOptions<unknown>['onUnreadable'];

/** The local market-data-dlq: ticks that failed their maximum receives. */
export const tickDeadLetters = (file: string, onUnreadable?: OnUnreadable) =>
  new JsonlDeadLetterStore<TickDeadLetter>(file, { isEntry: isTickDeadLetter, keyOf: tickLetterId, ...(onUnreadable && { onUnreadable }) });

/** The local market-events-dlq: events whose target failed after its retries, and those market-processor found invalid. */
export const eventDeadLetters = (file: string, onUnreadable?: OnUnreadable) =>
  new JsonlDeadLetterStore<EventDeadLetter>(file, {
    isEntry: isEventDeadLetter,
    keyOf: eventKey,
    serialise: serialiseEventDeadLetter,
    ...(onUnreadable && { onUnreadable }),
  });
