import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

/** Where a message came from, so a dead letter can be traced back to its input line. */
export interface Origin {
  readonly file: string;
  readonly line: number;
}

/** A tick message that failed its maximum receives. */
export interface TickDeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly sentTimestamp: number;
  readonly receiveCount: number;
  readonly reason: string;
  readonly deadLetteredAt: string;
  readonly origin?: Origin;
}

/** A bus event whose target still failed after its retries. */
export interface EventDeadLetter {
  readonly event: Record<string, unknown>;
  readonly rule: string;
  readonly attempts: number;
  readonly reason: string;
  readonly deadLetteredAt: string;
  readonly origin?: Origin;
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

/**
 * A dead-letter queue kept as a JSONL file: appended to, read as a stream (it can be large), and drained for a
 * redrive by renaming it aside first, so messages that fail again land in a fresh file and none is lost if the
 * redrive stops halfway (the aside file is read again by the next list or redrive).
 */
export class JsonlDeadLetterStore<T> {
  constructor(readonly file: string) {}

  private get asideFile(): string {
    return `${this.file}.redrive`;
  }

  async append(entries: readonly T[]): Promise<void> {
    if (entries.length === 0) return;
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  /** Every entry, oldest first, including those of a redrive that did not finish. */
  async *entries(): AsyncGenerator<T> {
    for (const file of [this.asideFile, this.file]) yield* readJsonl<T>(file);
  }

  async count(): Promise<number> {
    let n = 0;
    for await (const _ of this.entries()) n++;
    return n;
  }

  /**
   * Take every entry out for a redrive: `process` gets them as a stream; once it resolves they are gone. Entries
   * it sends back to the queue (by `append`) are kept in the main file.
   */
  async drain(process: (entries: AsyncGenerator<T>) => Promise<void>): Promise<void> {
    if (await exists(this.file)) {
      if (await exists(this.asideFile)) {
        // A previous redrive stopped halfway: keep its leftovers ahead of the newer entries.
        await appendFile(this.asideFile, await readFile(this.file, 'utf8'));
        await rm(this.file);
      } else {
        await rename(this.file, this.asideFile);
      }
    }
    if (!(await exists(this.asideFile))) return;
    await process(readJsonl<T>(this.asideFile));
    await rm(this.asideFile, { force: true });
  }
}

async function* readJsonl<T>(file: string): AsyncGenerator<T> {
  if (!(await exists(file))) return;
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() !== '') yield JSON.parse(line) as T;
  }
}
