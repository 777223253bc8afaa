import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  JsonlDeadLetterStore,
  eventDeadLetters,
  tickDeadLetters,
  tickLetterId,
  type EventDeadLetter,
} from '../../../src/local/emulation/dead-letter-store.js';
import type { UnreadableLine } from '../../../src/local/formats/jsonl-reader.js';

interface Letter {
  readonly id: number;
}

describe('JsonlDeadLetterStore', () => {
  let dir: string;
  let store: JsonlDeadLetterStore<Letter>;
  let unreadable: UnreadableLine[];
  const all = async (s = store) => {
    const out: number[] = [];
    for await (const e of s.entries()) out.push(e.id);
    return out;
  };
  const letters = (...ids: number[]) => ids.map((id) => ({ id }));
  const open = (file: string) =>
    new JsonlDeadLetterStore<Letter>(file, {
      isEntry: (v): v is Letter => typeof (v as Letter).id === 'number',
      keyOf: (l) => String(l.id),
      onUnreadable: (u) => unreadable.push(u),
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dlq-'));
    unreadable = [];
    store = open(join(dir, 'nested', 'dlq.jsonl'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is empty before anything is appended', async () => {
    expect(await all()).toEqual([]);
    expect(await store.count()).toBe(0);
  });

  it('appends and streams entries in order, to a file only its owner can read', async () => {
    await store.append(letters(1, 2));
    await store.append(letters(3));
    expect(await all()).toEqual([1, 2, 3]);
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
  });

  it('skips a torn last line and reports it with file and line; the next append does not glue to it', async () => {
    await store.append(letters(1, 2));
    await appendFile(store.file, '{"id":3,"bo');
    expect(await all()).toEqual([1, 2]);
    expect(unreadable).toEqual([{ file: store.file, line: 3, reason: 'torn last line (a write cut short by a crash or a full disk), skipped' }]);
    await store.append(letters(4));
    expect(await readFile(store.file, 'utf8')).toBe('{"id":1}\n{"id":2}\n{"id":3,"bo\n{"id":4}\n');
    unreadable = [];
    expect(await all()).toEqual([1, 2, 4]);
    expect(unreadable).toEqual([{ file: store.file, line: 3, reason: 'not valid JSON, skipped' }]);
  });

  it('skips a line over the limit without holding it in memory, and goes on', async () => {
    await store.append(letters(1));
    await appendFile(store.file, `"${'x'.repeat(2 * 1024 * 1024)}"\n`);
    await store.append(letters(2));
    expect(await all()).toEqual([1, 2]);
    expect(unreadable).toEqual([{ file: store.file, line: 2, reason: 'longer than 1048576 bytes (2097154), skipped' }]);
  });

  it('redrives: entries that fail again stay, the others are gone, and unreadable lines are kept aside', async () => {
    await store.append(letters(1, 2, 3));
    await appendFile(store.file, 'garbage\n');
    await store.redrive(async (chunk) => {
      for (const e of chunk) if (e.id === 2) await store.append([e]);
    });
    expect(await all()).toEqual([2]);
    expect(await readFile(store.unreadableFile, 'utf8')).toBe(`not valid JSON, skipped: line 4 of ${store.asideFile}\n`);
  });

  it('a redrive that stopped mid-chunk leaves every entry exactly once, and the next redrive resumes', async () => {
    await store.append(letters(...Array.from({ length: 10 }, (_, i) => i + 1)));
    let sent = 0;
    // Chunks of 3: the first chunk completes (progress recorded), the second sends 4 and 5 back, then "crashes".
    await expect(
      store.redrive(async (chunk) => {
        for (const e of chunk) {
          if (sent++ === 5) throw new Error('killed');
          if (e.id % 2 === 1 || e.id === 4) await store.append([e]);
        }
      }, 3),
    ).rejects.toThrow('killed');
    // 1 and 3 came back in the first chunk, 4 and 5 in the interrupted one; 2 was delivered.
    await store.append(letters(99));
    expect((await all()).sort((a, b) => a - b)).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10, 99]);
    expect(await store.count()).toBe(10);
    const seen: number[] = [];
    await store.redrive(async (chunk) => {
      seen.push(...chunk.map((e) => e.id));
    });
    // Resumed: the interrupted chunk's 6 (4 and 5 are back in the file), the rest, then the file's own entries.
    expect(seen).toEqual([6, 7, 8, 9, 10, 1, 3, 4, 5, 99]);
    expect(await all()).toEqual([]);
  });

  it('stays exact when runs are interrupted again and again, with new dead letters appended in between', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => i + 1);
    await store.append(letters(...ids));
    // Every run sends everything back (nothing is delivered) and is killed after `after` entries.
    const interrupted = (after: number) => {
      let sent = 0;
      return store.redrive(async (chunk) => {
        for (const e of chunk) {
          if (sent++ === after) throw new Error('killed');
          await store.append([e]);
        }
      }, 4);
    };
    await expect(interrupted(6)).rejects.toThrow('killed');
    // More than a chunk's worth of new dead letters (say, a replay) between two interrupted runs.
    const later = Array.from({ length: 600 }, (_, i) => 1000 + i);
    await store.append(letters(...later));
    for (const after of [2, 3, 0, 5]) {
      await expect(interrupted(after)).rejects.toThrow('killed');
      const seen = await all();
      expect(seen.length).toBe(620);
      expect(new Set(seen).size).toBe(620);
    }
    await store.redrive(async (chunk) => store.append(chunk), 4);
    expect((await all()).sort((a, b) => a - b)).toEqual([...ids, ...later]);
  });

  it('does nothing when there is nothing to redrive', async () => {
    let called = false;
    await store.redrive(async () => {
      called = true;
    });
    expect(called).toBe(false);
  });

  it('refuses to guess when the progress record is damaged', async () => {
    await store.append(letters(1));
    await writeFile(store.asideFile, '{"id":2}\n');
    await writeFile(store.progressFile, '{"off');
    await expect(all()).rejects.toThrow(`${store.progressFile} is damaged (not JSON)`);
  });

  it('knows a tick dead letter by the id it was first sent with, and skips one whose first id is not text', async () => {
    const ticks = tickDeadLetters(join(dir, 'ticks.jsonl'), (u) => unreadable.push(u));
    const letter = { messageId: 'm-2', body: '{}', sentTimestamp: 1, receiveCount: 3, reason: 'r', deadLetteredAt: 'then' };
    await ticks.append([{ ...letter, originalMessageId: 'm-1' }, letter, { ...letter, originalMessageId: 7 as unknown as string }]);
    const read: string[] = [];
    for await (const l of ticks.entries()) read.push(tickLetterId(l));
    // Files written before the first id was kept know a dead letter by its message id.
    expect(read).toEqual(['m-1', 'm-2']);
    expect(unreadable).toEqual([{ file: ticks.file, line: 3, reason: 'not an entry of this file, skipped' }]);
  });
});

describe('the local events DLQ', () => {
  let dir: string;
  let unreadable: UnreadableLine[];
  let store: ReturnType<typeof eventDeadLetters>;
  const deep = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = { a: value };
    return value;
  };
  const letter = (id: string, detail: unknown): EventDeadLetter => ({
    event: { version: '0', id, source: 'market.data', 'detail-type': 'Trade Execution', time: '2026-11-23T14:59:00Z', detail },
    rule: 'trade-events',
    attempts: 1,
    reason: 'detail: nests deeper than 16 levels',
    deadLetteredAt: '2026-11-23T15:00:00.000Z',
    origin: { file: 'in.jsonl', line: 7 },
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'events-dlq-'));
    unreadable = [];
    store = eventDeadLetters(join(dir, 'market-events-dlq-test.jsonl'), (u) => unreadable.push(u));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps an event 6 000 or 100 000 levels deep as market-events-dlq does: the envelope, marked truncated', async () => {
    await store.append([letter('e-6000', deep(6_000)), letter('e-100000', deep(100_000)), letter('e-ok', { symbol: 'AAPL' })]);
    const entries = [];
    for await (const e of store.entries()) entries.push(e);
    const cut = (id: string) => ({
      ...letter(id, 'left out: event: nests deeper than 64 levels'),
      event: {
        id,
        source: 'market.data',
        'detail-type': 'Trade Execution',
        time: '2026-11-23T14:59:00Z',
        detail: 'left out: event: nests deeper than 64 levels',
      },
      truncated: true,
    });
    expect(entries).toEqual([cut('e-6000'), cut('e-100000'), letter('e-ok', { symbol: 'AAPL' })]);
    expect(unreadable).toEqual([]);
  });

  it('skips and reports a line holding an event too deep for the readers after it (it never writes one)', async () => {
    await store.append([letter('e-1', { symbol: 'AAPL' })]);
    const line = `{"event":{"id":"e-2","detail":${'['.repeat(100_000)}${']'.repeat(100_000)}},"rule":"trade-events"}\n`;
    await appendFile(store.file, line);
    expect((await readFile(store.file, 'utf8')).length).toBeGreaterThan(200_000);
    expect(await store.count()).toBe(1);
    expect(unreadable).toEqual([{ file: store.file, line: 2, reason: 'not an entry of this file, skipped' }]);
  });
});
